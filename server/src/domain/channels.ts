import type { InvoiceSource } from '@fapiao/shared';
import { AppError } from '../errors';
import type { WeChatAccount, WeChatAccounts } from '../wechat/accounts';

/** Which kind of account asks getauthurl for each source. */
const KIND_FOR_SOURCE: Record<InvoiceSource, WeChatAccount['kind'][]> = {
  wxa: ['mini_program'],
  // An Official Account's H5 pages; plain web pages use whichever account the merchant chose.
  web: ['official_account'],
  wap: ['official_account', 'mini_program', 'app'],
  // The Open Platform mobile app (the "open account") calls getauthurl for app invoicing.
  app: ['app'],
};

/**
 * The account a channel uses: the one named, or the first of the right kind. It must exist and be
 * of a kind that serves the source; otherwise nothing is sent to WeChat.
 */
export function accountForChannel(accounts: Pick<WeChatAccounts, 'all' | 'byName'>, source: InvoiceSource, name?: string): WeChatAccount {
  const kinds = KIND_FOR_SOURCE[source];
  const account = name === undefined ? accounts.all.find((a) => kinds.includes(a.kind)) : accounts.byName(name);
  if (!account) {
    throw new AppError('ACCOUNT_NOT_CONFIGURED', name === undefined ? `No ${kinds.join(' or ')} account is configured for source ${source}` : `No WeChat account named ${name} is configured`);
  }
  if (!kinds.includes(account.kind)) {
    throw new AppError('ACCOUNT_NOT_CONFIGURED', `Account ${account.name} is a ${account.kind}; source ${source} needs a ${kinds.join(' or ')}`);
  }
  return account;
}

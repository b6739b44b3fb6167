import type { InvoiceRequestDoc } from '../entities/invoice-request';
import { AppError } from '../../errors';
import type { InvoiceApi } from '../../wechat';
import type { WeChatAccount } from '../../wechat/accounts';
import type { LifecycleDeps } from './deps';

type ChannelOf = Pick<InvoiceRequestDoc, '_id' | 'account' | 'appid' | 'sPappid'>;

/**
 * The account a request was made through. WeChat ties an authorization to the appid that asked
 * for its URL, so every later call must use that account: when it is not configured (any more),
 * this throws and the worker looks again later, instead of calling with another account.
 */
function accountOf(deps: LifecycleDeps, request: ChannelOf): WeChatAccount {
  const account = deps.accounts.resolve(request);
  if (!account) {
    throw new AppError(
      'ACCOUNT_NOT_CONFIGURED',
      `Invoice request ${request._id} was made through WeChat account ${request.account ?? '?'} (${request.appid ?? '?'}), which is not configured`,
    );
  }
  return account;
}

export function invoiceApiOf(deps: LifecycleDeps, request: ChannelOf): InvoiceApi {
  return accountOf(deps, request).client.invoice;
}

/** The s_pappid the authorization was made under (a later change of INVOICE_S_PAPPID does not move it). */
export function sPappidOf(deps: LifecycleDeps, request: ChannelOf): string {
  return request.sPappid ?? deps.invoicing.sPappid;
}

/** The lifecycle's deps with `invoice` being the request's own account's API (for helpers that take deps). */
export function withAccountApi(deps: LifecycleDeps, request: ChannelOf): LifecycleDeps {
  return { ...deps, invoice: invoiceApiOf(deps, request) };
}

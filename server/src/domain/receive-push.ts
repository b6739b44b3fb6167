import type { PushEventRepository } from '../data/push-event/push-event.repository';
import { AppError } from '../errors';
import type { WeChatAccounts } from '../wechat/accounts';
import { isPushRejected, openPush, type PushConfig, type PushRequest, type ReceivedPush } from '../wechat/push';

export interface ReceivePushDeps {
  /** Each account's push keys: a push is opened with those of the account its URL names, only. */
  accounts: Pick<WeChatAccounts, 'default' | 'byName'>;
  pushEvents: PushEventRepository;
  now(): Date;
  /** Told about each new (not duplicate) event after it is stored, with the account it came to; must not throw. */
  onNewEvent(push: ReceivedPush, account: string): void;
}

/** What the push route answers: the handshake's echostr, or "success" once the event is safe. */
export type PushAnswer = { kind: 'handshake'; body: string } | { kind: 'received'; body: 'success'; duplicate: boolean };

/**
 * A push from WeChat: verify it, store it once under its de-duplication key, and answer at once.
 * The work it causes happens afterwards, so WeChat (which gives up after 5 s and resends) is
 * never kept waiting; a resent or duplicated push is acknowledged and ignored.
 */
export async function receivePush(deps: ReceivePushDeps, request: PushRequest, accountName?: string): Promise<PushAnswer> {
  const account = accountName === undefined ? deps.accounts.default : deps.accounts.byName(accountName);
  // An app account has no push URL of its own (its pushes go to an Official Account): no such endpoint.
  if (!account?.push) throw new AppError('ROUTE_NOT_FOUND', 'No push endpoint for this account');
  const verified = openVerified(account.push, request);
  if (verified.kind === 'handshake') return { kind: 'handshake', body: verified.echostr };
  // Two accounts' events are never taken for one (the default account keeps today's keys).
  const opened = account === deps.accounts.default ? verified : { ...verified, dedupeKey: `${account.name}\u0000${verified.dedupeKey}` };
  const { duplicate } = await deps.pushEvents.record(opened, deps.now(), account.name);
  if (!duplicate) deps.onNewEvent(opened, account.name);
  return { kind: 'received', body: 'success', duplicate };
}

function openVerified(config: PushConfig, request: PushRequest) {
  try {
    return openPush(request, config);
  } catch (err) {
    if (!isPushRejected(err)) throw err;
    const forged = err.code === 'PUSH_SIGNATURE_INVALID' || err.code === 'PUSH_APPID_MISMATCH';
    throw new AppError(forged ? 'PUSH_SIGNATURE_INVALID' : 'PUSH_REJECTED', err.message, { reason: err.code });
  }
}

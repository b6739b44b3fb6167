import type { PushEventRepository } from '../data/push-event/push-event.repository';
import { AppError } from '../errors';
import { isPushRejected, openPush, type PushConfig, type PushRequest, type ReceivedPush } from '../wechat/push';

export interface ReceivePushDeps {
  pushConfig: PushConfig;
  pushEvents: PushEventRepository;
  now(): Date;
  /** Told about each new (not duplicate) event after it is stored; must not throw. */
  onNewEvent(push: ReceivedPush): void;
}

/** What the push route answers: the handshake's echostr, or "success" once the event is safe. */
export type PushAnswer = { kind: 'handshake'; body: string } | { kind: 'received'; body: 'success'; duplicate: boolean };

/**
 * A push from WeChat: verify it, store it once under its de-duplication key, and answer at once.
 * The work it causes happens afterwards, so WeChat (which gives up after 5 s and resends) is
 * never kept waiting; a resent or duplicated push is acknowledged and ignored.
 */
export async function receivePush(deps: ReceivePushDeps, request: PushRequest): Promise<PushAnswer> {
  const opened = openVerified(deps.pushConfig, request);
  if (opened.kind === 'handshake') return { kind: 'handshake', body: opened.echostr };
  const { duplicate } = await deps.pushEvents.record(opened, deps.now());
  if (!duplicate) deps.onNewEvent(opened);
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

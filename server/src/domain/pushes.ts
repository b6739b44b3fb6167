import type { PushEventRepository } from '../data/push-event/push-event.repository';
import { AppError } from '../errors';
import type { WeChatAccounts } from '../wechat/accounts';
import { isPushRejected, openPush, type PushConfig, type PushMessage, type PushRequest } from '../wechat/push';
import { onAuthorizeEvent } from './lifecycle/authorization';
import type { LifecycleDeps } from './lifecycle/deps';
import { onInvoiceResult } from './lifecycle/issuing';

/**
 * A push from WeChat, by name, from its arrival to its effect:
 * 1. acceptPush: verify it, store it once under its de-duplication key, answer (the push route);
 * 2. actOnPush: what it changes (an authorization moves its request on, an invoice result wakes
 *    it), then mark it processed and tell the worker that work is due;
 * 3. sweepPushes: pushes a process stored but never acted on because it died (a worker job).
 */
export interface PushDeps {
  /** Each account's push keys: a push is opened with those of the account its URL names, only. */
  accounts: Pick<WeChatAccounts, 'default' | 'byName'>;
  pushEvents: PushEventRepository;
  lifecycle: LifecycleDeps;
  /** Told after a push was acted on: it may have made a request due, so the worker looks now. */
  onWorkDue?: (() => void) | undefined;
  /** Where new pushes wait to be acted on (actingInTurn): a burst is answered first, acted on after. */
  acting: ActingQueue;
}

/** Runs tasks a few at a time, in arrival order. */
export interface ActingQueue {
  /** The task must not reject (actOnPush never does). */
  add(task: () => Promise<void>): void;
  /** Tasks waiting or running. */
  readonly pending: number;
}

/** What the push route answers: the handshake's echostr, or "success" once the event is safe. */
export type PushAnswer = { kind: 'handshake'; body: string } | { kind: 'received'; body: 'success'; duplicate: boolean };

/** A stored push, as acted on. */
export interface StoredPush {
  dedupeKey: string;
  message: PushMessage;
  /** The account whose push URL received it. */
  account?: string | undefined;
}

/** A push waits this long for its own process to act on it before the sweep assumes that process died. */
const SWEEP_AFTER_MS = 10_000;
/** Pushes one sweep acts on. */
const SWEEP_BATCH = 50;
/** Pushes one process acts on at once (see actingInTurn). */
export const ACTING_AT_ONCE = 8;

/**
 * The queue new pushes are acted on from, ACTING_AT_ONCE at a time. Acting costs a few database
 * operations per push; 200 pushes acted on at once would queue the next pushes' inserts (and so
 * their answers, which WeChat waits 5 s for) behind 800 of them. Waiting here loses nothing:
 * each push is stored before it is answered, and the sweep acts on any a dead process left.
 */
export function actingInTurn(atOnce = ACTING_AT_ONCE): ActingQueue {
  const waiting: (() => Promise<void>)[] = [];
  let running = 0;
  const next = (): void => {
    while (running < atOnce && waiting.length) {
      const task = waiting.shift() as () => Promise<void>;
      running += 1;
      void task().finally(() => {
        running -= 1;
        next();
      });
    }
  };
  return {
    add(task) {
      waiting.push(task);
      next();
    },
    get pending() {
      return waiting.length + running;
    },
  };
}

/**
 * Verifies, stores once and answers at once; a new push is then acted on off the request, in
 * turn (deps.acting), so
 * WeChat (which gives up after 5 s and resends) is never kept waiting. A resent or duplicated push
 * is acknowledged and not acted on again.
 */
export async function acceptPush(deps: PushDeps, request: PushRequest, accountName?: string): Promise<PushAnswer> {
  const account = accountName === undefined ? deps.accounts.default : deps.accounts.byName(accountName);
  // An app account has no push URL of its own (its pushes go to an Official Account): no such endpoint.
  if (!account?.push) throw new AppError('ROUTE_NOT_FOUND', 'No push endpoint for this account');
  const verified = openVerified(account.push, request);
  if (verified.kind === 'handshake') return { kind: 'handshake', body: verified.echostr };
  // Two accounts' events are never taken for one (the default account keeps today's keys).
  const opened = account === deps.accounts.default ? verified : { ...verified, dedupeKey: `${account.name}\u0000${verified.dedupeKey}` };
  const { duplicate } = await deps.pushEvents.record(opened, deps.lifecycle.now(), account.name);
  if (!duplicate) deps.acting.add(() => actOnPush(deps, { dedupeKey: opened.dedupeKey, message: opened.message, account: account.name }));
  return { kind: 'received', body: 'success', duplicate };
}

/**
 * Acts on one stored push and marks it processed; never rejects: a failure is logged and leaves
 * the push unprocessed for the sweep. Acting twice is a no-op (the transitions are conditional).
 */
export async function actOnPush(deps: PushDeps, push: StoredPush): Promise<void> {
  const { lifecycle } = deps;
  try {
    if (push.message.kind === 'user_authorize_invoice') await onAuthorizeEvent(lifecycle, push.message, push.account);
    else if (push.message.kind === 'cloud_invoice_invoiceresult_event') await onInvoiceResult(lifecycle, push.message);
    // Other kinds are kept only.
    await deps.pushEvents.markProcessed(push.dedupeKey, lifecycle.now());
  } catch (err) {
    lifecycle.log.error({ err, dedupeKey: push.dedupeKey }, 'acting on a push failed; the sweep will retry it');
    return;
  }
  // The buyer is waiting for the step the push made due.
  deps.onWorkDue?.();
}

/**
 * Acts on pushes stored but never processed (the process died right after answering WeChat).
 * Safe in every process at once: acting on a push twice is a no-op.
 */
export async function sweepPushes(deps: PushDeps): Promise<void> {
  const stale = await deps.pushEvents.unprocessed(new Date(deps.lifecycle.now().getTime() - SWEEP_AFTER_MS), SWEEP_BATCH);
  for (const event of stale) {
    await actOnPush(deps, { dedupeKey: event.dedupeKey, message: event.message as unknown as PushMessage, account: event.account });
  }
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

import type { PushEventRepository } from '../../data/push-event/push-event.repository';
import type { PushMessage } from '../../wechat/push';
import type { LifecycleDeps } from './deps';
import { handlePushMessage } from './push-events';

/** A push waits this long for its own process before the sweeper assumes that process died. */
const SWEEP_AFTER_MS = 10_000;

/** Acts on one stored push and marks it processed. Failures leave it for the sweeper. */
export async function processPush(
  deps: LifecycleDeps,
  pushEvents: PushEventRepository,
  dedupeKey: string,
  message: PushMessage,
  account?: string,
): Promise<void> {
  try {
    await handlePushMessage(deps, message, account);
    await pushEvents.markProcessed(dedupeKey, deps.now());
  } catch (err) {
    deps.log.error({ err, dedupeKey }, 'push processing failed; the sweeper will retry it');
  }
}

/**
 * Pushes stored but never processed (the process crashed right after answering WeChat). Safe to
 * run in every process at once: acting on a push twice is a no-op (conditional transitions).
 */
export async function sweepPushes(deps: LifecycleDeps, pushEvents: PushEventRepository): Promise<void> {
  const stale = await pushEvents.unprocessed(new Date(deps.now().getTime() - SWEEP_AFTER_MS), 50);
  for (const event of stale) await processPush(deps, pushEvents, event.dedupeKey, event.message as unknown as PushMessage, event.account);
}

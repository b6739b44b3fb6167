import crypto from 'node:crypto';
import os from 'node:os';
import type { OutboxRepository } from '../data/outbox/outbox.repository';
import type { OutboxDoc } from '../data/outbox/outbox.schema';
import { withLogContext, type Logger } from '../logger';

/** What one delivery attempt came to. `permanent`: never try again (e.g. an address refused). */
export type Delivery = { ok: true; detail: string } | { ok: false; permanent: boolean; detail: string };

interface DeliveryPolicy {
  /** First retry after this, doubling (±25 % jitter)… */
  retryBaseMs: number;
  /** …up to this. */
  retryMaxMs: number;
  /** After this many failed attempts the message is marked failed. */
  maxAttempts: number;
}

export interface Outbox<P> {
  /** For logs and metrics: "email", "alert". */
  name: string;
  repository: OutboxRepository<P>;
  deliver(message: OutboxDoc<P>): Promise<Delivery>;
  policy: DeliveryPolicy;
  /** Log fields of a message (its invoice request and order, its incident). */
  logFields(message: OutboxDoc<P>): Record<string, unknown>;
  /** Told about each attempt's outcome (metrics). */
  onAttempt?: ((outcome: 'sent' | 'retry' | 'bounced' | 'failed', message: OutboxDoc<P>) => void) | undefined;
}

export interface RunningDelivery {
  /** Stops claiming and waits for the messages in hand. */
  stop(): Promise<void>;
}

/**
 * Delivers an outbox's messages, in every process that runs it: claim the most overdue pending
 * message with a lease, deliver it, record the attempt. Runs on its own timer, apart from the
 * invoice worker, so a slow or dead receiver (SMTP down, a webhook timing out) never delays issuing.
 * A process that dies mid-delivery leaves a lease that expires; another process delivers again
 * (at least once: an email carries a stable Message-ID, an alert its incident key, for receivers
 * that de-duplicate).
 */
export function startDelivery<P>(
  outbox: Outbox<P>,
  options: { idleMs: number; leaseMs: number; log: Logger; now?: () => Date; random?: () => number },
): RunningDelivery {
  const owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  let stopping = false;
  let cancelSleep: (() => void) | undefined;

  async function deliverOne(): Promise<boolean> {
    const message = await outbox.repository.claimDue(owner, now(), options.leaseMs);
    if (!message) return false;
    await withLogContext(outbox.logFields(message), async () => {
      let result: Delivery;
      try {
        result = await outbox.deliver(message);
      } catch (err) {
        result = { ok: false, permanent: false, detail: err instanceof Error ? err.message : String(err) };
      }
      const at = now();
      const attempts = message.attempts + 1;
      if (result.ok) {
        await outbox.repository.settle(message._id, owner, { outcome: 'sent', detail: result.detail, at });
        outbox.onAttempt?.('sent', message);
        options.log.info({ outbox: outbox.name, id: message._id, attempts }, `${outbox.name} delivered`);
        return;
      }
      const outcome = result.permanent ? 'bounced' : attempts >= outbox.policy.maxAttempts ? 'failed' : 'retry';
      const nextAttemptAt = outcome === 'retry' ? new Date(at.getTime() + retryDelay(outbox.policy, attempts, random)) : undefined;
      await outbox.repository.settle(message._id, owner, { outcome, detail: result.detail, at, nextAttemptAt });
      outbox.onAttempt?.(outcome, message);
      const text = outcome === 'retry' ? 'delivery failed; will retry' : outcome === 'bounced' ? 'refused for good; not retried' : 'delivery failed; gave up';
      options.log.warn({ outbox: outbox.name, id: message._id, attempts, detail: result.detail, nextAttemptAt }, `${outbox.name} ${text}`);
    });
    return true;
  }

  const loop = (async () => {
    while (!stopping) {
      let worked = false;
      try {
        worked = await deliverOne();
      } catch (err) {
        options.log.error({ err, outbox: outbox.name }, 'outbox: claim or record failed');
      }
      if (worked || stopping) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.idleMs);
        cancelSleep = () => (clearTimeout(timer), resolve());
      });
      cancelSleep = undefined;
    }
  })();

  return {
    async stop() {
      stopping = true;
      cancelSleep?.();
      await loop;
    },
  };
}

function retryDelay(policy: DeliveryPolicy, attempts: number, random: () => number): number {
  const base = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.min(attempts - 1, 30));
  return Math.round(base * (0.75 + random() * 0.5));
}

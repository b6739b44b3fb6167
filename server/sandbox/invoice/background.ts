import type { SandboxContext } from '../context';
import { PushDeliverer } from '../push/deliver';
import { announceResults, issueDueInvoices } from './issuer';

export interface Background {
  /** Stops the loop, abandons push attempts in flight (they are retried later) and waits for it all. */
  stop(): Promise<void>;
}

/**
 * The sandbox's one background loop, every `workerPollMs`: issue due invoices, announce finished
 * ones, start due push attempts. Everything it works on is in MongoDB with a due time and a lease,
 * so a restarted sandbox (or another one on the same database) carries on where this one stopped.
 */
export function startBackground(sb: SandboxContext, log: (msg: string, err?: unknown) => void): Background {
  const deliverer = new PushDeliverer(sb, log);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const tick = async () => {
    try {
      await issueDueInvoices(sb);
      await announceResults(sb);
      await deliverer.tick();
    } catch (err) {
      log('sandbox: background work failed', err);
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = tick().finally(() => {
        running = undefined;
        schedule();
      });
    }, sb.settings.workerPollMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await deliverer.stop();
    },
  };
}

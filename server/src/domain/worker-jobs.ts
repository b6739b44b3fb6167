import { sendCallbacks } from './lifecycle/callbacks';
import type { LifecycleDeps } from './lifecycle/deps';
import { queueForgottenCopies } from './lifecycle/issuing';
import { sweepPostPayments } from './lifecycle/post-payment';
import { sweepPushes, type PushDeps } from './pushes';

/** Work the invoice worker runs every `everyMs` besides claiming due requests; its name is in its logs. */
export interface WorkerJob {
  name: string;
  everyMs: number;
  run(): Promise<void>;
}

/** How often each process runs the sweeps below. */
export const SWEEP_EVERY_MS = 5_000;

/**
 * The worker's jobs besides claiming due requests: each catches up on work a process that died
 * left behind, or on a delivery that failed. Every process runs them; each is safe to run twice.
 */
export function workerJobs(lifecycle: LifecycleDeps, pushes: PushDeps): WorkerJob[] {
  return [
    { name: 'sweep unprocessed pushes', everyMs: SWEEP_EVERY_MS, run: () => sweepPushes(pushes) },
    { name: 'match post-payment authorizations', everyMs: SWEEP_EVERY_MS, run: () => sweepPostPayments(lifecycle) },
    { name: 'send channel callbacks', everyMs: SWEEP_EVERY_MS, run: () => sendCallbacks(lifecycle) },
    { name: 'queue forgotten email copies', everyMs: SWEEP_EVERY_MS, run: () => queueForgottenCopies(lifecycle, SWEEP_EVERY_MS) },
  ];
}

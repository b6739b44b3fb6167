import type { InvoiceState } from '@fapiao/shared';
import type { ReconcileVerdict } from '@fapiao/shared/contract';

// The verdicts are part of the API contract (shared/src/contract/admin-jobs.ts).
export { RECONCILE_VERDICTS, type ReconcileVerdict } from '@fapiao/shared/contract';

/**
 * One reconcile of a period, run by a server process in the background: what the console shows
 * to every staff member, across reloads. `heartbeatAt` moves with every request checked; a run
 * whose heartbeat stopped (its process died) is shown as interrupted and its period may run again.
 */
export interface ReconcileRunDoc {
  _id: string;
  /** created at or after (inclusive) … */
  from: Date;
  /** … and before (exclusive). */
  to: Date;
  status: 'running' | 'done' | 'failed';
  startedBy: string;
  startedAt: Date;
  heartbeatAt: Date;
  finishedAt?: Date;
  total: number;
  done: number;
  counts: Record<ReconcileVerdict, number>;
  /** Requests flagged as needing attention when the run finished (any state, any age). */
  attention?: number;
  error?: string;
}

/** One request's finding, in the order checked. */
export interface ReconcileRowDoc {
  runId: string;
  seq: number;
  requestId: string;
  orderNo: string;
  status: InvoiceState;
  verdict: ReconcileVerdict;
  detail: string;
  code?: string;
}

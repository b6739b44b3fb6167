import type { InvoiceState } from '@fapiao/shared';
import { Schema, type Connection, type Model } from 'mongoose';

export type ReconcileVerdict = 'ok' | 'mismatch' | 'stuck' | 'moved' | 'unchecked';
export const RECONCILE_VERDICTS: readonly ReconcileVerdict[] = ['ok', 'mismatch', 'stuck', 'moved', 'unchecked'];

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

/** "This period is being reconciled by that run": one document per period, taken by insert. */
interface ReconcileLockDoc {
  _id: string;
  runId: string;
  heartbeatAt: Date;
}

/** Runs and their findings are kept this long (the report stays downloadable for a quarter). */
const KEEP_DAYS = 92;
const ttl = KEEP_DAYS * 24 * 3600;

const counts = new Schema(Object.fromEntries(RECONCILE_VERDICTS.map((v) => [v, { type: Number, default: 0 }])), { _id: false });
const runSchema = new Schema<ReconcileRunDoc>(
  {
    _id: { type: String, required: true },
    from: { type: Date, required: true },
    to: { type: Date, required: true },
    status: { type: String, required: true },
    startedBy: { type: String, required: true },
    startedAt: { type: Date, required: true },
    heartbeatAt: { type: Date, required: true },
    finishedAt: Date,
    total: { type: Number, required: true },
    done: { type: Number, required: true },
    counts: { type: counts, required: true },
    attention: Number,
    error: String,
  },
  { collection: 'reconcile_runs', versionKey: false },
);
runSchema.index({ startedAt: -1 });
runSchema.index({ startedAt: 1 }, { expireAfterSeconds: ttl, name: 'ttl' });

const rowSchema = new Schema<ReconcileRowDoc>(
  {
    runId: { type: String, required: true },
    seq: { type: Number, required: true },
    requestId: { type: String, required: true },
    orderNo: { type: String, required: true },
    status: { type: String, required: true },
    verdict: { type: String, required: true },
    detail: { type: String, default: '' },
    code: String,
  },
  { collection: 'reconcile_run_rows', versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
rowSchema.index({ runId: 1, seq: 1 }, { unique: true });
rowSchema.index({ createdAt: 1 }, { expireAfterSeconds: ttl });

const lockSchema = new Schema<ReconcileLockDoc>(
  { _id: { type: String, required: true }, runId: { type: String, required: true }, heartbeatAt: { type: Date, required: true } },
  { collection: 'reconcile_locks', versionKey: false },
);

export interface ReconcileRunModels {
  runs: Model<ReconcileRunDoc>;
  rows: Model<ReconcileRowDoc>;
  locks: Model<ReconcileLockDoc>;
}

export function reconcileRunModels(db: Connection): ReconcileRunModels {
  return {
    runs: (db.models.ReconcileRun as Model<ReconcileRunDoc> | undefined) ?? db.model<ReconcileRunDoc>('ReconcileRun', runSchema),
    rows: (db.models.ReconcileRow as Model<ReconcileRowDoc> | undefined) ?? db.model<ReconcileRowDoc>('ReconcileRow', rowSchema),
    locks: (db.models.ReconcileLock as Model<ReconcileLockDoc> | undefined) ?? db.model<ReconcileLockDoc>('ReconcileLock', lockSchema),
  };
}

export interface ReconcileRunRepository {
  /**
   * Takes the period for `runId`: true when it was free, or its holder's heartbeat is older than
   * `staleBefore` (that process died); otherwise the id of the run holding it.
   */
  lockPeriod(period: string, runId: string, now: Date, staleBefore: Date): Promise<true | string>;
  unlockPeriod(period: string, runId: string): Promise<void>;
  create(run: ReconcileRunDoc): Promise<void>;
  findById(id: string): Promise<ReconcileRunDoc | null>;
  recent(limit: number): Promise<ReconcileRunDoc[]>;
  /** Stores one finding and counts it in the run's progress (and keeps the period's lock alive). */
  addRow(row: ReconcileRowDoc, now: Date): Promise<void>;
  finish(id: string, outcome: { status: 'done' | 'failed'; attention?: number; error?: string }, now: Date): Promise<void>;
  rows(runId: string, filter: { verdictNot?: ReconcileVerdict }, limit: number): Promise<ReconcileRowDoc[]>;
}

const DUPLICATE_KEY = 11000;

export function reconcileRunRepository(models: ReconcileRunModels): ReconcileRunRepository {
  const { runs, rows, locks } = models;
  return {
    async lockPeriod(period, runId, now, staleBefore) {
      try {
        await locks.create({ _id: period, runId, heartbeatAt: now });
        return true;
      } catch (err) {
        if ((err as { code?: unknown }).code !== DUPLICATE_KEY) throw err;
      }
      const taken = await locks.findOneAndUpdate({ _id: period, heartbeatAt: { $lt: staleBefore } }, { $set: { runId, heartbeatAt: now } }, { returnDocument: 'after' }).lean();
      if (taken) return true;
      const holder = await locks.findById(period).lean();
      return holder?.runId ?? 'unknown';
    },
    async unlockPeriod(period, runId) {
      await locks.deleteOne({ _id: period, runId });
    },
    async create(run) {
      await runs.create(run);
    },
    findById: (id) => runs.findById(id).lean<ReconcileRunDoc>(),
    recent: (limit) => runs.find().sort({ startedAt: -1 }).limit(limit).lean<ReconcileRunDoc[]>(),
    async addRow(row, now) {
      // Unique by (runId, seq): a row written twice counts once.
      try {
        await rows.create(row);
      } catch (err) {
        if ((err as { code?: unknown }).code === DUPLICATE_KEY) return;
        throw err;
      }
      await runs.updateOne({ _id: row.runId }, { $inc: { done: 1, [`counts.${row.verdict}`]: 1 }, $set: { heartbeatAt: now } });
      await locks.updateOne({ runId: row.runId }, { $set: { heartbeatAt: now } });
    },
    async finish(id, outcome, now) {
      await runs.updateOne({ _id: id, status: 'running' }, { $set: { ...outcome, finishedAt: now, heartbeatAt: now } });
    },
    rows: (runId, filter, limit) =>
      rows
        .find({ runId, ...(filter.verdictNot ? { verdict: { $ne: filter.verdictNot } } : {}) }, { _id: 0, createdAt: 0 })
        .sort({ seq: 1 })
        .limit(limit)
        .lean<ReconcileRowDoc[]>(),
  };
}

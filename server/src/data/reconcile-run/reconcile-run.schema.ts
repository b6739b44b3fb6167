import { Schema, type Connection, type Model } from 'mongoose';
import { RECONCILE_VERDICTS, type ReconcileRowDoc, type ReconcileRunDoc } from '../../domain/entities/reconcile-run';

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

import type { ReconcileRowDoc, ReconcileRunDoc, ReconcileVerdict } from '../../domain/entities/reconcile-run';
import { isDuplicateKey } from '../mongo-errors';
import type { ReconcileRunModels } from './reconcile-run.schema';

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

export function reconcileRunRepository(models: ReconcileRunModels): ReconcileRunRepository {
  const { runs, rows, locks } = models;
  return {
    async lockPeriod(period, runId, now, staleBefore) {
      try {
        await locks.create({ _id: period, runId, heartbeatAt: now });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
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
        if (isDuplicateKey(err)) return;
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

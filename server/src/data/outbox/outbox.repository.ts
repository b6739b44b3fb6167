import type { OutboxDoc, OutboxModel } from './outbox.schema';

type DeliveryOutcome = OutboxDoc['log'][number]['outcome'];

export interface OutboxRepository<P = Record<string, unknown>> {
  /** Stores the message under its key unless one is there already; true when it is new. */
  enqueue(id: string, payload: P, now: Date): Promise<boolean>;
  /** Leases the most overdue pending message, if any. */
  claimDue(owner: string, now: Date, leaseMs: number): Promise<OutboxDoc<P> | null>;
  /** Records an attempt and gives the lease back: `nextAttemptAt` for a retry, none when settled. */
  settle(id: string, owner: string, attempt: { outcome: DeliveryOutcome; detail: string; at: Date; nextAttemptAt?: Date | undefined }): Promise<void>;
  findById(id: string): Promise<OutboxDoc<P> | null>;
  list(filter: { status?: OutboxDoc['status'] | undefined }, limit: number): Promise<OutboxDoc<P>[]>;
  countPending(): Promise<number>;
}

/** At most this many attempts are kept in a message's log (the latest). */
const LOG_LIMIT = 20;

export function outboxRepository<P = Record<string, unknown>>(model: OutboxModel): OutboxRepository<P> {
  return {
    async enqueue(id, payload, now) {
      const result = await model.updateOne(
        { _id: id },
        { $setOnInsert: { status: 'pending', payload, createdAt: now, attempts: 0, nextAttemptAt: now, log: [] } },
        { upsert: true },
      );
      return result.upsertedCount === 1;
    },

    claimDue: (owner, now, leaseMs) =>
      model
        .findOneAndUpdate(
          { status: 'pending', nextAttemptAt: { $lte: now }, 'lease.until': { $not: { $gt: now } } },
          { $set: { lease: { owner, until: new Date(now.getTime() + leaseMs) } } },
          { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
        )
        .lean<OutboxDoc<P>>(),

    async settle(id, owner, attempt) {
      const status = attempt.outcome === 'retry' ? 'pending' : attempt.outcome;
      const set: Record<string, unknown> = { status };
      const unset: Record<string, 1> = { lease: 1 };
      if (attempt.outcome === 'sent') set.sentAt = attempt.at;
      else set.lastError = { message: attempt.detail, at: attempt.at };
      if (attempt.nextAttemptAt) set.nextAttemptAt = attempt.nextAttemptAt;
      else unset.nextAttemptAt = 1;
      await model.updateOne(
        { _id: id, 'lease.owner': owner },
        { $set: set, $unset: unset, $inc: { attempts: 1 }, $push: { log: { $each: [{ at: attempt.at, outcome: attempt.outcome, detail: attempt.detail }], $slice: -LOG_LIMIT } } },
      );
    },

    findById: (id) => model.findById(id).lean<OutboxDoc<P>>(),

    list(filter, limit) {
      return model
        .find(filter.status ? { status: filter.status } : {})
        .sort({ createdAt: -1 })
        .limit(limit)
        .lean<OutboxDoc<P>[]>();
    },

    countPending: () => model.countDocuments({ status: 'pending' }),
  };
}

import { nextState, type InvoiceEvent, type InvoiceState } from '@fapiao/shared';
import type { UpdateQuery } from 'mongoose';
import type { InvoiceRequestDoc, InvoiceRequestModel } from './invoice-request.schema';

/** Fields a transition may set besides the status (never `status` or `history` themselves). */
export type TransitionPatch = Partial<Omit<InvoiceRequestDoc, '_id' | 'status' | 'history'>>;

export interface TransitionInput {
  id: string;
  from: InvoiceState;
  event: InvoiceEvent;
  by: string;
  at: Date;
  detail?: string;
  set?: TransitionPatch;
  unset?: (keyof TransitionPatch)[];
}

export interface InvoiceRequestRepository {
  create(doc: InvoiceRequestDoc): Promise<void>;
  findById(id: string): Promise<InvoiceRequestDoc | null>;
  findByWxOrderId(wxOrderId: string): Promise<InvoiceRequestDoc | null>;
  findByFpqqlsh(fpqqlsh: string): Promise<InvoiceRequestDoc | null>;
  /**
   * Moves a request from `from` by `event` (target from the shared state table), as one
   * conditional update that appends to history. Null when the request was no longer in `from`:
   * someone else got there first, and the caller must not act again.
   */
  transition(input: TransitionInput): Promise<InvoiceRequestDoc | null>;
  /** Updates fields only while the request is still in `status` (no state change). */
  updateIn(id: string, status: InvoiceState, update: UpdateQuery<InvoiceRequestDoc>): Promise<InvoiceRequestDoc | null>;
  /** Atomically leases the request whose action is most overdue, if any. */
  claimDue(owner: string, now: Date, leaseMs: number): Promise<InvoiceRequestDoc | null>;
  /** Gives the lease back and says when to look again (undefined: nothing left to do). */
  release(id: string, owner: string, next: { nextActionAt?: Date; attempts: number }): Promise<void>;
  list(filter: { status?: InvoiceState; orderNo?: string; openid?: string }, limit: number): Promise<InvoiceRequestDoc[]>;
}

export function invoiceRequestRepository(model: InvoiceRequestModel): InvoiceRequestRepository {
  return {
    async create(doc) {
      await model.create(doc);
    },
    findById: (id) => model.findById(id).lean<InvoiceRequestDoc>(),
    findByWxOrderId: (wxOrderId) => model.findOne({ wxOrderId }).lean<InvoiceRequestDoc>(),
    findByFpqqlsh: (fpqqlsh) => model.findOne({ $or: [{ fpqqlsh }, { 'offset.fpqqlsh': fpqqlsh }] }).lean<InvoiceRequestDoc>(),

    async transition({ id, from, event, by, at, detail, set, unset }) {
      const to = nextState(from, event);
      if (!to) throw new Error(`illegal transition: ${from} --${event}-->`);
      const update: UpdateQuery<InvoiceRequestDoc> = {
        $set: { ...set, status: to },
        $push: { history: { from, to, event, at, by, ...(detail ? { detail } : {}) } },
      };
      if (unset?.length) update.$unset = Object.fromEntries(unset.map((key) => [key, 1]));
      return model.findOneAndUpdate({ _id: id, status: from }, update, { returnDocument: 'after' }).lean<InvoiceRequestDoc>();
    },

    updateIn: (id, status, update) =>
      model.findOneAndUpdate({ _id: id, status }, update, { returnDocument: 'after' }).lean<InvoiceRequestDoc>(),

    claimDue(owner, now, leaseMs) {
      return model
        .findOneAndUpdate(
          // A missing lease and an expired one both match `not until > now`.
          { nextActionAt: { $lte: now }, 'lease.until': { $not: { $gt: now } } },
          { $set: { lease: { owner, until: new Date(now.getTime() + leaseMs) } } },
          { sort: { nextActionAt: 1 }, returnDocument: 'after' },
        )
        .lean<InvoiceRequestDoc>();
    },

    async release(id, owner, next) {
      const update: UpdateQuery<InvoiceRequestDoc> = { $unset: { lease: 1 }, $set: { attempts: next.attempts } };
      if (next.nextActionAt) (update.$set as Record<string, unknown>).nextActionAt = next.nextActionAt;
      else (update.$unset as Record<string, unknown>).nextActionAt = 1;
      await model.updateOne({ _id: id, 'lease.owner': owner }, update);
    },

    list(filter, limit) {
      const query: Record<string, unknown> = {};
      if (filter.status) query.status = filter.status;
      if (filter.orderNo) query.orderNo = filter.orderNo;
      if (filter.openid) query.openid = filter.openid;
      return model.find(query).sort({ createdAt: -1 }).limit(limit).lean<InvoiceRequestDoc[]>();
    },
  };
}

import { nextState, type InvoiceEvent, type InvoiceState } from '@fapiao/shared';
import type { UpdateQuery } from 'mongoose';
import type { InvoiceRequestModel } from './invoice-request.schema';
import type { Attention, InvoiceRequestDoc, InvoiceTitle, IssuedInvoice, Looks, WeChatAnswer } from '../../domain/entities/invoice-request';

/** Fields a transition may set besides the status (never `status` or `history` themselves). */
type TransitionPatch = Partial<Omit<InvoiceRequestDoc, '_id' | 'status' | 'history'>>;

interface TransitionInput {
  id: string;
  from: InvoiceState;
  event: InvoiceEvent;
  by: string;
  at: Date;
  detail?: string;
  set?: TransitionPatch;
  unset?: (keyof TransitionPatch)[];
}

export interface InvoiceRequestListFilter {
  status?: InvoiceState | undefined;
  /** Only the requests flagged as needing attention. */
  attention?: boolean | undefined;
  orderNo?: string | undefined;
  openid?: string | undefined;
  createdFrom?: Date | undefined;
  createdBefore?: Date | undefined;
  /** Part of the buyer's title (invoice header), any case. */
  titleContains?: string | undefined;
  /** The buyer's tax number, exactly. */
  taxNumber?: string | undefined;
  /** The last request of the previous page. */
  after?: { createdAt: Date; id: string } | undefined;
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
  /** ISSUED by the query's numbers, from ISSUING (a transition); `copyPending` when an emailed copy is due with it. */
  markIssued(id: string, issued: { invoice: IssuedInvoice; copyPending: boolean; at: Date }): Promise<InvoiceRequestDoc | null>;
  /**
   * Whether makeoutinvoice/clearoutinvoice may have happened (set before the call, cleared once it
   * was answered), while the request is still in `status`.
   */
  markOutcomeUnknown(id: string, status: 'ISSUING' | 'OFFSETTING', unknown: boolean): Promise<void>;
  /** The emailed copy of an ISSUED request is in the outbox: the sweep need not queue it. */
  markCopyQueued(id: string): Promise<void>;
  /**
   * The buyer asked again before authorizing (still AUTH_PENDING): the new type, deadline and
   * channel details replace the old; without a title the old one is dropped. Null when it moved on.
   */
  renewAuthorization(id: string, renewal: AuthorizationRenewal): Promise<InvoiceRequestDoc | null>;
  /** Atomically leases the request whose action is most overdue, if any. */
  claimDue(owner: string, now: Date, leaseMs: number): Promise<InvoiceRequestDoc | null>;
  /**
   * Gives the lease back and says when to look again (undefined: nothing left to do). If an
   * event asked for a look (`wake`) while the lease was held, the next look is now instead.
   */
  /** Lets go of a lease held by `owner`; answers the request's state (undefined: not held by `owner`). */
  release(id: string, owner: string, next: ReleaseNext, now: Date): Promise<InvoiceState | undefined>;
  /** Sets the needs-attention flag while the request is still in `status`; stops the worker's looks. */
  flagAttention(id: string, status: InvoiceState, attention: Attention): Promise<boolean>;
  /** Clears the flag (an admin action), restarting the state's limits at `now`; false when it was not set. */
  clearAttention(id: string, now: Date): Promise<boolean>;
  /** Asks the worker to look at the request now, if it is still in `status`. */
  wake(id: string, status: InvoiceState, now: Date): Promise<boolean>;
  /**
   * Requests newest first (`createdAt`, then `_id`, both descending: a total order, so paging
   * never skips or repeats requests created in the same millisecond). `createdFrom` is inclusive,
   * `createdBefore` exclusive; `after` continues strictly after that request in this order.
   */
  list(filter: InvoiceRequestListFilter, limit: number): Promise<InvoiceRequestDoc[]>;
  /**
   * Removes a request that never left its creation (getauthurl failed, so WeChat never knew of
   * it). True when removed.
   */
  deleteUnseen(id: string): Promise<boolean>;
  /**
   * Leases a request for an ops action while it is in one of `statuses` and nobody holds it, so
   * the worker cannot act on it meanwhile. Null when it is elsewhere or busy.
   */
  leaseIn(id: string, statuses: InvoiceState[], owner: string, now: Date, leaseMs: number): Promise<InvoiceRequestDoc | null>;
  /** Records the buyer's openid WeChat named (authorization push) on a request that had none, in any state. */
  learnOpenid(id: string, openid: string): Promise<InvoiceRequestDoc | null>;
  /** Requests with a callback whose current state (one of `states`) it was not told yet, and has not given up on. */
  callbacksDue(states: readonly InvoiceState[], maxFailures: number, limit: number): Promise<InvoiceRequestDoc[]>;
  /** Records a callback attempt for `status`: told (ok) or one more failure. */
  recordCallback(id: string, status: InvoiceState, outcome: { ok: true } | { ok: false; error: string }): Promise<void>;
  /** ISSUED requests (created before `before`) whose emailed copy is not queued yet. Queueing twice is harmless. */
  findCopyPending(before: Date, limit: number): Promise<InvoiceRequestDoc[]>;
  /** How many requests are in each state (states without any are absent): the metrics gauge. */
  countByStatus(): Promise<Partial<Record<InvoiceState, number>>>;
  /** How many requests are flagged as needing a human. */
  countNeedingAttention(): Promise<number>;
}

interface AuthorizationRenewal {
  type: 0 | 1;
  authDeadline: Date;
  title?: InvoiceTitle | undefined;
  openid?: string | undefined;
  redirectUrl?: string | undefined;
  callbackUrl?: string | undefined;
}

interface ReleaseNext {
  nextActionAt?: Date | undefined;
  attempts: number;
  /** The worker's look count in the state it looked in. */
  looks?: Looks | undefined;
  /** WeChat's latest answers (the caller keeps the last few). */
  answers?: WeChatAnswer[] | undefined;
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

    markIssued(id, { invoice, copyPending, at }) {
      return this.transition({
        id,
        from: 'ISSUING',
        event: 'issued',
        by: 'worker',
        at,
        set: { invoice, attempts: 0, ...(copyPending ? { copyPending: true } : {}) },
        unset: ['outcomeUnknown', 'lastError'],
      });
    },

    async markOutcomeUnknown(id, status, unknown) {
      await model.updateOne({ _id: id, status }, { $set: { outcomeUnknown: unknown } });
    },

    async markCopyQueued(id) {
      await model.updateOne({ _id: id, status: 'ISSUED' }, { $unset: { copyPending: 1 } });
    },

    renewAuthorization(id, renewal) {
      const { type, authDeadline, title, openid, redirectUrl, callbackUrl } = renewal;
      const $set: Record<string, unknown> = { type, authDeadline };
      if (title) $set.title = title;
      if (openid) $set.openid = openid;
      if (redirectUrl) $set.redirectUrl = redirectUrl;
      if (callbackUrl) $set['callback.url'] = callbackUrl;
      const update: UpdateQuery<InvoiceRequestDoc> = title ? { $set } : { $set, $unset: { title: 1 } };
      return model.findOneAndUpdate({ _id: id, status: 'AUTH_PENDING' }, update, { returnDocument: 'after' }).lean<InvoiceRequestDoc>();
    },

    claimDue(owner, now, leaseMs) {
      return model
        .findOneAndUpdate(
          // A missing lease and an expired one both match `not until > now`.
          { nextActionAt: { $lte: now }, 'lease.until': { $not: { $gt: now } } },
          // A wake asked before this claim is answered by it: only one during the lease means "again".
          { $set: { lease: { owner, until: new Date(now.getTime() + leaseMs) } }, $unset: { wake: 1 } },
          { sort: { nextActionAt: 1 }, returnDocument: 'after' },
        )
        .lean<InvoiceRequestDoc>();
    },

    async release(id, owner, next, now) {
      const update: UpdateQuery<InvoiceRequestDoc> = {
        $unset: { lease: 1, wake: 1 },
        $set: { attempts: next.attempts, ...(next.looks ? { looks: next.looks } : {}), ...(next.answers ? { answers: next.answers } : {}) },
      };
      if (next.nextActionAt) (update.$set as Record<string, unknown>).nextActionAt = next.nextActionAt;
      else (update.$unset as Record<string, unknown>).nextActionAt = 1;
      const before = await model.findOneAndUpdate({ _id: id, 'lease.owner': owner }, update, { returnDocument: 'before' }).lean<InvoiceRequestDoc>();
      if (before?.wake) await model.updateOne({ _id: id, lease: { $exists: false } }, { $set: { nextActionAt: now } });
      return before?.status;
    },

    async flagAttention(id, status, attention) {
      const result = await model.updateOne({ _id: id, status }, { $set: { attention, needsAttention: true }, $unset: { nextActionAt: 1 } });
      return result.matchedCount === 1;
    },

    async clearAttention(id, now) {
      const flagged = await model.findOne({ _id: id, needsAttention: true }, { status: 1 }).lean<Pick<InvoiceRequestDoc, 'status'>>();
      if (!flagged) return false;
      const result = await model.updateOne(
        { _id: id, needsAttention: true },
        { $unset: { attention: 1, needsAttention: 1 }, $set: { looks: { state: flagged.status, n: 0, since: now } } },
      );
      return result.modifiedCount === 1;
    },

    async wake(id, status, now) {
      const result = await model.updateOne({ _id: id, status }, { $set: { nextActionAt: now, wake: true } });
      return result.matchedCount === 1;
    },

    async deleteUnseen(id) {
      const result = await model.deleteOne({ _id: id, status: 'AUTH_PENDING', 'history.1': { $exists: false } });
      return result.deletedCount === 1;
    },

    leaseIn: (id, statuses, owner, now, leaseMs) =>
      model
        .findOneAndUpdate(
          { _id: id, status: { $in: statuses }, 'lease.until': { $not: { $gt: now } } },
          { $set: { lease: { owner, until: new Date(now.getTime() + leaseMs) } } },
          { returnDocument: 'after' },
        )
        .lean<InvoiceRequestDoc>(),

    learnOpenid: (id, openid) =>
      model.findOneAndUpdate({ _id: id, openid: { $exists: false } }, { $set: { openid } }, { returnDocument: 'after' }).lean<InvoiceRequestDoc>(),

    callbacksDue: (states, maxFailures, limit) =>
      model
        .find({
          'callback.url': { $exists: true },
          'callback.failures': { $not: { $gte: maxFailures } },
          $or: states.map((status) => ({ status, 'callback.sentStatus': { $ne: status } })),
        })
        .limit(limit)
        .lean<InvoiceRequestDoc[]>(),

    async recordCallback(id, status, outcome) {
      const update = outcome.ok
        ? { $set: { 'callback.sentStatus': status, 'callback.failures': 0 }, $unset: { 'callback.lastError': 1 } }
        : { $inc: { 'callback.failures': 1 }, $set: { 'callback.lastError': outcome.error } };
      await model.updateOne({ _id: id, status }, update);
    },
    findCopyPending: (before, limit) =>
      model.find({ copyPending: true, status: 'ISSUED', createdAt: { $lt: before } }).limit(limit).lean<InvoiceRequestDoc[]>(),

    async countByStatus() {
      const rows = await model.aggregate<{ _id: InvoiceState; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
      return Object.fromEntries(rows.map((row) => [row._id, row.n]));
    },
    countNeedingAttention: () => model.countDocuments({ needsAttention: true }),

    list(filter, limit) {
      const query: Record<string, unknown> = {};
      if (filter.status) query.status = filter.status;
      if (filter.attention) query.needsAttention = true;
      if (filter.orderNo) query.orderNo = filter.orderNo;
      if (filter.openid) query.openid = filter.openid;
      if (filter.titleContains) query['title.name'] = { $regex: filter.titleContains.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
      if (filter.taxNumber) query['title.taxNumber'] = filter.taxNumber;
      const createdAt: Record<string, Date> = {};
      if (filter.createdFrom) createdAt.$gte = filter.createdFrom;
      if (filter.createdBefore) createdAt.$lt = filter.createdBefore;
      if (filter.after) {
        const { createdAt: t, id } = filter.after;
        // The bound on createdAt alone narrows the index scan; the $or only sorts out equal times.
        createdAt.$lte = t;
        query.$or = [{ createdAt: { $lt: t } }, { createdAt: t, _id: { $lt: id } }];
      }
      if (Object.keys(createdAt).length) query.createdAt = createdAt;
      return model.find(query).sort({ createdAt: -1, _id: -1 }).limit(limit).lean<InvoiceRequestDoc[]>();
    },
  };
}

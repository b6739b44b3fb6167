import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A post-payment authorization (WeChat Pay receipt=Y, the buyer tapped 开发票) for an order Fapiao
 * did not have when the push came. Kept, never dropped: it is matched when the order is imported
 * within the match window, and listed for ops otherwise.
 */
export interface PostPaymentDoc {
  /** `<appid>:<order id>`: WeChat authorizes an order once per account. */
  _id: string;
  /** The order number WeChat named (SuccOrderId): the payment's out_trade_no. */
  orderId: string;
  /** AuthorizeAppId, or the account the push came to. */
  appid: string;
  account?: string;
  source?: string;
  /** FromUserName: the buyer's openid under that account. */
  openid: string;
  receivedAt: Date;
  status: 'waiting' | 'matched' | 'conflict';
  matchedAt?: Date;
  requestId?: string;
  /** Why it could not be matched although the order exists (the order already has a request). */
  note?: string;
}

const schema = new Schema<PostPaymentDoc>(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    appid: { type: String, required: true },
    account: String,
    source: String,
    openid: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    status: { type: String, required: true },
    matchedAt: Date,
    requestId: String,
    note: String,
  },
  { collection: 'post_payment_authorizations', _id: false },
);
// An imported order looks for its waiting authorization.
schema.index({ orderId: 1, status: 1 });
// Ops' lists and the sweep: by state, oldest first.
schema.index({ status: 1, receivedAt: 1 });

export type PostPaymentModel = Model<PostPaymentDoc>;

export function postPaymentModel(db: Connection): PostPaymentModel {
  return (db.models.PostPayment as PostPaymentModel | undefined) ?? db.model<PostPaymentDoc>('PostPayment', schema);
}

export interface PostPaymentRepository {
  /** Stores it unless already kept (WeChat resends pushes); returns the stored one. */
  keep(doc: PostPaymentDoc): Promise<PostPaymentDoc>;
  waitingFor(orderId: string): Promise<PostPaymentDoc[]>;
  /** Moves it out of `waiting` once; false when someone else did. */
  settle(id: string, status: 'matched' | 'conflict', set: { requestId?: string; note?: string; at: Date }): Promise<boolean>;
  /** Oldest first. */
  list(status: PostPaymentDoc['status'], receivedBefore: Date | undefined, receivedFrom: Date | undefined, limit: number): Promise<PostPaymentDoc[]>;
}

export function postPaymentRepository(model: PostPaymentModel): PostPaymentRepository {
  return {
    async keep(doc) {
      try {
        await model.create(doc);
        return doc;
      } catch (err) {
        if ((err as { code?: unknown }).code !== 11000) throw err;
        return (await model.findById(doc._id).lean<PostPaymentDoc>()) ?? doc;
      }
    },
    waitingFor: (orderId) => model.find({ orderId, status: 'waiting' }).sort({ receivedAt: 1 }).lean<PostPaymentDoc[]>(),
    async settle(id, status, set) {
      const result = await model.updateOne(
        { _id: id, status: 'waiting' },
        { $set: { status, matchedAt: set.at, ...(set.requestId ? { requestId: set.requestId } : {}), ...(set.note ? { note: set.note } : {}) } },
      );
      return result.modifiedCount === 1;
    },
    list(status, receivedBefore, receivedFrom, limit) {
      const receivedAt: Record<string, Date> = {};
      if (receivedBefore) receivedAt.$lt = receivedBefore;
      if (receivedFrom) receivedAt.$gte = receivedFrom;
      return model
        .find({ status, ...(Object.keys(receivedAt).length ? { receivedAt } : {}) })
        .sort({ receivedAt: 1 })
        .limit(limit)
        .lean<PostPaymentDoc[]>();
    },
  };
}

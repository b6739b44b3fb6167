import type { PostPaymentDoc } from '../../domain/entities/post-payment';
import type { PostPaymentModel } from './post-payment.schema';
import { isDuplicateKey } from '../mongo-errors';

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
        if (!isDuplicateKey(err)) throw err;
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

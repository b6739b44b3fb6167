import type { BuyerIdentity } from '../../domain/buyer';
import type { OrderModel } from './order.schema';
import type { OrderDoc } from '../../domain/entities/order';
import { isDuplicateKey } from '../mongo-errors';

export interface OrderRepository {
  /** Inserts the order unless its number exists; `created: false` returns the stored one. */
  createIfAbsent(order: OrderDoc): Promise<{ created: boolean; order: OrderDoc }>;
  findByOrderNo(orderNo: string): Promise<OrderDoc | null>;
  /** The order only if it belongs to this buyer (openid, or unionid): another buyer's order reads as absent. */
  findForBuyer(buyer: Pick<BuyerIdentity, 'openid' | 'unionid'>, orderNo: string): Promise<OrderDoc | null>;
  /** A buyer's orders, newest first, after the cursor (the last orderNo of the previous page). */
  listForBuyer(buyer: Pick<BuyerIdentity, 'openid' | 'unionid'>, limit: number, after?: { createdAt: Date; orderNo: string }): Promise<OrderDoc[]>;
  /**
   * Starts attempt `requestCount + 1` for the order, as one conditional update: of two
   * concurrent taps on 申请开票 only one gets an attempt number. Null when someone else did.
   */
  claimNextAttempt(orderNo: string, seenRequestCount: number, requestId: string): Promise<OrderDoc | null>;
  /** Puts back the latest request pointer after an attempt failed before WeChat knew of it. */
  restoreLatest(orderNo: string, failedRequestId: string, previous: string | undefined): Promise<void>;
  markRefunded(orderNo: string, at: Date): Promise<OrderDoc | null>;
}

export function orderRepository(model: OrderModel): OrderRepository {
  return {
    async createIfAbsent(order) {
      try {
        await model.create(order);
        return { created: true, order };
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const existing = await model.findOne({ orderNo: order.orderNo }, { _id: 0, __v: 0 }).lean<OrderDoc>();
        if (!existing) throw err;
        return { created: false, order: existing };
      }
    },
    findByOrderNo: (orderNo) => model.findOne({ orderNo }, { _id: 0, __v: 0 }).lean<OrderDoc>(),
    findForBuyer: (buyer, orderNo) => model.findOne({ orderNo, ...owner(buyer) }, { _id: 0, __v: 0 }).lean<OrderDoc>(),
    listForBuyer(buyer, limit, after) {
      const filter: Record<string, unknown> = owner(buyer);
      if (after) {
        const page = { $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, orderNo: { $lt: after.orderNo } }] };
        return model
          .find({ $and: [filter, page] }, { _id: 0, __v: 0 })
          .sort({ createdAt: -1, orderNo: -1 })
          .limit(limit)
          .lean<OrderDoc[]>();
      }
      return model.find(filter, { _id: 0, __v: 0 }).sort({ createdAt: -1, orderNo: -1 }).limit(limit).lean<OrderDoc[]>();
    },
    claimNextAttempt: (orderNo, seenRequestCount, requestId) =>
      model
        .findOneAndUpdate(
          { orderNo, requestCount: seenRequestCount },
          { $inc: { requestCount: 1 }, $set: { latestRequestId: requestId } },
          { returnDocument: 'after' },
        )
        .lean<OrderDoc>(),
    async restoreLatest(orderNo, failedRequestId, previous) {
      const update = previous ? { $set: { latestRequestId: previous } } : { $unset: { latestRequestId: 1 } };
      await model.updateOne({ orderNo, latestRequestId: failedRequestId }, update);
    },
    markRefunded: (orderNo, at) =>
      model.findOneAndUpdate({ orderNo }, { $set: { refundedAt: at } }, { returnDocument: 'after' }).lean<OrderDoc>(),
  };
}

/** The buyer's orders: by openid, or by unionid where both sides know it. */
function owner(buyer: Pick<BuyerIdentity, 'openid' | 'unionid'>): Record<string, unknown> {
  return buyer.unionid ? { $or: [{ openid: buyer.openid }, { unionid: buyer.unionid }] } : { openid: buyer.openid };
}

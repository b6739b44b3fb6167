import { Schema, type Connection, type Model } from 'mongoose';
import type { OrderDoc, OrderItem } from '../../domain/entities/order';

const item = new Schema<OrderItem>(
  {
    name: { type: String, required: true },
    spbm: { type: String, required: true },
    quantity: { type: Number, required: true },
    unitPrice: { type: Number, required: true },
    taxRate: { type: String, required: true },
    amount: { type: Number, required: true },
  },
  { _id: false },
);

const schema = new Schema<OrderDoc>(
  {
    orderNo: { type: String, required: true },
    openid: { type: String, required: true },
    unionid: String,
    amount: { type: Number, required: true },
    items: { type: [item], required: true },
    createdAt: { type: Date, required: true },
    refundedAt: Date,
    latestRequestId: String,
    requestCount: { type: Number, required: true, default: 0 },
  },
  { collection: 'orders' },
);
// Orders are imported idempotently and looked up by their number.
schema.index({ orderNo: 1 }, { unique: true });
// A buyer's order list, newest first.
schema.index({ openid: 1, createdAt: -1, orderNo: -1 });
// …and the same buyer found through another account by unionid.
schema.index({ unionid: 1, createdAt: -1, orderNo: -1 });

export type OrderModel = Model<OrderDoc>;

export function orderModel(db: Connection): OrderModel {
  return (db.models.Order as OrderModel | undefined) ?? db.model<OrderDoc>('Order', schema);
}

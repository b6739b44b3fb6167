import { Schema, type Connection, type Model } from 'mongoose';

/** An order from the merchant's order system: what a buyer can ask an invoice for. */
export interface OrderDoc {
  orderNo: string;
  /** The buyer: their openid under the account the order came from (the Mini Program's by default). */
  openid: string;
  /** The buyer's unionid when the merchant knows it: matches them in every account of the merchant. */
  unionid?: string;
  /** Tax-inclusive total in fen; equals the sum of the lines. */
  amount: number;
  items: OrderItem[];
  createdAt: Date;
  /** Set when the merchant records a refund (an issued invoice must then be offset). */
  refundedAt?: Date;
  /** The latest invoice request for this order (each re-application makes a new one). */
  latestRequestId?: string;
  /** How many invoice requests were made: numbers the WeChat order_id of the next one. */
  requestCount: number;
}

interface OrderItem {
  name: string;
  /** 19-digit tax classification code. */
  spbm: string;
  /** Positive, up to 8 decimals. */
  quantity: number;
  /** Tax-inclusive unit price in fen. */
  unitPrice: number;
  /** "0.13" etc. */
  taxRate: string;
  /** Tax-inclusive line amount in fen (unitPrice × quantity, rounded once, half up). */
  amount: number;
}

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

import { Schema, type Connection, type Model } from 'mongoose';
import type { PostPaymentDoc } from '../../domain/entities/post-payment';

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


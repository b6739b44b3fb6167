import { Schema, type Connection, type Model } from 'mongoose';

/** A WeChat push as received: kept once per de-duplication key, processed afterwards. */
export interface PushEventDoc {
  /** FromUserName + CreateTime + Event + the order or fpqqlsh (see wechat/push dedupeKey). */
  dedupeKey: string;
  /** 'user_authorize_invoice', 'cloud_invoice_invoiceresult_event' or 'other'. */
  kind: string;
  /** The account whose push URL received it. */
  account?: string;
  /** The parsed message, as typed by wechat/push. */
  message: Record<string, unknown>;
  encrypted: boolean;
  format: 'xml' | 'json';
  receivedAt: Date;
  /** Set once the lifecycle has acted on it; unset = still to do. */
  processedAt?: Date;
}

const schema = new Schema<PushEventDoc>(
  {
    dedupeKey: { type: String, required: true },
    kind: { type: String, required: true },
    account: String,
    message: { type: Schema.Types.Mixed, required: true },
    encrypted: { type: Boolean, required: true },
    format: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    processedAt: { type: Date },
  },
  { collection: 'push_events', minimize: false },
);
// WeChat resends a push up to 3 times (and duplicates happen): one document per event.
schema.index({ dedupeKey: 1 }, { unique: true });
// The lifecycle picks up events not yet processed, oldest first.
schema.index({ processedAt: 1, receivedAt: 1 });

export type PushEventModel = Model<PushEventDoc>;

/** The model on this connection (registered once per connection). */
export function pushEventModel(db: Connection): PushEventModel {
  return (db.models.PushEvent as PushEventModel | undefined) ?? db.model<PushEventDoc>('PushEvent', schema);
}

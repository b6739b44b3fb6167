import type { OutboxDoc } from '../../domain/entities/outbox';
import { Schema, type Connection, type Model } from 'mongoose';

const schema = new Schema<OutboxDoc>(
  {
    _id: { type: String, required: true },
    status: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    createdAt: { type: Date, required: true },
    attempts: { type: Number, required: true, default: 0 },
    nextAttemptAt: Date,
    lease: { type: new Schema({ owner: String, until: Date }, { _id: false }), required: false },
    sentAt: Date,
    lastError: { type: new Schema({ message: String, at: Date }, { _id: false }), required: false },
    log: { type: [new Schema({ at: Date, outcome: String, detail: String }, { _id: false })], default: [] },
  },
  { _id: false, minimize: false },
);
// The delivery loop's claim: due messages, oldest first (only pending ones have nextAttemptAt).
schema.index({ nextAttemptAt: 1 });
// Ops' list by status, newest first.
schema.index({ status: 1, createdAt: -1 });

export type OutboxModel = Model<OutboxDoc>;

/** The collection of one outbox: `email_outbox`, `alert_outbox`. */
export function outboxModel(db: Connection, name: 'EmailOutbox' | 'AlertOutbox'): OutboxModel {
  const collection = name === 'EmailOutbox' ? 'email_outbox' : 'alert_outbox';
  return (db.models[name] as OutboxModel | undefined) ?? db.model<OutboxDoc>(name, schema.clone().set('collection', collection));
}

export type { OutboxDoc };

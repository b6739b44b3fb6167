import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One message to deliver (an email, an alert), stored before anything is sent: a crash or an
 * outage of the receiver loses nothing. `_id` is the message's natural key (the invoice request
 * for its emailed copy, the incident for an alert), so it is enqueued at most once, and the
 * delivery loop of any process claims it with a lease, exactly like the invoice worker.
 */
export interface OutboxDoc<P = Record<string, unknown>> {
  _id: string;
  /** pending: to deliver (at nextAttemptAt); sent; bounced: refused for good (an email address);
   * failed: gave up after the policy's attempts. */
  status: 'pending' | 'sent' | 'bounced' | 'failed';
  payload: P;
  createdAt: Date;
  attempts: number;
  nextAttemptAt?: Date;
  lease?: { owner: string; until: Date };
  sentAt?: Date;
  lastError?: { message: string; at: Date };
  /** Every delivery attempt, for ops. */
  log: { at: Date; outcome: 'sent' | 'retry' | 'bounced' | 'failed'; detail: string }[];
}

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

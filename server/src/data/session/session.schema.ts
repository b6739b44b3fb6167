import { Schema, type Connection, type Model } from 'mongoose';

/** A buyer's login (Mini Program or Official Account H5). The bearer token itself is never stored: only its SHA-256. */
interface SessionDoc {
  tokenHash: string;
  openid: string;
  /** The account the buyer logged in through; absent on sessions from before accounts (the default). */
  account?: string;
  unionid?: string;
  createdAt: Date;
  expiresAt: Date;
}

const schema = new Schema<SessionDoc>(
  {
    tokenHash: { type: String, required: true },
    openid: { type: String, required: true },
    account: String,
    unionid: String,
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'sessions' },
);
// Every /api/mp request looks its session up by the token's hash.
schema.index({ tokenHash: 1 }, { unique: true });
// Garbage collection only: lookups also check expiresAt, since TTL deletion lags (and may be absent).
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type SessionModel = Model<SessionDoc>;

export function sessionModel(db: Connection): SessionModel {
  return (db.models.Session as SessionModel | undefined) ?? db.model<SessionDoc>('Session', schema);
}

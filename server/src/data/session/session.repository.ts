import crypto from 'node:crypto';
import type { BuyerIdentity } from '../../domain/buyer';
import type { SessionModel } from './session.schema';

export interface SessionRepository {
  /** Creates a session and returns its bearer token (shown once, stored only hashed). */
  create(buyer: BuyerIdentity, now: Date, ttlMs: number): Promise<{ token: string; expiresAt: Date }>;
  /**
   * The buyer of a live session, or null for an unknown or expired token. A session from before
   * accounts were recorded is the default account's (`defaultAccount`).
   */
  buyerFor(token: string, now: Date, defaultAccount: string): Promise<BuyerIdentity | null>;
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function sessionRepository(model: SessionModel): SessionRepository {
  return {
    async create(buyer, now, ttlMs) {
      const token = crypto.randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + ttlMs);
      await model.create({
        tokenHash: hashToken(token),
        openid: buyer.openid,
        account: buyer.account,
        ...(buyer.unionid ? { unionid: buyer.unionid } : {}),
        createdAt: now,
        expiresAt,
      });
      return { token, expiresAt };
    },
    async buyerFor(token, now, defaultAccount) {
      const session = await model.findOne({ tokenHash: hashToken(token), expiresAt: { $gt: now } }).lean();
      if (!session) return null;
      return { openid: session.openid, account: session.account ?? defaultAccount, ...(session.unionid ? { unionid: session.unionid } : {}) };
    },
  };
}

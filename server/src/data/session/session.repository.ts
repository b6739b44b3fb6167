import crypto from 'node:crypto';
import type { SessionModel } from './session.schema';

export interface SessionRepository {
  /** Creates a session and returns its bearer token (shown once, stored only hashed). */
  create(openid: string, now: Date, ttlMs: number): Promise<{ token: string; expiresAt: Date }>;
  /** The openid of a live session, or null for an unknown or expired token. */
  openidFor(token: string, now: Date): Promise<string | null>;
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function sessionRepository(model: SessionModel): SessionRepository {
  return {
    async create(openid, now, ttlMs) {
      const token = crypto.randomBytes(32).toString('base64url');
      const expiresAt = new Date(now.getTime() + ttlMs);
      await model.create({ tokenHash: hashToken(token), openid, createdAt: now, expiresAt });
      return { token, expiresAt };
    },
    async openidFor(token, now) {
      const session = await model.findOne({ tokenHash: hashToken(token), expiresAt: { $gt: now } }).lean();
      return session?.openid ?? null;
    },
  };
}

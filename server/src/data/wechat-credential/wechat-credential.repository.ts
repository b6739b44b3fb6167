import type { Connection } from 'mongoose';
import { EXPIRED, type StoredCredential, type TokenStore } from '../../wechat/token-store';
import { credentialId, wechatCredentialModel } from './wechat-credential.schema';
import { isDuplicateKey } from '../mongo-errors';

/**
 * The TokenStore every server process shares. Each operation is one single-document statement
 * (no transactions); every conditional step carries its condition in the filter, so the database
 * decides atomically who wins.
 */
export function createMongoTokenStore(connection: Connection): TokenStore {
  const Credential = wechatCredentialModel(connection);

  return {
    async read(appid, kind) {
      const doc = await Credential.findById(credentialId(appid, kind)).lean();
      if (!doc) return null;
      const stored: StoredCredential = {
        value: doc.value ?? null,
        expiresAt: doc.expiresAt ?? null,
        refreshAt: doc.refreshAt ?? null,
        lease: doc.lease ? { owner: doc.lease.owner, until: doc.lease.until } : null,
      };
      return stored;
    },

    async create(appid, kind) {
      // A plain insert, not an upsert: a racing insert fails with DUPLICATE_KEY on every server, whereas a
      // racing upsert may be answered differently (see data/upsert.ts). Losing the race is fine.
      try {
        await Credential.create({ _id: credentialId(appid, kind), appid, kind });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    },

    async tryLease(appid, kind, owner, now, until) {
      const taken = await Credential.findOneAndUpdate(
        {
          _id: credentialId(appid, kind),
          $and: [
            { $or: [{ lease: null }, { 'lease.until': { $lte: now } }] },
            { $or: [{ value: null }, { refreshAt: null }, { refreshAt: { $lte: now } }] },
          ],
        },
        { $set: { lease: { owner, until } } },
        { returnDocument: 'after' },
      ).lean();
      return taken !== null;
    },

    async storeAndRelease(appid, kind, owner, fresh) {
      const result = await Credential.updateOne(
        { _id: credentialId(appid, kind), 'lease.owner': owner },
        { $set: { value: fresh.value, expiresAt: fresh.expiresAt, refreshAt: fresh.refreshAt, fetchedAt: fresh.fetchedAt, lease: null } },
      );
      return result.matchedCount === 1;
    },

    async release(appid, kind, owner) {
      await Credential.updateOne({ _id: credentialId(appid, kind), 'lease.owner': owner }, { $set: { lease: null } });
    },

    async expireIfValue(appid, kind, value) {
      const result = await Credential.updateOne(
        { _id: credentialId(appid, kind), value, refreshAt: { $gt: EXPIRED } },
        { $set: { refreshAt: EXPIRED, expiresAt: EXPIRED } },
      );
      return result.modifiedCount === 1;
    },
  };
}

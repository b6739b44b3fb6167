/**
 * Where the access_token and the wx_card ticket live so that every process shares them: one
 * record per (appid, kind) holding the value, when to refresh it, and a lease that lets one
 * process at a time fetch a new value. These are storage primitives; the policy (margins, single
 * flight, polling) is in credentials.ts.
 *
 * SDKs use a plain get/set/delete store. That cannot express "take the lease only if it
 * is free and the value is still stale" or "expire only if the value is still the failed one" as
 * single atomic steps, which is what keeps N processes down to one fetch; hence these operations.
 *
 * Implementations: MongoDB (data/wechat-credential, shared by processes) and memory (below: one
 * process, e.g. a script or a unit test). Both must pass server/test/wechat/token-store.test.ts.
 */
export type CredentialKind = 'access_token' | 'wx_card_ticket';

interface Lease {
  /** Who may fetch: one credentials manager in one process. */
  owner: string;
  /** After this the lease is abandoned (its holder crashed or hangs) and may be taken over. */
  until: Date;
}

export interface StoredCredential {
  value: string | null;
  /** When WeChat stops accepting the value. */
  expiresAt: Date | null;
  /** From this moment the value counts as stale and a new one is fetched (ahead of expiresAt). */
  refreshAt: Date | null;
  lease: Lease | null;
}

export interface FreshCredential {
  value: string;
  expiresAt: Date;
  refreshAt: Date;
  /** When the fetch started (for operators). */
  fetchedAt: Date;
}

export interface TokenStore {
  read(appid: string, kind: CredentialKind): Promise<StoredCredential | null>;
  /** Creates the empty record if there is none; does nothing if there is one. */
  create(appid: string, kind: CredentialKind): Promise<void>;
  /**
   * ONE atomic step: takes the lease for `owner` until `until` if and only if the lease is free
   * (none, or expired at `now`) AND the value is stale at `now` (none, or refreshAt <= now).
   * Returns whether this call took it. Never creates the record.
   */
  tryLease(appid: string, kind: CredentialKind, owner: string, now: Date, until: Date): Promise<boolean>;
  /** Stores the fresh value and frees the lease, only while `owner` still holds it. */
  storeAndRelease(appid: string, kind: CredentialKind, owner: string, fresh: FreshCredential): Promise<boolean>;
  /** Frees the lease if `owner` holds it (a failed fetch). */
  release(appid: string, kind: CredentialKind, owner: string): Promise<void>;
  /**
   * Compare-and-expire: makes the value stale only if it is still `value` and not yet expired.
   * Returns whether this call expired it (true at most once per stored value).
   */
  expireIfValue(appid: string, kind: CredentialKind, value: string): Promise<boolean>;
}

/** The moment that means "already stale": compare-and-expire sets refreshAt and expiresAt to it. */
export const EXPIRED = new Date(0);

/** A TokenStore inside one process. Each operation runs without awaiting, so each is atomic. */
/* eslint-disable @typescript-eslint/require-await -- async to fit TokenStore; never awaiting is the point */
export function createMemoryTokenStore(): TokenStore {
  const records = new Map<string, StoredCredential>();
  const key = (appid: string, kind: CredentialKind) => `${appid}/${kind}`;
  const copy = (r: StoredCredential): StoredCredential => ({ ...r, lease: r.lease && { ...r.lease } });

  return {
    async read(appid, kind) {
      const record = records.get(key(appid, kind));
      return record ? copy(record) : null;
    },
    async create(appid, kind) {
      if (!records.has(key(appid, kind))) records.set(key(appid, kind), { value: null, expiresAt: null, refreshAt: null, lease: null });
    },
    async tryLease(appid, kind, owner, now, until) {
      const record = records.get(key(appid, kind));
      if (!record) return false;
      const leaseFree = record.lease === null || record.lease.until <= now;
      const stale = record.value === null || record.refreshAt === null || record.refreshAt <= now;
      if (!leaseFree || !stale) return false;
      record.lease = { owner, until };
      return true;
    },
    async storeAndRelease(appid, kind, owner, fresh) {
      const record = records.get(key(appid, kind));
      if (!record || record.lease?.owner !== owner) return false;
      records.set(key(appid, kind), { value: fresh.value, expiresAt: fresh.expiresAt, refreshAt: fresh.refreshAt, lease: null });
      return true;
    },
    async release(appid, kind, owner) {
      const record = records.get(key(appid, kind));
      if (record && record.lease?.owner === owner) record.lease = null;
    },
    async expireIfValue(appid, kind, value) {
      const record = records.get(key(appid, kind));
      if (!record || record.value !== value || record.refreshAt === null || record.refreshAt <= EXPIRED) return false;
      record.refreshAt = EXPIRED;
      record.expiresAt = EXPIRED;
      return true;
    },
  };
}

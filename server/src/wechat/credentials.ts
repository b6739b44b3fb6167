import crypto from 'node:crypto';
import os from 'node:os';
import { silentLog, type WeChatLog } from './call';
import { WeChatTransportError } from './errors';
import type { CredentialKind, FreshCredential, StoredCredential, TokenStore } from './token-store';

/** A freshly fetched credential as WeChat states it. */
export interface FetchedCredential {
  value: string;
  /** WeChat's expires_in, in seconds. */
  expiresInSec: number;
}

export interface CredentialsOptions {
  appid: string;
  store: TokenStore;
  /** How to fetch each kind from WeChat (the client passes stable_token / token and getticket). */
  fetchers: Record<CredentialKind, () => Promise<FetchedCredential>>;
  /** Refresh this long before WeChat's expiry (but never before half the lifetime). Default 5 min. */
  refreshMarginMs?: number;
  /** How long a fetch may hold the refresh lease before others take over. Default 30 s. */
  leaseMs?: number;
  /** Mean interval at which a process waiting for another's refresh re-reads the store. Default 100 ms. */
  pollMs?: number;
  /** How long to wait for other processes' refreshes before failing the call. Default 2 x leaseMs. */
  maxWaitMs?: number;
  /** How long this process trusts its in-memory copy before reading the store again. Default 60 s. */
  memoryTtlMs?: number;
  /** Lease owner id; unique per manager by default (host, pid, random). */
  owner?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  log?: WeChatLog;
}

export interface Credentials {
  /** A valid access_token: from memory, the shared store, or a fetch (one at a time everywhere). */
  accessToken(): Promise<string>;
  /** A valid wx_card ticket (getauthurl's `ticket`), same rules. */
  wxCardTicket(): Promise<string>;
  get(kind: CredentialKind): Promise<string>;
  /**
   * Compare-and-expire after WeChat refused `failedValue`: it is made stale here and in the store
   * only if it is still the current value, so N failures with one value cause one refresh and a
   * failure with a value already replaced causes none. Returns whether the store expired it.
   */
  expire(kind: CredentialKind, failedValue: string): Promise<boolean>;
}

const CREDENTIAL_DEFAULTS = {
  refreshMarginMs: 5 * 60_000,
  leaseMs: 30_000,
  pollMs: 100,
  memoryTtlMs: 60_000,
} as const;

interface Remembered {
  value: string;
  refreshAt: number;
  readAt: number;
}

/**
 * The access_token and wx_card ticket shared by every process through a TokenStore:
 * - a value is used until `refreshAt` (WeChat's expiry minus the margin);
 * - in one process, concurrent callers share one lookup (single flight) and a short memory copy;
 * - across processes, only the holder of the store's lease fetches; the others poll the store
 *   until the new value appears, or the lease runs out and they compete for it again.
 */
export function createCredentials(options: CredentialsOptions): Credentials {
  const { appid, store, fetchers } = options;
  const refreshMarginMs = options.refreshMarginMs ?? CREDENTIAL_DEFAULTS.refreshMarginMs;
  const leaseMs = options.leaseMs ?? CREDENTIAL_DEFAULTS.leaseMs;
  const pollMs = options.pollMs ?? CREDENTIAL_DEFAULTS.pollMs;
  const maxWaitMs = options.maxWaitMs ?? 2 * leaseMs;
  const memoryTtlMs = options.memoryTtlMs ?? CREDENTIAL_DEFAULTS.memoryTtlMs;
  const owner = options.owner ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const log = options.log ?? silentLog;

  const memory = new Map<CredentialKind, Remembered>();
  /** Bumped by expire(): a lookup started before an expiry must not hand out the expired value. */
  const generation: Record<CredentialKind, number> = { access_token: 0, wx_card_ticket: 0 };
  const inflight = new Map<CredentialKind, { generation: number; promise: Promise<string> }>();
  const expiring = new Map<string, Promise<boolean>>();

  function get(kind: CredentialKind): Promise<string> {
    const t = now();
    const remembered = memory.get(kind);
    if (remembered && t < remembered.refreshAt && t - remembered.readAt < memoryTtlMs) return Promise.resolve(remembered.value);
    const current = generation[kind];
    const running = inflight.get(kind);
    if (running && running.generation === current) return running.promise;
    const promise: Promise<string> = lookUp(kind).finally(() => {
      if (inflight.get(kind)?.promise === promise) inflight.delete(kind);
    });
    inflight.set(kind, { generation: current, promise });
    return promise;
  }

  async function lookUp(kind: CredentialKind): Promise<string> {
    const started = now();
    for (;;) {
      const stored = await store.read(appid, kind);
      const t = now();
      if (stored && isFresh(stored, t)) return remember(kind, stored.value as string, (stored.refreshAt as Date).getTime());
      if (!stored) await store.create(appid, kind);
      if (!stored?.lease || stored.lease.until.getTime() <= t) {
        const leaseStart = now();
        if (await store.tryLease(appid, kind, owner, new Date(leaseStart), new Date(leaseStart + leaseMs))) return fetchAndStore(kind);
      }
      if (now() - started >= maxWaitMs) {
        throw new WeChatTransportError({
          endpoint: `credentials/${kind}`,
          failure: 'credential_wait',
          detail: `no fresh ${kind} after ${maxWaitMs} ms while another process held the refresh lease`,
        });
      }
      await sleep(pollMs * (0.5 + random()));
    }
  }

  async function fetchAndStore(kind: CredentialKind): Promise<string> {
    const started = now();
    let fresh: FreshCredential;
    try {
      const fetched = await fetchers[kind]();
      const lifetimeMs = fetched.expiresInSec * 1000;
      fresh = {
        value: fetched.value,
        fetchedAt: new Date(started),
        expiresAt: new Date(started + lifetimeMs),
        // stable_token may answer with as little as 300 s left: never refresh before half-life,
        // or every call would fetch again.
        refreshAt: new Date(started + Math.max(lifetimeMs - refreshMarginMs, lifetimeMs / 2)),
      };
    } catch (err) {
      await store.release(appid, kind, owner).catch((releaseError: unknown) => {
        log.warn({ appid, kind, error: String(releaseError) }, 'could not release the WeChat credential lease');
      });
      throw err;
    }
    try {
      if (!(await store.storeAndRelease(appid, kind, owner, fresh))) {
        log.warn({ appid, kind }, 'the refresh lease ran out during the fetch; the new value is used by this process only');
      }
    } catch (err) {
      log.warn({ appid, kind, error: String(err) }, 'could not store the fresh WeChat credential; using it in this process only');
    }
    log.info({ appid, kind, expiresInSec: Math.round((fresh.expiresAt.getTime() - started) / 1000) }, 'fetched a new WeChat credential');
    return remember(kind, fresh.value, fresh.refreshAt.getTime());
  }

  function remember(kind: CredentialKind, value: string, refreshAt: number): string {
    memory.set(kind, { value, refreshAt, readAt: now() });
    return value;
  }

  function expire(kind: CredentialKind, failedValue: string): Promise<boolean> {
    if (memory.get(kind)?.value === failedValue) memory.delete(kind);
    generation[kind] += 1;
    const key = `${kind}\u0000${failedValue}`;
    let pending = expiring.get(key);
    if (!pending) {
      pending = store.expireIfValue(appid, kind, failedValue).finally(() => expiring.delete(key));
      expiring.set(key, pending);
    }
    return pending;
  }

  return {
    accessToken: () => get('access_token'),
    wxCardTicket: () => get('wx_card_ticket'),
    get,
    expire,
  };
}

function isFresh(stored: StoredCredential, t: number): boolean {
  return stored.value !== null && stored.refreshAt !== null && stored.refreshAt.getTime() > t;
}

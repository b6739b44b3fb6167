/**
 * The shared credentials on the MongoDB store: single flight per process, one lease across
 * "processes" (managers with their own owner id and memory on one database), refresh ahead of
 * expiry, take-over of an abandoned lease, and compare-and-expire. Fetchers are counted here
 * directly; the multi-process proof with real processes and HTTP is token-multiprocess.test.ts.
 */
import { createMongoTokenStore } from '../../src/data/wechat-credential/wechat-credential.repository';
import { createCredentials, type Credentials, type CredentialsOptions, type FetchedCredential } from '../../src/wechat/credentials';
import { WeChatTransportError } from '../../src/wechat/errors';
import type { CredentialKind, TokenStore } from '../../src/wechat/token-store';
import { useTestDatabase } from '../harness/database';
import { randomAppid } from '../support/wechat-seeds';

/** A clock the test moves: `sleep` advances it instead of waiting, so waits are exact and instant. */
function manualClock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => void (t += ms),
    sleep: async (ms: number) => {
      t += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** Fetchers that count their calls and issue numbered values. */
function countingFetchers(expiresInSec = 7200) {
  const calls: Record<CredentialKind, number> = { access_token: 0, wx_card_ticket: 0 };
  const make = (kind: CredentialKind, prefix: string) => async (): Promise<FetchedCredential> => {
    calls[kind] += 1;
    const n = calls[kind];
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { value: `${prefix}_${n}`, expiresInSec };
  };
  return { calls, fetchers: { access_token: make('access_token', 'TOKEN'), wx_card_ticket: make('wx_card_ticket', 'TICKET') } };
}

describe('shared credentials', () => {
  const db = useTestDatabase();
  let store: TokenStore;
  let appid: string;
  beforeEach(() => {
    store = createMongoTokenStore(db());
    appid = randomAppid();
  });

  const manager = (options: Partial<CredentialsOptions> & Pick<CredentialsOptions, 'fetchers'>): Credentials =>
    createCredentials({ appid, store, pollMs: 5, ...options });

  it('250 concurrent callers in one process on a cold store: one fetch, one value', async () => {
    const { calls, fetchers } = countingFetchers();
    const credentials = manager({ fetchers });
    const values = await Promise.all(Array.from({ length: 250 }, () => credentials.accessToken()));
    expect(new Set(values)).toEqual(new Set(['TOKEN_1']));
    expect(calls.access_token).toBe(1);
    await expect(store.read(appid, 'access_token')).resolves.toMatchObject({ value: 'TOKEN_1', lease: null });
  });

  it('four managers on one store (four "processes") x 50 callers, cold: one fetch of each kind', async () => {
    const { calls, fetchers } = countingFetchers();
    const managers = Array.from({ length: 4 }, (_, i) => manager({ fetchers, owner: `process-${i}` }));
    const results = await Promise.all(
      managers.flatMap((m) => Array.from({ length: 50 }, async () => [await m.accessToken(), await m.wxCardTicket()].join(' '))),
    );
    expect(new Set(results)).toEqual(new Set(['TOKEN_1 TICKET_1']));
    expect(calls).toEqual({ access_token: 1, wx_card_ticket: 1 });
  });

  it('is refreshed ahead of expiry: 5 minutes before WeChat expires it', async () => {
    const clock = manualClock();
    const { calls, fetchers } = countingFetchers(7200);
    const credentials = manager({ fetchers, now: clock.now, sleep: clock.sleep, memoryTtlMs: Number.MAX_SAFE_INTEGER });
    await expect(credentials.accessToken()).resolves.toBe('TOKEN_1');
    clock.advance((7200 - 300) * 1000 - 1);
    await expect(credentials.accessToken()).resolves.toBe('TOKEN_1');
    expect(calls.access_token).toBe(1);
    clock.advance(1);
    await expect(credentials.accessToken()).resolves.toBe('TOKEN_2');
    expect(calls.access_token).toBe(2);
    await expect(store.read(appid, 'access_token')).resolves.toMatchObject({ value: 'TOKEN_2' });
  });

  it('a short-lived value (stable_token near its rotation: 300 s) is kept for half its life, not refetched per call', async () => {
    const clock = manualClock();
    const { calls, fetchers } = countingFetchers(300);
    const credentials = manager({ fetchers, now: clock.now, sleep: clock.sleep });
    await credentials.accessToken();
    clock.advance(149_999);
    await credentials.accessToken();
    expect(calls.access_token).toBe(1);
    clock.advance(1);
    await credentials.accessToken();
    expect(calls.access_token).toBe(2);
  });

  it('sees a value another process stored, once its memory copy is older than memoryTtlMs', async () => {
    const clock = manualClock();
    const { fetchers } = countingFetchers();
    const a = manager({ fetchers, owner: 'a', now: clock.now, sleep: clock.sleep, memoryTtlMs: 60_000 });
    const b = manager({ fetchers, owner: 'b', now: clock.now, sleep: clock.sleep, memoryTtlMs: 60_000 });
    await a.accessToken();
    await expect(b.accessToken()).resolves.toBe('TOKEN_1');
    await a.expire('access_token', 'TOKEN_1');
    await expect(a.accessToken()).resolves.toBe('TOKEN_2');
    await expect(b.accessToken()).resolves.toBe('TOKEN_1'); // still its memory copy
    clock.advance(60_000);
    await expect(b.accessToken()).resolves.toBe('TOKEN_2');
  });

  it('waits for a lease another process holds, and takes it over when that process never finishes', async () => {
    const clock = manualClock();
    const { calls, fetchers } = countingFetchers();
    await store.create(appid, 'access_token');
    expect(await store.tryLease(appid, 'access_token', 'crashed-process', new Date(clock.now()), new Date(clock.now() + 30_000))).toBe(true);

    const credentials = manager({ fetchers, now: clock.now, sleep: clock.sleep, leaseMs: 30_000, pollMs: 1_000 });
    const started = clock.now();
    await expect(credentials.accessToken()).resolves.toBe('TOKEN_1');
    expect(calls.access_token).toBe(1);
    expect(clock.now() - started).toBeGreaterThanOrEqual(30_000); // it polled until the lease ran out
  });

  it('gives up with credential_wait when nobody produces a value within maxWaitMs', async () => {
    const clock = manualClock();
    const { calls, fetchers } = countingFetchers();
    await store.create(appid, 'access_token');
    await store.tryLease(appid, 'access_token', 'slow-process', new Date(clock.now()), new Date(clock.now() + 600_000));
    const credentials = manager({ fetchers, now: clock.now, sleep: clock.sleep, maxWaitMs: 10_000, pollMs: 500 });
    const error = await credentials.accessToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeChatTransportError);
    expect(error).toMatchObject({ failure: 'credential_wait', endpoint: 'credentials/access_token' });
    expect(calls.access_token).toBe(0);
  });

  it('a failed fetch releases the lease: every waiter gets the error, the next call fetches again', async () => {
    let attempts = 0;
    const credentials = manager({
      fetchers: {
        access_token: async () => {
          attempts += 1;
          if (attempts === 1) throw new WeChatTransportError({ endpoint: 'cgi-bin/stable_token', failure: 'timeout', detail: 'test' });
          return { value: 'TOKEN_OK', expiresInSec: 7200 };
        },
        wx_card_ticket: async () => ({ value: 'unused', expiresInSec: 7200 }),
      },
    });
    const first = await Promise.allSettled(Array.from({ length: 5 }, () => credentials.accessToken()));
    expect(first.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    await expect(store.read(appid, 'access_token')).resolves.toMatchObject({ lease: null });
    await expect(credentials.accessToken()).resolves.toBe('TOKEN_OK');
    expect(attempts).toBe(2);
  });

  it('compare-and-expire: N failures with one value refresh once; a failure with an old value refreshes nothing', async () => {
    const { calls, fetchers } = countingFetchers();
    const a = manager({ fetchers, owner: 'a' });
    const b = manager({ fetchers, owner: 'b' });
    await a.accessToken();
    await b.accessToken();

    const expired = await Promise.all([a.expire('access_token', 'TOKEN_1'), a.expire('access_token', 'TOKEN_1'), b.expire('access_token', 'TOKEN_1')]);
    // a's two failures share one store update (single flight); of a and b exactly one expired it.
    expect(expired[0]).toBe(expired[1]);
    expect([expired[0], expired[2]].filter(Boolean)).toHaveLength(1);
    const after = await Promise.all([a.accessToken(), a.accessToken(), b.accessToken()]);
    expect(after).toEqual(['TOKEN_2', 'TOKEN_2', 'TOKEN_2']);
    expect(calls.access_token).toBe(2);

    await expect(b.expire('access_token', 'TOKEN_1')).resolves.toBe(false);
    await expect(b.accessToken()).resolves.toBe('TOKEN_2');
    expect(calls.access_token).toBe(2);
  });

  it('the ticket is its own record: expiring it leaves the access_token alone', async () => {
    const { calls, fetchers } = countingFetchers();
    const credentials = manager({ fetchers });
    await credentials.accessToken();
    await credentials.wxCardTicket();
    await credentials.expire('wx_card_ticket', 'TICKET_1');
    await expect(credentials.wxCardTicket()).resolves.toBe('TICKET_2');
    await expect(credentials.accessToken()).resolves.toBe('TOKEN_1');
    expect(calls).toEqual({ access_token: 1, wx_card_ticket: 2 });
  });
});

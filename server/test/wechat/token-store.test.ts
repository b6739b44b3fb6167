/**
 * The TokenStore contract, checked on both implementations: MongoDB (shared by processes; here
 * on the test database server) and memory. The concurrent cases are what makes "one fetch across
 * all processes" true, so they run many callers at once and demand exactly one winner.
 */
import { createMongoTokenStore } from '../../src/data/wechat-credential/wechat-credential.repository';
import { createMemoryTokenStore, EXPIRED, type TokenStore } from '../../src/wechat/token-store';
import { useTestDatabase } from '../harness/database';
import { randomAppid } from '../support/wechat-seeds';

const T0 = Date.UTC(2026, 0, 1);
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const fresh = (value: string) => ({ value, fetchedAt: at(0), expiresAt: at(7_200_000), refreshAt: at(6_900_000) });

describe('TokenStore', () => {
  const db = useTestDatabase();
  const implementations: [string, () => TokenStore][] = [
    ['MongoDB', () => createMongoTokenStore(db())],
    ['memory', () => createMemoryTokenStore()],
  ];

  describe.each(implementations)('%s', (_name, makeStore) => {
    let store: TokenStore;
    let appid: string;
    beforeEach(() => {
      store = makeStore();
      appid = randomAppid();
    });

    it('reads null before anything exists, and tryLease never creates the record', async () => {
      await expect(store.read(appid, 'access_token')).resolves.toBeNull();
      await expect(store.tryLease(appid, 'access_token', 'p1', at(0), at(30_000))).resolves.toBe(false);
      await expect(store.read(appid, 'access_token')).resolves.toBeNull();
    });

    it('create is idempotent, also when 20 callers race', async () => {
      await Promise.all(Array.from({ length: 20 }, () => store.create(appid, 'access_token')));
      await store.create(appid, 'access_token');
      await expect(store.read(appid, 'access_token')).resolves.toEqual({ value: null, expiresAt: null, refreshAt: null, lease: null });
    });

    it('keeps kinds and appids apart', async () => {
      await store.create(appid, 'access_token');
      await store.tryLease(appid, 'access_token', 'p1', at(0), at(30_000));
      await store.storeAndRelease(appid, 'access_token', 'p1', fresh('TOKEN'));
      await expect(store.read(appid, 'wx_card_ticket')).resolves.toBeNull();
      await expect(store.read(randomAppid(), 'access_token')).resolves.toBeNull();
    });

    it('of 20 concurrent tryLease on a stale record exactly one wins', async () => {
      await store.create(appid, 'wx_card_ticket');
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.tryLease(appid, 'wx_card_ticket', `p${i}`, at(0), at(30_000))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = `p${results.indexOf(true)}`;
      await expect(store.read(appid, 'wx_card_ticket')).resolves.toMatchObject({ lease: { owner: winner, until: at(30_000) } });
    });

    it('a held lease is taken over only after it runs out', async () => {
      await store.create(appid, 'access_token');
      expect(await store.tryLease(appid, 'access_token', 'crashed', at(0), at(30_000))).toBe(true);
      expect(await store.tryLease(appid, 'access_token', 'p2', at(29_999), at(59_999))).toBe(false);
      expect(await store.tryLease(appid, 'access_token', 'p2', at(30_000), at(60_000))).toBe(true);
      // The crashed holder, back, can no longer store or release.
      expect(await store.storeAndRelease(appid, 'access_token', 'crashed', fresh('LATE'))).toBe(false);
      await store.release(appid, 'access_token', 'crashed');
      await expect(store.read(appid, 'access_token')).resolves.toMatchObject({ value: null, lease: { owner: 'p2' } });
    });

    it('storeAndRelease stores the value and frees the lease; a fresh value cannot be leased', async () => {
      await store.create(appid, 'access_token');
      await store.tryLease(appid, 'access_token', 'p1', at(0), at(30_000));
      expect(await store.storeAndRelease(appid, 'access_token', 'p1', fresh('TOKEN_1'))).toBe(true);
      await expect(store.read(appid, 'access_token')).resolves.toEqual({
        value: 'TOKEN_1',
        expiresAt: at(7_200_000),
        refreshAt: at(6_900_000),
        lease: null,
      });
      // Lease free but value fresh: nobody fetches.
      expect(await store.tryLease(appid, 'access_token', 'p2', at(6_899_999), at(6_929_999))).toBe(false);
      // From refreshAt on it is stale: one may fetch.
      expect(await store.tryLease(appid, 'access_token', 'p2', at(6_900_000), at(6_930_000))).toBe(true);
    });

    it('release frees only its own lease', async () => {
      await store.create(appid, 'access_token');
      await store.tryLease(appid, 'access_token', 'p1', at(0), at(30_000));
      await store.release(appid, 'access_token', 'someone-else');
      await expect(store.read(appid, 'access_token')).resolves.toMatchObject({ lease: { owner: 'p1' } });
      await store.release(appid, 'access_token', 'p1');
      await expect(store.read(appid, 'access_token')).resolves.toMatchObject({ lease: null });
    });

    it('expireIfValue is compare-and-expire: only the stored value, only once', async () => {
      await store.create(appid, 'access_token');
      await store.tryLease(appid, 'access_token', 'p1', at(0), at(30_000));
      await store.storeAndRelease(appid, 'access_token', 'p1', fresh('TOKEN_1'));

      expect(await store.expireIfValue(appid, 'access_token', 'TOKEN_0')).toBe(false);
      await expect(store.read(appid, 'access_token')).resolves.toMatchObject({ refreshAt: at(6_900_000) });

      const concurrent = await Promise.all(Array.from({ length: 10 }, () => store.expireIfValue(appid, 'access_token', 'TOKEN_1')));
      expect(concurrent.filter(Boolean)).toHaveLength(1);
      await expect(store.read(appid, 'access_token')).resolves.toMatchObject({ value: 'TOKEN_1', refreshAt: EXPIRED, expiresAt: EXPIRED });
      expect(await store.tryLease(appid, 'access_token', 'p2', at(1), at(30_001))).toBe(true);
      expect(await store.expireIfValue(appid, 'wx_card_ticket', 'TOKEN_1')).toBe(false);
    });
  });
});

import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox, type SandboxSettings } from '..';

const APP = { appid: 'wx1111111111111111', secret: 'sandbox-secret-0123456789abcdef', originalId: 'gh_000000000001' };

async function startSandbox(settings: Partial<SandboxSettings> = {}): Promise<Sandbox> {
  return createSandbox({ mongodbUri: testDatabaseUri(), apps: [APP], settings });
}

type Json = Record<string, unknown>;
const get = async (sb: Sandbox, path: string): Promise<Json> => (await fetch(`${sb.url}${path}`)).json() as Promise<Json>;
const post = async (sb: Sandbox, path: string, body: unknown): Promise<Json> =>
  (await fetch(`${sb.url}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) })).json() as Promise<Json>;

const tokenPath = (secret = APP.secret, appid = APP.appid) => `/cgi-bin/token?grant_type=client_credential&appid=${appid}&secret=${secret}`;
const stable = (sb: Sandbox, extra: Json = {}) =>
  post(sb, '/cgi-bin/stable_token', { grant_type: 'client_credential', appid: APP.appid, secret: APP.secret, ...extra });
const ticketWith = (sb: Sandbox, token: unknown) => get(sb, `/cgi-bin/ticket/getticket?type=wx_card&access_token=${String(token)}`);

describe('sandbox platform endpoints', () => {
  let sb: Sandbox;
  afterEach(async () => sb?.close());

  describe('/cgi-bin/token', () => {
    it('checks grant_type, appid and secret the way WeChat does', async () => {
      sb = await startSandbox();
      expect(await get(sb, '/cgi-bin/token?grant_type=x&appid=a&secret=b')).toMatchObject({ errcode: 40002 });
      expect(await get(sb, tokenPath(APP.secret, 'wx9999999999999999'))).toMatchObject({ errcode: 40013, errmsg: expect.stringMatching(/^invalid appid rid: /) });
      expect(await get(sb, tokenPath('wrong'))).toMatchObject({ errcode: 40125 });
      expect(await get(sb, tokenPath())).toEqual({ access_token: expect.any(String), expires_in: 7200 });
    });

    it('a new token leaves the previous one working for the overlap only', async () => {
      sb = await startSandbox({ overlapSeconds: 1 });
      const first = (await get(sb, tokenPath())).access_token;
      const second = (await get(sb, tokenPath())).access_token;
      expect(second).not.toBe(first);
      expect(await ticketWith(sb, first)).toMatchObject({ errcode: 0 });
      sb.clock.advance(1_100);
      expect(await ticketWith(sb, first)).toMatchObject({ errcode: 42001 });
      expect(await ticketWith(sb, second)).toMatchObject({ errcode: 0 });
    });

    it('tokens expire after their lifetime', async () => {
      sb = await startSandbox({ tokenTtlSeconds: 1 });
      const token = (await get(sb, tokenPath())).access_token;
      sb.clock.advance(1_100);
      expect(await ticketWith(sb, token)).toMatchObject({ errcode: 42001 });
      expect(await ticketWith(sb, 'made-up')).toMatchObject({ errcode: 40001 });
      expect(await get(sb, '/cgi-bin/ticket/getticket?type=wx_card')).toMatchObject({ errcode: 41001 });
    });
  });

  describe('/sandbox/api/clock', () => {
    it('moves the sandbox’s time forward for tests in another process: a token expires without waiting', async () => {
      sb = await startSandbox({ tokenTtlSeconds: 60 });
      const token = (await get(sb, tokenPath())).access_token;
      const before = await get(sb, '/sandbox/api/clock');
      expect(before).toEqual({ now: expect.any(String), offsetMs: 0 });
      const moved = await post(sb, '/sandbox/api/clock', { advanceMs: 61_000 });
      expect(moved.offsetMs).toBe(61_000);
      expect(new Date(String(moved.now)).getTime() - new Date(String(before.now)).getTime()).toBeGreaterThanOrEqual(61_000);
      expect(await ticketWith(sb, token)).toMatchObject({ errcode: 42001 });
    });

    it('refuses to move back, or by anything but whole milliseconds', async () => {
      sb = await startSandbox();
      for (const body of [{ advanceMs: -1 }, { advanceMs: 0.5 }, { advanceMs: '1000' }, {}, { advanceMs: 1, extra: 1 }]) {
        const res = await fetch(`${sb.url}/sandbox/api/clock`, { method: 'POST', body: JSON.stringify(body) });
        expect({ body, status: res.status, code: ((await res.json()) as { error?: { code?: string } }).error?.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
      }
      expect(sb.clock.offsetMs).toBe(0);
    });
  });

  describe('/cgi-bin/stable_token', () => {
    it('returns the same token until force_refresh replaces it at once, and is isolated from /cgi-bin/token', async () => {
      sb = await startSandbox();
      const first = await stable(sb);
      expect(first).toEqual({ access_token: expect.any(String), expires_in: 7200 });
      expect((await stable(sb)).access_token).toBe(first.access_token);
      await get(sb, tokenPath()); // a /cgi-bin/token fetch does not touch stable tokens
      expect(await ticketWith(sb, first.access_token)).toMatchObject({ errcode: 0 });

      const forced = await stable(sb, { force_refresh: true });
      expect(forced.access_token).not.toBe(first.access_token);
      expect(await ticketWith(sb, first.access_token)).toMatchObject({ errcode: 42001 });
      // Within 30 s of a forced refresh, another one does not rotate again.
      expect((await stable(sb, { force_refresh: true })).access_token).toBe(forced.access_token);
      expect((await get(sb, '/sandbox/api/stats')).stableTokenFetches).toBe(2);
    });

    it('rotates shortly before expiry, the old token still working during the overlap', async () => {
      sb = await startSandbox({ tokenTtlSeconds: 2, overlapSeconds: 5 });
      const first = (await stable(sb)).access_token;
      const second = (await stable(sb)).access_token; // 2 s left < 5 s overlap: rotate
      expect(second).not.toBe(first);
      expect(await ticketWith(sb, first)).toMatchObject({ errcode: 0 });
    });

    it('answers 47001 to a body that is not JSON', async () => {
      sb = await startSandbox();
      expect(await post(sb, '/cgi-bin/stable_token', 'grant_type=client_credential')).toMatchObject({ errcode: 47001 });
    });
  });

  describe('/cgi-bin/ticket/getticket', () => {
    it('hands out the current wx_card ticket while it is valid, counting fetches', async () => {
      sb = await startSandbox();
      const token = (await stable(sb)).access_token;
      const first = await ticketWith(sb, token);
      expect(first).toEqual({ errcode: 0, errmsg: 'ok', ticket: expect.any(String), expires_in: 7200 });
      expect((await ticketWith(sb, token)).ticket).toBe(first.ticket);
      expect(await get(sb, `/cgi-bin/ticket/getticket?type=other&access_token=${String(token)}`)).toMatchObject({ errcode: 40097 });
      const stats = await get(sb, '/sandbox/api/stats');
      expect(stats).toMatchObject({ ticketFetches: 1, tokenFetches: 1, calls: { '/cgi-bin/ticket/getticket': 3 } });
    });
  });

  describe('/sns/jscode2session', () => {
    const login = (code: string) =>
      get(sb, `/sns/jscode2session?appid=${APP.appid}&secret=${APP.secret}&js_code=${encodeURIComponent(code)}&grant_type=authorization_code`);

    it('maps a code to a stable openid, once per code', async () => {
      sb = await startSandbox();
      const first = await login('alice.1');
      expect(first).toEqual({ openid: expect.stringMatching(/^o[\w-]{27}$/), session_key: expect.any(String) });
      expect((await login('alice.2')).openid).toBe(first.openid);
      expect((await login('bob.1')).openid).not.toBe(first.openid);
      expect(await login('alice.1')).toMatchObject({ errcode: 40163 });
    });

    it('answers 40029 to a malformed code and 40226 to a blocked user', async () => {
      sb = await startSandbox();
      expect(await login('bad code with spaces')).toMatchObject({ errcode: 40029 });
      expect(await login('blocked-user.1')).toMatchObject({ errcode: 40226 });
    });
  });

  describe('faults and unknown paths', () => {
    it('injects errors and delays per endpoint, and expires every token on demand', async () => {
      sb = await startSandbox();
      const token = (await stable(sb)).access_token;
      const put = (faults: unknown) =>
        fetch(`${sb.url}/sandbox/api/faults`, { method: 'PUT', body: JSON.stringify(faults) }).then((r) => r.json() as Promise<Json>);

      await put({ endpoints: { '/cgi-bin/ticket/getticket': { errorRate: 1, errcode: 45011 } } });
      expect(await ticketWith(sb, token)).toMatchObject({ errcode: 45011 });

      await put({ endpoints: { '/cgi-bin/ticket/getticket': { delayMs: 300 } } });
      const started = Date.now();
      expect(await ticketWith(sb, token)).toMatchObject({ errcode: 0 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);

      await put({ expireTokens: true });
      expect(await ticketWith(sb, token)).toMatchObject({ errcode: 42001 });
      expect(await put({ endpoints: { nope: {} } })).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    });

    it('answers 40066 for a path WeChat does not have', async () => {
      sb = await startSandbox();
      expect(await get(sb, '/cgi-bin/nope')).toMatchObject({ errcode: 40066 });
    });
  });
});

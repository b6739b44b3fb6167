import { testDatabaseUri } from './harness/database';
import { TEST_ENV } from './support/app';
import { startFakeWeChat } from './support/fake-wechat';
import { eventually } from './support/eventually';
import { spawnTs, type Spawned } from './support/process';

const secret = 'S3cretAppSecretValue0123456789ab';
const adminKey = 'admin-key-that-must-never-be-logged';

function serverEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    ...TEST_ENV,
    MONGODB_URI: testDatabaseUri(),
    WECHAT_SECRET: secret,
    ADMIN_API_KEYS: adminKey,
    HOST: '127.0.0.1',
    PORT: '0',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

describe('the server process (server/src/main.ts)', () => {
  let server: Spawned | undefined;
  afterEach(() => {
    if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  });

  it('starts, answers /healthz and /readyz, and stops cleanly on SIGTERM without logging secrets', async () => {
    server = spawnTs('server/src/main.ts', serverEnv());
    const listening = JSON.parse(await server.waitForLine(/"msg":"listening"/)) as { url: string };
    expect((await fetch(`${listening.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${listening.url}/readyz`);
    expect(ready.status).toBe(200);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('"msg":"stopped"');
    expect(server.output()).not.toContain(secret);
    expect(server.output()).not.toContain(adminKey);
    await expect(fetch(`${listening.url}/healthz`)).rejects.toThrow();
  });

  it('finishes its in-flight requests when a second SIGTERM arrives during shutdown (kill of npm start’s process group)', async () => {
    const wechat = await startFakeWeChat({ appid: TEST_ENV.WECHAT_APPID, secret: secret });
    try {
      server = spawnTs('server/src/main.ts', serverEnv({ WECHAT_API_BASE: wechat.baseUrl, WORKER_ENABLED: 'false' }));
      const { url } = JSON.parse(await server.waitForLine(/"msg":"listening"/)) as { url: string };
      // Six logins that WeChat answers slowly: requests in flight when the signals come.
      const slow = Array.from({ length: 6 }, (_, i) => ({ reply: { openid: `oSlowBuyer${i}xxxxxxxxxxxxxxxxx`, session_key: 'c2Vzc2lvbmtleQ' }, delayMs: 2_500 }));
      wechat.enqueue('/sns/jscode2session', ...slow);
      const logins = Array.from({ length: 6 }, (_, i) =>
        fetch(`${url}/api/mp/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `slow.${i}` }) }).then(
          (res) => res.status,
          (err: Error) => err.message,
        ),
      );
      await eventually(async () => wechat.count('/sns/jscode2session') === 6, 'six logins at WeChat', 15_000);
      server.child.kill('SIGTERM');
      await server.waitForLine(/shutting down/);
      server.child.kill('SIGTERM');
      await server.waitForLine(/signal ignored/);
      expect(await Promise.all(logins)).toEqual([200, 200, 200, 200, 200, 200]);
      expect(await server.exited).toEqual({ code: 0, signal: null });
    } finally {
      await wechat.close();
    }
  });

  it('refuses to start when a required variable is missing, naming it', async () => {
    server = spawnTs('server/src/main.ts', serverEnv({ WECHAT_SECRET: undefined, ADMIN_API_KEYS: undefined }));
    const { code } = await server.exited;
    expect(code).toBe(78);
    expect(server.output()).toContain('missing required environment variables: WECHAT_SECRET, ADMIN_API_KEYS');
  });
});

import { testDatabaseUri } from '../test/harness/database';
import { spawnTs, type Spawned } from '../test/support/process';
import { parseSandboxEnv, SandboxEnvError } from './main-env';
import { AES_KEY, PUSH_TOKEN } from './invoice/test-kit';

const APPID = 'wx3a3a3a3a3a3a3a3a';
const SECRET = 'sandbox-secret-never-printed-0123';
const BASE = { SANDBOX_MONGODB_URI: 'mongodb://127.0.0.1:27017/fapiao_sandbox', SANDBOX_APPID: APPID, SANDBOX_SECRET: SECRET };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    parseSandboxEnv(env);
  } catch (err) {
    if (err instanceof SandboxEnvError) return err.problems;
    throw err;
  }
  throw new Error('expected the environment to be refused');
}

describe('sandbox: standalone run (main.ts)', () => {
  describe('its environment', () => {
    it('one app, with safe pushes when an AES key is given; defaults for the rest', () => {
      const config = parseSandboxEnv({ ...BASE, SANDBOX_PUSH_URL: 'http://127.0.0.1:3000/wechat/push', SANDBOX_PUSH_TOKEN: PUSH_TOKEN.replace(/-/g, ''), SANDBOX_PUSH_AES_KEY: AES_KEY });
      expect(config.port).toBe(3900);
      expect(config.host).toBe('127.0.0.1');
      expect(config.options.apps).toEqual([
        {
          appid: APPID,
          secret: SECRET,
          originalId: `gh_${APPID.slice(2, 14)}`,
          push: { url: 'http://127.0.0.1:3000/wechat/push', token: PUSH_TOKEN.replace(/-/g, ''), aesKey: AES_KEY, mode: 'safe', format: 'xml' },
        },
      ]);
      expect(config.options.settings).toMatchObject({ pushTimeoutMs: 5000, pushRetries: 3, invoiceIssueDelayMs: 1000 });
      expect(config.options.publicUrl).toBeUndefined();
    });

    it('more apps from SANDBOX_APPS, settings from SANDBOX_SETTINGS, port, host and public URL', () => {
      const other = { appid: 'wx4b4b4b4b4b4b4b4b', secret: 's2', originalId: 'gh_other', push: { url: 'https://m.example/push', token: 'tok123', mode: 'plain', format: 'json' } };
      const config = parseSandboxEnv({
        ...BASE,
        SANDBOX_PORT: '0',
        SANDBOX_HOST: '0.0.0.0',
        SANDBOX_PUBLIC_URL: 'http://192.0.2.10:3900',
        SANDBOX_APPS: JSON.stringify([other]),
        SANDBOX_SETTINGS: '{"invoiceIssueDelayMs":3000,"pushRetries":1}',
      });
      expect(config).toMatchObject({ port: 0, host: '0.0.0.0', options: { publicUrl: 'http://192.0.2.10:3900', settings: { invoiceIssueDelayMs: 3000, pushRetries: 1 } } });
      expect(config.options.apps.map((a) => a.appid)).toEqual([APPID, other.appid]);
      expect(config.options.apps[0]?.push).toBeUndefined();
    });

    it('names every variable that is wrong, without repeating values', () => {
      expect(problemsOf({})).toEqual(
        expect.arrayContaining([expect.stringMatching(/^SANDBOX_MONGODB_URI: is required/), expect.stringMatching(/^SANDBOX_APPID: is required/)]),
      );
      const problems = problemsOf({
        ...BASE,
        SANDBOX_MONGODB_URI: 'postgres://x',
        SANDBOX_PORT: '99999',
        SANDBOX_PUSH_URL: 'ftp://x',
        SANDBOX_PUSH_AES_KEY: `${SECRET}-short`,
        SANDBOX_SETTINGS: '{"pushRetries":',
      });
      expect(problems).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^SANDBOX_MONGODB_URI: must be a mongodb/),
          expect.stringMatching(/^SANDBOX_PORT: /),
          expect.stringMatching(/^SANDBOX_PUSH_URL: must be an http\(s\) URL/),
          expect.stringMatching(/^SANDBOX_PUSH_AES_KEY: must be the 43-character EncodingAESKey/),
          expect.stringMatching(/^SANDBOX_SETTINGS: must be JSON/),
        ]),
      );
      expect(problems.join('\n')).not.toContain(SECRET);
      expect(problemsOf({ ...BASE, SANDBOX_PUSH_URL: 'http://127.0.0.1/p' })).toEqual([expect.stringMatching(/^SANDBOX_PUSH_TOKEN: is required with SANDBOX_PUSH_URL/)]);
      expect(problemsOf({ ...BASE, SANDBOX_PUSH_URL: 'http://127.0.0.1/p', SANDBOX_PUSH_TOKEN: 'tok123', SANDBOX_PUSH_MODE: 'safe' })).toEqual([
        expect.stringMatching(/^SANDBOX_PUSH_AES_KEY: is required in safe mode/),
      ]);
      expect(problemsOf({ ...BASE, SANDBOX_PUSH_TOKEN: 'tok123' })).toEqual([expect.stringMatching(/^SANDBOX_PUSH_TOKEN: needs SANDBOX_PUSH_URL/)]);
      expect(problemsOf({ ...BASE, SANDBOX_APPS: JSON.stringify([{ appid: APPID, secret: 'x', originalId: 'gh_x' }]) })).toEqual([
        expect.stringMatching(/^SANDBOX_APPS: names an appid twice/),
      ]);
      expect(problemsOf({ ...BASE, SANDBOX_APPS: '[{"appid":"nope"}]' })).toEqual(expect.arrayContaining([expect.stringMatching(/^SANDBOX_APPS\.0\.appid: must be an appid/)]));
    });
  });

  describe('the process', () => {
    let proc: Spawned | undefined;
    afterEach(() => {
      if (proc && proc.child.exitCode === null) proc.child.kill('SIGKILL');
    });

    it('prints its URL, serves WeChat and the console for the app from the environment, stops on SIGTERM', async () => {
      proc = spawnTs('server/sandbox/main.ts', { ...BASE, SANDBOX_MONGODB_URI: testDatabaseUri(), SANDBOX_PORT: '0' });
      const url = /listening on (http:\/\/\S+)/.exec(await proc.waitForLine(/WeChat sandbox listening on /))?.[1] ?? '';
      const token = (await (await fetch(`${url}/cgi-bin/token?grant_type=client_credential&appid=${APPID}&secret=${SECRET}`)).json()) as Record<string, unknown>;
      expect(token).toMatchObject({ access_token: expect.any(String), expires_in: 7200 });
      const console = await fetch(`${url}/sandbox`);
      expect(console.status).toBe(200);
      expect(await console.text()).toContain(APPID);

      proc.child.kill('SIGTERM');
      expect(await proc.exited).toEqual({ code: 0, signal: null });
      expect(proc.output()).toContain(`${url}/sandbox`);
      expect(proc.output()).not.toContain(SECRET);
    });

    it('exits 1 naming what is wrong in the environment', async () => {
      proc = spawnTs('server/sandbox/main.ts', { SANDBOX_APPID: APPID, SANDBOX_SECRET: SECRET });
      expect(await proc.exited).toEqual({ code: 1, signal: null });
      expect(proc.output()).toContain('invalid sandbox environment:');
      expect(proc.output()).toContain('SANDBOX_MONGODB_URI: is required');
      expect(proc.output()).not.toContain(SECRET);
    });
  });
});

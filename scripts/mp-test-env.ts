/**
 * The real server + worker + WeChat sandbox for the Mini Program page tests, in a child process.
 *
 * The page tests run in jsdom (miniprogram-simulate needs a DOM), where the server's stack
 * (mongoose, Node's fetch, setImmediate) does not belong; so the tests fork this file under tsx
 * and talk to it over IPC, while the Mini Program's wx.request goes to the server over real HTTP.
 * It reuses server/test/support/lifecycle-env.ts: the same environment the server's lifecycle
 * tests use (sandbox, real app, worker with fast schedules, merchant set up).
 *
 * Protocol: the child sends {type:'ready', appUrl, sandboxUrl, appid} once started, then answers
 * each {id, op, args} with {id, ok:true, value} or {id, ok:false, error}. `close` shuts it down.
 */
import path from 'node:path';

export type EnvOp =
  | { op: 'admin'; args: [method: string, path: string, body?: unknown] }
  | { op: 'sandboxApi'; args: [method: string, path: string, body?: unknown] }
  | { op: 'openidFor'; args: [name: string] }
  | { op: 'seedDemoOrders'; args: [] }
  | { op: 'close'; args: [] };

export type EnvMessage =
  | { type: 'ready'; appUrl: string; sandboxUrl: string; appid: string }
  | { type: 'failed'; error: string }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

async function main(): Promise<void> {
  const send = (message: EnvMessage) => process.send?.(message);
  // lifecycle-env names each test database after the jest test file (expect.getState()); outside
  // jest, give it the same answer for this process.
  (globalThis as unknown as { expect: { getState(): { testPath: string } } }).expect = {
    getState: () => ({ testPath: path.join(__dirname, 'mp-pages.test.ts') }),
  };
  const { startLifecycleEnv, openidFor, ADMIN_KEY } = await import('../server/test/support/lifecycle-env');
  const { seedDemoOrders } = await import('./demo-data');
  const { TEST_ENV } = await import('../server/test/support/app');
  const env = await startLifecycleEnv();
  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await env.close();
  };
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
  process.on('message', (raw: { id: number } & EnvOp) => {
    const run = async (): Promise<unknown> => {
      switch (raw.op) {
        case 'admin':
          return env.admin(...raw.args);
        case 'sandboxApi':
          return env.sandboxApi(...raw.args);
        case 'openidFor':
          return openidFor(TEST_ENV.WECHAT_APPID, raw.args[0]);
        case 'seedDemoOrders':
          // What `npm start` seeds, so the DevTools login can be checked against it.
          return seedDemoOrders(env.app.url, ADMIN_KEY, TEST_ENV.WECHAT_APPID);
        case 'close':
          await close();
          return null;
      }
    };
    run().then(
      (value) => {
        send({ type: 'reply', id: raw.id, ok: true, value });
        if (raw.op === 'close') process.disconnect();
      },
      (err: unknown) => send({ type: 'reply', id: raw.id, ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
    );
  });
  send({ type: 'ready', appUrl: env.app.url, sandboxUrl: env.sandbox.url, appid: TEST_ENV.WECHAT_APPID });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.send?.({ type: 'failed', error: err instanceof Error ? err.stack ?? err.message : String(err) });
    process.exitCode = 1;
  });
}

import { spawnTs, type Spawned } from './process';
import { TEST_ENV } from './app';
import { PUSH_AES_KEY } from './test-sandbox';

export interface ServerProcessOptions {
  mongodbUri: string;
  port: number;
  /** The WeChat sandbox the server talks to, and the merchant set up there. */
  sandboxUrl: string;
  merchant: { sPappid: string; merchantCode: string };
  adminKey: string;
  /** Runs the invoice worker in the process (default true). */
  worker?: boolean;
}

/**
 * The real server (server/src/main.ts) as its own OS process, configured for the sandbox
 * (test-sandbox.ts), with its worker's waits scaled down 50× so a flow takes seconds. Resolves
 * once it listens. The in-process counterpart is lifecycle-env.ts.
 */
export async function startServerProcess(opts: ServerProcessOptions): Promise<Spawned> {
  const spawned = spawnTs('server/src/main.ts', {
    ...TEST_ENV,
    MONGODB_URI: opts.mongodbUri,
    HOST: '127.0.0.1',
    PORT: String(opts.port),
    ADMIN_API_KEYS: opts.adminKey,
    WECHAT_AES_KEY: PUSH_AES_KEY,
    WECHAT_API_BASE: opts.sandboxUrl,
    WECHAT_SANDBOX: 'true',
    INVOICE_S_PAPPID: opts.merchant.sPappid,
    FPQQLSH_PREFIX: opts.merchant.merchantCode,
    WORKER_ENABLED: String(opts.worker ?? true),
    WORKER_TIME_SCALE: '0.02',
    LOG_LEVEL: 'info',
  });
  try {
    await spawned.waitForLine(/"msg":"listening"/, 60_000);
  } catch (err) {
    spawned.child.kill('SIGKILL');
    throw err;
  }
  return spawned;
}

import { openidFor, type BehaviourInput, type Sandbox, type SandboxSettings } from '../../sandbox';
import type { SchedulePolicy } from '../../src/domain/lifecycle/deps';
import { startDelivery } from '../../src/notify/delivery';
import { startInvoiceWorker, type RunningWorker } from '../../src/worker/invoice-worker';
import { bootstrapSandboxMerchant } from '../../../scripts/sandbox-bootstrap';
import { startTestApp, TEST_ENV, type TestApp } from './app';
import { fetchRetryingResets } from './retrying-fetch';
import { pointSandboxPushesAt, PUSH_AES_KEY, startTestSandbox } from './test-sandbox';
export { orderFor } from './orders';

export const ADMIN_KEY = 'key-lifecycle-admin-0123456789';

/** A further WeChat account of the merchant, in the sandbox and in the server's WECHAT_ACCOUNTS. */
export interface ExtraAccount {
  name: string;
  kind: 'official_account' | 'app';
  appid: string;
  secret: string;
  /** Push Token and EncodingAESKey (an Official Account); an app has none: its pushes go to `pushVia`. */
  token?: string;
  aesKey?: string;
  /** The name of the account whose push URL gets this one's pushes. */
  pushVia?: string;
  originalId: string;
}

/** Worker waits scaled down so a whole flow takes a second or two. */
const FAST_SCHEDULE = {
  authPollFirstMs: 300,
  authPollMaxMs: 1_000,
  confirmFirstMs: 150,
  confirmMaxMs: 600,
  retryBaseMs: 100,
  retryMaxMs: 1_000,
};

export interface LifecycleEnv {
  sandbox: Sandbox;
  app: TestApp;
  worker: RunningWorker;
  /** The sandbox's s_pappid for the merchant. */
  sPappid: string;
  /** A buyer: logs in with a code whose user part is `name`; returns the session token and openid. */
  login(name: string): Promise<{ token: string; openid: string }>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  mp(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Calls the sandbox's machine API. */
  sandboxApi(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  close(): Promise<void>;
}

let loginSeq = 0;

/**
 * The real server (its app and its worker) against the WeChat sandbox, both on real HTTP with
 * real databases, merchant set up the way ops would: seturl at the platform, then contact and
 * auth fields through our admin API. Pushes are safe-mode XML.
 */
export async function startLifecycleEnv(
  opts: {
    sandboxSettings?: Partial<SandboxSettings>;
    /** WeChat's undocumented behaviour in the sandbox (docs/wechat-behaviour.md). */
    sandboxBehaviour?: BehaviourInput;
    /** Worker waits and limits beyond FAST_SCHEDULE. */
    schedule?: Partial<SchedulePolicy>;
    /** Extra server configuration (e.g. WECHAT_TIMEOUT_MS). */
    serverEnv?: Record<string, string>;
    workerConcurrency?: number;
    /** More accounts (Official Account, app), all bound to one Open Platform account with the Mini Program. */
    accounts?: ExtraAccount[];
    /** Also run the outboxes' delivery loops (emailed copies, alerts), as main.ts does. */
    deliver?: boolean;
  } = {},
): Promise<LifecycleEnv> {
  const extra = opts.accounts ?? [];
  const openPlatform = extra.length ? { openPlatform: 'open-platform-test' } : {};
  const appidOf = (name: string) => extra.find((a) => a.name === name)?.appid ?? TEST_ENV.WECHAT_APPID;
  const sandbox = await startTestSandbox({
    miniProgram: openPlatform,
    apps: extra.map((a) => ({
      appid: a.appid,
      secret: a.secret,
      originalId: a.originalId,
      kind: a.kind,
      ...openPlatform,
      ...(a.pushVia ? { pushVia: appidOf(a.pushVia) } : {}),
    })),
    ...(opts.sandboxSettings ? { settings: opts.sandboxSettings } : {}),
    ...(opts.sandboxBehaviour ? { behaviour: opts.sandboxBehaviour } : {}),
  });
  const merchant = await bootstrapSandboxMerchant(sandbox.url, { appid: TEST_ENV.WECHAT_APPID, secret: TEST_ENV.WECHAT_SECRET });
  const app = await startTestApp({
    env: {
      WECHAT_API_BASE: sandbox.url,
      WECHAT_SANDBOX: 'true',
      WECHAT_OPEN_BASE: sandbox.url,
      WECHAT_AES_KEY: PUSH_AES_KEY,
      INVOICE_S_PAPPID: merchant.sPappid,
      FPQQLSH_PREFIX: merchant.merchantCode,
      ADMIN_API_KEYS: ADMIN_KEY,
      ...(extra.length
        ? { WECHAT_ACCOUNTS: JSON.stringify(extra.map(({ name, kind, appid, secret, token, aesKey }) => ({ name, kind, appid, secret, token, aesKey }))) }
        : {}),
      ...opts.serverEnv,
    },
    schedule: { ...FAST_SCHEDULE, ...opts.schedule },
  });
  await pointSandboxPushesAt(sandbox, `${app.url}/wechat/push`);
  // Each account's own push URL and keys, as set in its own console.
  for (const a of extra) if (a.token) await pointSandboxPushesAt(sandbox, `${app.url}/wechat/push/${a.name}`, a.appid, { token: a.token, aesKey: a.aesKey });
  const worker = startInvoiceWorker(
    app.container.lifecycle,
    { concurrency: opts.workerConcurrency ?? 2, leaseMs: 10_000, idleMs: 50, onClaim: (lagMs) => app.container.metrics.claimLag.observe(lagMs / 1000) },
    app.container.workerJobs,
  );
  const deliveries = opts.deliver
    ? app.container.outboxes.map((outbox) => startDelivery(outbox, { idleMs: 30, leaseMs: 5_000, log: app.container.logger }))
    : [];

  const request = async (base: string, method: string, path: string, headers: Record<string, string>, given?: unknown) => {
    const body = given ?? undefined; // null (e.g. after IPC) means no body too
    const res = await fetchRetryingResets(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const env: LifecycleEnv = {
    sandbox,
    app,
    worker,
    sPappid: merchant.sPappid,
    async login(name) {
      loginSeq += 1;
      const { status, json } = await request(app.url, 'POST', '/api/mp/session', {}, { code: `${name}.${loginSeq}` });
      if (status !== 200) throw new Error(`login as ${name} failed: ${status} ${JSON.stringify(json)}`);
      return { token: String(json.token), openid: String(json.openid) };
    },
    admin: (method, path, body) => request(app.url, method, `/api/admin${path}`, { authorization: `Bearer ${ADMIN_KEY}` }, body),
    mp: (token, method, path, body) => request(app.url, method, `/api/mp${path}`, { authorization: `Bearer ${token}` }, body),
    sandboxApi: (method, path, body) => request(sandbox.url, method, `/sandbox/api${path}`, {}, body),
    async close() {
      await worker.stop();
      await Promise.all(deliveries.map((delivery) => delivery.stop()));
      await app.close();
      await sandbox.close();
    },
  };
  // Merchant settings through our own admin API, as ops would set them.
  await env.admin('PUT', '/settings/contact', { phone: '0591-88888888', timeOut: 3600 });
  await env.admin('PUT', '/settings/auth-fields', {
    user_field: { show_title: 1, show_phone: 1, show_email: 1 },
    biz_field: { show_title: 1, show_tax_no: 1, show_addr: 1, show_phone: 1, show_bank_type: 1, show_bank_no: 1, require_tax_no: 1 },
  });
  return env;
}

export { openidFor };

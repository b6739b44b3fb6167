/**
 * Exactly once, across processes and crashes: real server processes (server/src/main.ts, worker
 * included) sharing one database, against the WeChat sandbox. Whatever happens, every order ends
 * with exactly one invoice at the sandbox. (The kill drill at volume is server/test/kill-drill.test.ts.)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../sandbox';
import { bootstrapSandboxMerchant } from '../../scripts/sandbox-bootstrap';
import { freePort } from '../../scripts/mongo/free-port';
import { readText } from '../src/http/read-text';
import { testDatabaseUri } from './harness/database';
import { TEST_ENV } from './support/app';
import { eventually } from './support/eventually';
import { orderFor } from './support/lifecycle-env';
import type { Spawned } from './support/process';
import { startServerProcess } from './support/server-process';
import { pointSandboxPushesAt, startTestSandbox } from './support/test-sandbox';

const ADMIN_KEY = 'key-processes-admin-0123456789';

interface Server {
  url: string;
  process: Spawned;
}

let sandbox: Sandbox;
let merchant: { sPappid: string; merchantCode: string };
const running: Spawned[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox({ originalId: 'gh_fapiaoproc001', settings: { invoiceIssueDelayMs: 150, pushTimeoutMs: 1_000 } });
  merchant = await bootstrapSandboxMerchant(sandbox.url, { appid: TEST_ENV.WECHAT_APPID, secret: TEST_ENV.WECHAT_SECRET });
});

afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});
afterAll(async () => sandbox?.close());

async function startServer(mongodbUri: string, port: number): Promise<Server> {
  const spawned = await startServerProcess({ mongodbUri, port, sandboxUrl: sandbox.url, merchant, adminKey: ADMIN_KEY });
  running.push(spawned);
  return { url: `http://127.0.0.1:${port}`, process: spawned };
}

const pointPushesAt = (url: string) => pointSandboxPushesAt(sandbox, url);

async function call(base: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** n buyers each order, request type 1 and authorize at the sandbox; returns the order numbers. */
async function requestAndAuthorize(server: Server, n: number, tag: string): Promise<string[]> {
  const orderNos: string[] = [];
  for (let i = 0; i < n; i++) {
    const login = await fetch(`${server.url}/api/mp/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `${tag}${i}.1` }) });
    const session = (await login.json()) as { token: string; openid: string };
    const orderNo = `${tag}${i}x${Date.now().toString(36)}`;
    expect((await call(server.url, 'POST', '/api/admin/orders', ADMIN_KEY, orderFor(session.openid, orderNo))).status).toBe(201);
    const link = await call(server.url, 'POST', `/api/mp/orders/${orderNo}/invoice`, session.token, { type: 1 });
    expect(link.status).toBe(200);
    const authorized = await fetch(`${sandbox.url}/sandbox/api/authorize`, {
      method: 'POST',
      body: JSON.stringify({ auth_url: link.json.authUrl, openid: session.openid, action: 'authorize', user_field: { title: `买家${i}` } }),
    });
    expect(authorized.status).toBe(200);
    orderNos.push(orderNo);
  }
  return orderNos;
}

async function statuses(server: Server, orderNos: string[]): Promise<string[]> {
  const all = await call(server.url, 'GET', '/api/admin/invoices?limit=500', ADMIN_KEY);
  const mine = (all.json.invoices as { orderNo: string; status: string }[]).filter((r) => orderNos.includes(r.orderNo));
  return mine.map((r) => r.status);
}

async function expectOneInvoiceEach(orderNos: string[]): Promise<void> {
  for (const orderNo of orderNos) {
    const res = await fetch(`${sandbox.url}/sandbox/api/invoices?ddh=${orderNo}`);
    const { invoices } = (await res.json()) as { invoices: { kind?: string }[] };
    expect([orderNo, invoices.length]).toEqual([orderNo, 1]);
  }
}

it('every push delivered 4 times, concurrently, to two server processes sharing the database: one invoice per order', async () => {
  const db = testDatabaseUri();
  const [a, b] = await Promise.all([startServer(db, await freePort()), startServer(db, await freePort())]);
  // WeChat → a fan-out that hands each push to both processes, twice each, at the same time.
  const fanOut = http.createServer((req, res) => {
    void (async () => {
      const body = (await readText(req, 64 * 1024)) ?? '';
      const deliver = (base: string) =>
        fetch(`${base}/wechat/push${req.url?.slice(req.url.indexOf('?')) ?? ''}`, { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? 'text/xml' }, body }).then((r) => r.text());
      await Promise.allSettled([deliver(a.url), deliver(b.url), deliver(a.url), deliver(b.url)]);
      res.end('success');
    })();
  });
  await new Promise<void>((resolve) => fanOut.listen(0, '127.0.0.1', resolve));
  try {
    await pointPushesAt(`http://127.0.0.1:${(fanOut.address() as AddressInfo).port}/`);
    const orderNos = await requestAndAuthorize(a, 12, 'dup');
    await eventually(async () => ((await statuses(a, orderNos)).filter((s) => s === 'ISSUED').length === orderNos.length ? true : undefined), 'all ISSUED', 60_000);
    await expectOneInvoiceEach(orderNos);
  } finally {
    fanOut.closeAllConnections();
    await new Promise((resolve) => fanOut.close(resolve));
  }
}, 180_000);

it('a server killed with SIGKILL mid-flight and restarted: every request reaches a final state, none issued twice', async () => {
  const db = testDatabaseUri();
  const port = await freePort();
  await pointPushesAt(`http://127.0.0.1:${port}/wechat/push`);
  const first = await startServer(db, port);
  const orderNos = await requestAndAuthorize(first, 16, 'kill');
  // Kill as soon as some, but not all, are issued: the rest are somewhere in flight.
  await eventually(async () => ((await statuses(first, orderNos)).includes('ISSUED') ? true : undefined), 'a first ISSUED', 60_000);
  first.process.child.kill('SIGKILL');
  await first.process.exited;

  const second = await startServer(db, port);
  await eventually(async () => ((await statuses(second, orderNos)).every((s) => s === 'ISSUED') ? true : undefined), 'all ISSUED after restart', 90_000);
  await expectOneInvoiceEach(orderNos);
}, 180_000);

it('the server process (main.ts, its schedule scaled) ends every worker step by giving the request back: no step fails after its work', async () => {
  // main.ts once scaled the schedule's limits into NaN: each step then failed after its work and
  // kept its lease until it expired, so every request waited a lease per step (a minute in production).
  const db = testDatabaseUri();
  const port = await freePort();
  await pointPushesAt(`http://127.0.0.1:${port}/wechat/push`);
  const server = await startServer(db, port);
  const orderNos = await requestAndAuthorize(server, 3, 'steps');
  await eventually(async () => ((await statuses(server, orderNos)).every((s) => s === 'ISSUED') ? true : undefined), 'all ISSUED', 90_000);
  const failed = server.process
    .output()
    .split('\n')
    .filter((line) => /worker: (claim failed|checking the state limits failed)|worker step failed/.test(line));
  expect(failed).toEqual([]);
}, 180_000);

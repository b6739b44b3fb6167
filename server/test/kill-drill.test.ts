/**
 * Kill drill: buyers keep requesting and authorizing invoices while the server process is killed
 * with SIGKILL at random moments, three times, and restarted. Whatever a kill interrupted (a
 * request half-answered, a push half-processed, a makeoutinvoice whose answer never arrived),
 * every order must end ISSUED with exactly one invoice at the sandbox.
 */
import mongoose from 'mongoose';
import type { Sandbox } from '../sandbox';
import { bootstrapSandboxMerchant } from '../../scripts/sandbox-bootstrap';
import { freePort } from '../../scripts/mongo/free-port';
import { invoiceRequestModel } from '../src/data/invoice-request/invoice-request.schema';
import { testDatabaseUri } from './harness/database';
import { TEST_ENV } from './support/app';
import { eventually } from './support/eventually';
import { orderFor } from './support/lifecycle-env';
import type { Spawned } from './support/process';
import { startServerProcess } from './support/server-process';
import { pointSandboxPushesAt, startTestSandbox } from './support/test-sandbox';

const ADMIN_KEY = 'key-kill-drill-admin-0123456789';
// The issue's 300 orders; KILL_DRILL_ORDERS changes it.
const ORDERS = Number(process.env.KILL_DRILL_ORDERS ?? 300);
const BUYERS = 12;

let sandbox: Sandbox;
let server: Spawned | undefined;
let connection: mongoose.Connection;
// The server processes' database (each testDatabaseUri() call names a fresh one).
const databaseUri = testDatabaseUri();

beforeAll(async () => {
  sandbox = await startTestSandbox({ originalId: 'gh_fapiaokill001', settings: { invoiceIssueDelayMs: 150, pushTimeoutMs: 1_000 } });
  connection = await mongoose.createConnection(databaseUri).asPromise();
});
afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await connection?.close();
  await sandbox?.close();
});

/** One HTTP call to whichever server process is up; waits out a restart (connection refused). */
async function call(port: number, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    } catch (err) {
      // Refused while the process is down, or reset when it died mid-answer: the buyer taps again.
      if (attempt > 300) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** A buyer: log in, their order is imported, request an invoice (type 1), authorize at WeChat. */
async function buyerFlow(port: number, i: number): Promise<string> {
  const orderNo = `KILL${i}`;
  let session: { token: string; openid: string } | undefined;
  // Login codes are single-use: a login whose answer a kill swallowed is retried with a new code.
  for (let n = 1; !session; n++) {
    const login = await call(port, 'POST', '/api/mp/session', '', { code: `killbuyer${i}.${n}` });
    if (login.status === 200) session = { token: String(login.json.token), openid: String(login.json.openid) };
    else if (n > 20) throw new Error(`login ${i}: ${login.status} ${JSON.stringify(login.json)}`);
  }
  for (;;) {
    const created = await call(port, 'POST', '/api/admin/orders', ADMIN_KEY, orderFor(session.openid, orderNo));
    // 200 {created: false}: the kill came after the order was stored, and importing it again is a no-op.
    if (created.status === 201 || (created.status === 200 && created.json.created === false)) break;
    // 503: the database did not answer in time (a busy machine); the order system tries again.
    if (created.status === 503) {
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    throw new Error(`order ${orderNo}: ${created.status} ${JSON.stringify(created.json)}`);
  }
  let authUrl: string | undefined;
  for (let n = 0; !authUrl; n++) {
    // Asked again after a kill, the server resumes the pending request with the same order_id.
    const link = await call(port, 'POST', `/api/mp/orders/${orderNo}/invoice`, session.token, { type: 1 });
    if (link.status === 200) authUrl = String(link.json.authUrl);
    else if (link.status < 500 || n > 30) throw new Error(`request ${orderNo}: ${link.status} ${JSON.stringify(link.json)}`);
    else await new Promise((r) => setTimeout(r, 200));
  }
  const authorized = await fetch(`${sandbox.url}/sandbox/api/authorize`, {
    method: 'POST',
    body: JSON.stringify({ auth_url: authUrl, openid: session.openid, action: 'authorize', user_field: { title: `买家${i}` } }),
  });
  expect(authorized.status).toBe(200);
  return orderNo;
}

it(`${ORDERS} orders while the server is killed at random moments three times: all ISSUED, one invoice each`, async () => {
  const merchant = await bootstrapSandboxMerchant(sandbox.url, { appid: TEST_ENV.WECHAT_APPID, secret: TEST_ENV.WECHAT_SECRET });
  const port = await freePort();
  const start = () => startServerProcess({ mongodbUri: databaseUri, port, sandboxUrl: sandbox.url, merchant, adminKey: ADMIN_KEY });
  await pointSandboxPushesAt(sandbox, `http://127.0.0.1:${port}/wechat/push`);
  server = await start();
  await call(port, 'PUT', '/api/admin/settings/contact', ADMIN_KEY, { phone: '0591-88888888', timeOut: 3600 });

  // Kills land at random points of the run: after a random share (10–90 %) of the orders.
  const killAfter = Array.from({ length: 3 }, () => Math.floor(ORDERS * (0.1 + 0.8 * Math.random()))).sort((a, b) => a - b);
  const orderNos: string[] = [];
  let next = 0;
  let kills = 0;
  let killing: Promise<void> = Promise.resolve();
  await Promise.all(
    Array.from({ length: BUYERS }, async () => {
      while (next < ORDERS) {
        orderNos.push(await buyerFlow(port, next++));
        if (kills < killAfter.length && orderNos.length >= killAfter[kills]!) {
          kills += 1;
          killing = killing.then(async () => {
            await new Promise((r) => setTimeout(r, Math.random() * 500));
            server!.child.kill('SIGKILL');
            await server!.exited;
            server = await start();
          });
        }
      }
    }),
  );
  await killing;
  expect(kills).toBe(3);

  const requests = invoiceRequestModel(connection);
  await eventually(async () => ((await requests.countDocuments({ status: { $ne: 'ISSUED' } })) === 0 ? true : undefined), 'every request ISSUED', 300_000);
  const issued = await requests.find({}, { orderNo: 1, wxOrderId: 1, status: 1 }).lean();
  expect(issued.map((r) => r.orderNo).sort()).toEqual([...orderNos].sort());
  const invoices = await sandbox.db.model('SandboxInvoice').find({ kind: 'blue' }, { ddh: 1 }).lean<{ ddh: string }[]>();
  const perDdh = new Map<string, number>();
  for (const invoice of invoices) perDdh.set(invoice.ddh, (perDdh.get(invoice.ddh) ?? 0) + 1);
  expect(issued.filter((r) => perDdh.get(r.wxOrderId) !== 1).map((r) => `${r.orderNo}: ${perDdh.get(r.wxOrderId) ?? 0}`)).toEqual([]);
  expect(invoices).toHaveLength(ORDERS);
}, 900_000);

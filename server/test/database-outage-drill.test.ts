/**
 * Database outage drill: buyers keep logging in, their orders keep being imported, they request
 * and authorize invoices, and WeChat keeps pushing, while the server's database is first frozen
 * (SIGSTOP: its sockets stay open and nothing answers) and then killed (SIGKILL) and, a moment
 * later, started again on the same port and data. The server process is never restarted.
 *
 * Required: /readyz says 503 while the database is frozen (a deadline of its own, not the frozen
 * database's maxTimeMS), every call is answered (503 DATABASE_UNAVAILABLE, never a 500 and never
 * a hang), the ops CLI exits 3 ("unavailable"), no push is acknowledged unless it was stored, the
 * server recovers on its own, and every order imported ends ISSUED with exactly one invoice.
 *
 * The database is SecantusDB on a data directory of its own: it keeps its data through a kill
 * (the suite's shared mongo-java-server is in memory). OUTAGE_DRILL_FREEZE_MS / _DOWN_MS scale it.
 */
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import type { Sandbox } from '../sandbox';
import { bootstrapSandboxMerchant } from '../../scripts/sandbox-bootstrap';
import { freePort } from '../../scripts/mongo/free-port';
import { withDatabaseName } from '../../scripts/mongo';
import { dataDir } from '../../scripts/mongo/paths';
import { startSecantus } from '../../scripts/mongo/secantus';
import type { ChildServer } from '../../scripts/mongo/child-server';
import { runCli } from '../../scripts/ops/program';
import { invoiceRequestModel } from '../src/data/invoice-request/invoice-request.schema';
import { pushEventModel } from '../src/data/push-event/push-event.schema';
import { TEST_ENV } from './support/app';
import { eventually } from './support/eventually';
import { orderFor } from './support/lifecycle-env';
import type { Spawned } from './support/process';
import { startServerProcess } from './support/server-process';
import { pointSandboxPushesAt, startTestSandbox } from './support/test-sandbox';

const ADMIN_KEY = 'key-outage-drill-admin-0123456789';
const BUYERS = 6;
const FREEZE_MS = Number(process.env.OUTAGE_DRILL_FREEZE_MS ?? 6_000);
const DOWN_MS = Number(process.env.OUTAGE_DRILL_DOWN_MS ?? 3_000);
/** A call not answered in this long counts as hanging (WeChat itself waits 5 s for a push). */
const HANG_MS = 10_000;

let sandbox: Sandbox;
let server: Spawned | undefined;
let database: ChildServer | undefined;
let storageDir: string;
let dbPort: number;
let port: number;

const log = (line: string) => process.stderr.write(`[outage-db] ${line}\n`);
const startDatabase = async () => (database = (await startSecantus({ storageDir, port: dbPort, log })).server);

beforeAll(async () => {
  fs.mkdirSync(dataDir, { recursive: true });
  storageDir = fs.mkdtempSync(path.join(dataDir, `test-${process.pid}-outage-`));
  dbPort = await freePort();
  await startDatabase();
  sandbox = await startTestSandbox({ originalId: 'gh_fapiaooutage1', settings: { invoiceIssueDelayMs: 150, pushTimeoutMs: 1_000 } });
}, 300_000);
afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  await database?.stop();
  await sandbox?.close();
  if (storageDir) fs.rmSync(storageDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  json: Record<string, unknown>;
  ms: number;
}

/** What every call saw: for the figures, and to prove there was no 500 and no hang. */
const seen: { path: string; status: number | 'hang'; ms: number; at: number }[] = [];

async function call(method: string, urlPath: string, token: string, body?: unknown): Promise<Answer> {
  const started = Date.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? null : JSON.stringify(body),
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await res.text();
    const ms = Date.now() - started;
    seen.push({ path: urlPath.split('?')[0] ?? urlPath, status: res.status, ms, at: started });
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown>, ms };
  } catch (err) {
    seen.push({ path: urlPath, status: 'hang', ms: Date.now() - started, at: started });
    throw err;
  }
}

/** A client that retries what the server says to retry (503), a little later each time. */
async function untilAnswered(attempt: () => Promise<Answer>, accept: (a: Answer) => boolean, what: string): Promise<Answer> {
  for (let i = 0; ; i++) {
    const answer = await attempt().catch(() => undefined);
    if (answer && accept(answer)) return answer;
    if (answer && answer.status !== 503) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.json)}`);
    if (i > 120) throw new Error(`${what}: still failing`);
    await new Promise((r) => setTimeout(r, Math.min(1_000, 100 * 2 ** i)));
  }
}

/** A buyer's whole flow, retrying through the outage as the Mini Program and the order system do. */
async function buyerFlow(i: number): Promise<string> {
  const orderNo = `OUT${i}`;
  let n = 0;
  const logIn = async () => {
    const login = await untilAnswered(() => call('POST', '/api/mp/session', '', { code: `outbuyer${i}.${++n}` }), (a) => a.status === 200, `login ${i}`);
    return { token: String(login.json.token), openid: String(login.json.openid) };
  };
  const session = await logIn();
  await untilAnswered(
    () => call('POST', '/api/admin/orders', ADMIN_KEY, orderFor(session.openid, orderNo)),
    // 200 {created: false}: an earlier try was stored and its answer lost.
    (a) => a.status === 201 || (a.status === 200 && a.json.created === false),
    `order ${orderNo}`,
  );
  // A session stored just before the kill may not survive it (sessions are not journaled): the
  // Mini Program then logs in again on the 401, as it does for any stale session.
  const asBuyer = async (path: string, body?: unknown): Promise<Answer> => {
    const answer = await call(body === undefined ? 'GET' : 'POST', path, session.token, body);
    if (answer.status !== 401) return answer;
    session.token = (await logIn()).token;
    return { ...answer, status: 503 };
  };
  const link = await untilAnswered(() => asBuyer(`/api/mp/orders/${orderNo}/invoice`, { type: 1 }), (a) => a.status === 200, `request ${orderNo}`);
  const authorized = await fetch(`${sandbox.url}/sandbox/api/authorize`, {
    method: 'POST',
    body: JSON.stringify({ auth_url: link.json.authUrl, openid: session.openid, action: 'authorize', user_field: { title: `停库买家${i}` } }),
  });
  expect(authorized.status).toBe(200);
  return orderNo;
}

async function readyz(): Promise<number | 'hang'> {
  try {
    return (await call('GET', '/readyz', '')).status;
  } catch {
    return 'hang';
  }
}

it('freeze, kill and restart of the database under load: 503s while it is gone, no 500, no hang, nothing lost or issued twice, no server restart', async () => {
  const merchant = await bootstrapSandboxMerchant(sandbox.url, { appid: TEST_ENV.WECHAT_APPID, secret: TEST_ENV.WECHAT_SECRET });
  port = await freePort();
  const uri = withDatabaseName(`mongodb://127.0.0.1:${dbPort}/?directConnection=true`, 'fapiao_outage');
  await pointSandboxPushesAt(sandbox, `http://127.0.0.1:${port}/wechat/push`);
  server = await startServerProcess({ mongodbUri: uri, port, sandboxUrl: sandbox.url, merchant, adminKey: ADMIN_KEY });
  expect((await call('PUT', '/api/admin/settings/contact', ADMIN_KEY, { phone: '0591-88888888', timeOut: 3600 })).status).toBe(200);

  // Buyers come the whole time; the outage starts once a few orders went through.
  let next = 0;
  let stop = false;
  const orderNos: string[] = [];
  const buyers = Promise.all(
    Array.from({ length: BUYERS }, async () => {
      while (!stop) orderNos.push(await buyerFlow(next++));
    }),
  );
  await eventually(async () => orderNos.length >= BUYERS, 'the first orders', 120_000);

  // Frozen: the process is stopped, its sockets stay open.
  const frozenAt = Date.now();
  process.kill(-database!.pid, 'SIGSTOP'); // its process group: every thread and any child
  let firstNotReadyMs: number | undefined;
  let readyDuringFreeze = 0;
  while (Date.now() - frozenAt < FREEZE_MS) {
    const status = await readyz();
    if (status === 503 && firstNotReadyMs === undefined) firstNotReadyMs = Date.now() - frozenAt;
    if (status === 200 && firstNotReadyMs !== undefined) readyDuringFreeze += 1;
    await new Promise((r) => setTimeout(r, 100));
  }
  // The ops CLI meanwhile: "unavailable" (3), not "bug" (9).
  let cliOut = '';
  const cliCode = await runCli(['invoices', 'list', '--limit', '5'], {
    stdout: { write: (text: string) => void (cliOut += text) },
    stderr: { write: (text: string) => void (cliOut += text) },
    env: { FAPIAO_SERVER: `http://127.0.0.1:${port}`, FAPIAO_ADMIN_KEY: ADMIN_KEY },
  });

  // Killed while frozen, down for a while, then started again on the same port and data.
  process.kill(database!.pid, 'SIGKILL');
  await eventually(async () => (database!.pid && !isAlive(database!.pid) ? true : undefined), 'the database gone', 10_000);
  const killedAt = Date.now();
  const downStatuses = new Set<number | 'hang'>();
  while (Date.now() - killedAt < DOWN_MS) {
    downStatuses.add(await readyz());
    await new Promise((r) => setTimeout(r, 100));
  }
  await startDatabase();
  const restartedAt = Date.now();
  await eventually(async () => ((await readyz()) === 200 ? true : undefined), 'ready again', 60_000);
  const recoveredMs = Date.now() - restartedAt;
  const outageEnd = Date.now();

  // A few more buyers after the recovery, then no new ones.
  const before = orderNos.length;
  await eventually(async () => orderNos.length >= before + BUYERS, 'orders after the recovery', 180_000);
  stop = true;
  await buyers;

  const connection = await mongoose.createConnection(uri).asPromise();
  try {
    const requests = invoiceRequestModel(connection);
    await eventually(async () => ((await requests.countDocuments({ status: { $ne: 'ISSUED' } })) === 0 ? true : undefined), 'every request ISSUED', 240_000);
    const issued = await requests.find({}, { orderNo: 1, wxOrderId: 1 }).lean();
    expect(issued.map((r) => r.orderNo).sort()).toEqual([...orderNos].sort());
    const invoices = await sandbox.db.model('SandboxInvoice').find({ kind: 'blue' }, { ddh: 1 }).lean<{ ddh: string }[]>();
    const perDdh = new Map<string, number>();
    for (const invoice of invoices) perDdh.set(invoice.ddh, (perDdh.get(invoice.ddh) ?? 0) + 1);
    expect(issued.filter((r) => perDdh.get(r.wxOrderId) !== 1).map((r) => `${r.orderNo}: ${perDdh.get(r.wxOrderId) ?? 0}`)).toEqual([]);
    expect(invoices).toHaveLength(orderNos.length);

    // Every push the server acknowledged ("success") is stored.
    const acknowledged = await sandbox.db
      .model('SandboxPushAttempt')
      .find({ outcome: 'delivered' }, { event: 1, orderId: 1, fpqqlsh: 1 })
      .lean<{ event: string; orderId?: string; fpqqlsh?: string }[]>();
    const stored = await pushEventModel(connection).find({}, { message: 1 }).lean();
    const storedKeys = new Set(stored.map((p) => String((p.message as { succOrderId?: string; fpqqlsh?: string }).succOrderId ?? (p.message as { fpqqlsh?: string }).fpqqlsh)));
    const refusedPushes = await sandbox.db.model('SandboxPushAttempt').countDocuments({ outcome: { $ne: 'delivered' } });
    const keyOf = (a: { event: string; orderId?: string; fpqqlsh?: string }) => String(a.event === 'user_authorize_invoice' ? a.orderId : a.fpqqlsh);
    const acknowledgedNotStored = acknowledged.filter((a) => !storedKeys.has(keyOf(a))).map((a) => `${a.event} ${keyOf(a)}`);

    const during = seen.filter((s) => s.at >= frozenAt && s.at < outageEnd);
    const figures = {
      orders: orderNos.length,
      calls: seen.length,
      callsDuringOutage: during.length,
      unavailable503: during.filter((s) => s.status === 503).length,
      slowestAnswerDuringOutageMs: Math.max(...during.map((s) => s.ms)),
      readyz503AfterFreezeMs: firstNotReadyMs,
      readyAgainAfterRestartMs: recoveredMs,
      pushesRefusedAndResent: refusedPushes,
      pushesAcknowledged: acknowledged.length,
      acknowledgedNotStored,
    };
    process.stderr.write(`outage drill: ${JSON.stringify(figures)}\n`);
    if (process.env.DRILL_DEBUG) process.stderr.write(`DEBUG\n${server.output().split('\n').filter((l) => /level":[45]0/.test(l)).map((l) => l.slice(0, 400)).join('\n')}\n`);

    expect(acknowledgedNotStored).toEqual([]);
    expect(firstNotReadyMs).toBeDefined(); // 503 while frozen, not a hang until the kill
    expect(readyDuringFreeze).toBe(0);
    expect([...downStatuses]).toEqual([503]);
    expect([cliCode, cliOut]).toEqual([3, expect.stringContaining('DATABASE_UNAVAILABLE')]);
    expect(seen.filter((s) => s.status === 'hang' || (typeof s.status === 'number' && s.status >= 500 && s.status !== 503))).toEqual([]);
    expect(during.filter((s) => s.status === 503).length).toBeGreaterThan(0);
    expect(server.child.exitCode).toBeNull(); // the same process throughout
  } finally {
    await connection.close();
  }
}, 900_000);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

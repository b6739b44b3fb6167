import crypto from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { orderModel } from '../server/src/data/order/order.schema';
import { type OrderDoc } from '../server/src/domain/entities/order';
import { hashToken } from '../server/src/data/session/session.repository';
import { sessionModel } from '../server/src/data/session/session.schema';
import { invoiceRequestModel } from '../server/src/data/invoice-request/invoice-request.schema';
import { freePort } from '../scripts/mongo/free-port';
import { spawnTs, type Spawned } from '../server/test/support/process';
import { loadTest, type LoadResult, type PreparedRequest } from './lib/load';
import { profileDir, profileFlags, summariseProfiles } from './lib/profile';
import type { BenchResult } from './lib/report';
import { APP, freshDatabase, memoryReport, rssMb, runningProcesses, startStack, type Stack } from './lib/stack';

const CONNECTIONS = 20;
const BATCH = 1_000;

/**
 * n buyers, each with a live session and one order of their own, written straight into the
 * database in batches (set-up, not measured). Returns one prepared "request an invoice" call per
 * order, so every call starts a new request as a buyer's first tap does.
 */
async function seedBuyers(db: Connection, n: number, tag: string): Promise<PreparedRequest[]> {
  const sessions = sessionModel(db);
  const orders = orderModel(db);
  await Promise.all([sessions.init(), orders.init(), invoiceRequestModel(db).init()]);
  const now = new Date();
  const prepared: PreparedRequest[] = [];
  for (let start = 0; start < n; start += BATCH) {
    const sessionDocs = [];
    const orderDocs: OrderDoc[] = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const openid = `oBench${tag}${i.toString(36).padStart(8, '0')}`;
      const token = crypto.randomBytes(32).toString('base64url');
      const orderNo = `B${tag}${i.toString().padStart(7, '0')}`;
      sessionDocs.push({ tokenHash: hashToken(token), openid, createdAt: now, expiresAt: new Date(now.getTime() + 86_400_000) });
      orderDocs.push({
        orderNo,
        openid,
        amount: 2 * 5650 + 3 * 1000,
        items: [
          { name: '办公椅', spbm: '1050201010000000000', quantity: 2, unitPrice: 5650, taxRate: '0.13', amount: 11300 },
          { name: '订书机', spbm: '1080212990000000000', quantity: 3, unitPrice: 1000, taxRate: '0.13', amount: 3000 },
        ],
        createdAt: now,
        requestCount: 0,
      });
      prepared.push({
        method: 'POST',
        path: `/api/mp/orders/${orderNo}/invoice`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 1 }),
      });
    }
    await sessions.insertMany(sessionDocs);
    await orders.insertMany(orderDocs);
  }
  return prepared;
}

/** The bare Koa route as its own process, on a fresh database, calling the given sandbox. */
async function startBareKoa(serverUri: string, stack: Stack): Promise<{ url: string; process: Spawned; db: Connection }> {
  const uri = freshDatabase(serverUri, 'mp_bare');
  const port = await freePort();
  const bare = spawnTs('bench/bare-koa-server.ts', {
    MONGODB_URI: uri,
    PORT: String(port),
    FPQQLSH_PREFIX: stack.merchant.merchantCode,
    WECHAT_API_BASE: stack.sandboxUrl,
    WECHAT_APPID: APP.appid,
    WECHAT_SECRET: APP.secret,
    INVOICE_S_PAPPID: stack.merchant.sPappid,
  });
  runningProcesses.add(bare);
  try {
    await bare.waitForLine(/^listening /, 60_000);
    return { url: `http://127.0.0.1:${port}`, process: bare, db: await mongoose.createConnection(uri).asPromise() };
  } catch (err) {
    bare.child.kill('SIGKILL');
    runningProcesses.delete(bare);
    throw err;
  }
}

/** Two halves of one load, merged: answers and time add up; latencies are the mean of the halves' percentiles. */
function merged(a: LoadResult, b: LoadResult): LoadResult {
  const statuses: Record<string, number> = { ...a.statuses };
  for (const [code, count] of Object.entries(b.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
  const seconds = a.seconds + b.seconds;
  return { ok: a.ok + b.ok, failed: a.failed + b.failed, statuses, seconds, throughput: (a.ok + b.ok) / seconds, p50Ms: (a.p50Ms + b.p50Ms) / 2, p99Ms: (a.p99Ms + b.p99Ms) / 2 };
}

export async function mpRouteBench(serverUri: string, quick: boolean): Promise<BenchResult> {
  const started = performance.now();
  const n = quick ? 100 : 1000;
  // The route alone: the worker (which would start polling the new requests' authorizations
  // during the load) is measured by the flow benchmark; the bare route has none either.
  const stack = await startStack(serverUri, { tag: 'mp', nodeFlags: profileFlags('mp-fapiao'), serverEnv: { WORKER_ENABLED: 'false' } });
  let mp: LoadResult;
  let bareLoad: LoadResult;
  let serverRss: number;
  let bareRss: number;
  let created: number;
  let cpuMsPerRequest: number;
  let profile: string[] = [];
  try {
    const bare = await startBareKoa(serverUri, stack);
    try {
      const fapiaoCalls = await seedBuyers(stack.db, n, 'm');
      const bareCalls = await seedBuyers(bare.db, n, 'k');
      const half = Math.floor(n / 2);
      const before = await memoryReport(stack.server);
      // A B B A: both see the sandbox's collections at the same sizes on average.
      const bare1 = await loadTest(bare.url, CONNECTIONS, bareCalls.slice(0, half));
      const mp1 = await loadTest(stack.serverUrl, CONNECTIONS, fapiaoCalls.slice(0, half));
      const mp2 = await loadTest(stack.serverUrl, CONNECTIONS, fapiaoCalls.slice(half));
      const bare2 = await loadTest(bare.url, CONNECTIONS, bareCalls.slice(half));
      const after = await memoryReport(stack.server);
      cpuMsPerRequest = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000 / (mp1.ok + mp2.ok + mp1.failed + mp2.failed);
      mp = merged(mp1, mp2);
      bareLoad = merged(bare1, bare2);
      serverRss = rssMb(stack.server.child.pid ?? 0);
      bareRss = rssMb(bare.process.child.pid ?? 0);
      created = await invoiceRequestModel(stack.db).countDocuments({ status: 'AUTH_PENDING' });
    } finally {
      await bare.db.close();
      bare.process.child.kill('SIGTERM');
      await bare.process.exited;
      runningProcesses.delete(bare.process);
    }
  } finally {
    await stack.stop();
  }
  if (process.env.BENCH_PROFILE) profile = summariseProfiles(profileDir('mp-fapiao'));
  return {
    name: 'mp',
    title: 'POST /api/mp/orders/:orderNo/invoice vs a bare Koa route, both calling getauthurl on the same sandbox',
    figures: [
      { name: 'requests answered 200 (Fapiao)', value: mp.ok, unit: `of ${n}` },
      { name: 'invoice requests stored (Fapiao)', value: created, unit: `of ${n}` },
      { name: 'throughput (Fapiao)', value: mp.throughput, unit: 'req/s' },
      { name: 'latency p50 (Fapiao)', value: mp.p50Ms, unit: 'ms' },
      { name: 'latency p99 (Fapiao)', value: mp.p99Ms, unit: 'ms' },
      { name: 'server CPU per request (Fapiao, user + system)', value: cpuMsPerRequest, unit: 'ms' },
      { name: 'requests answered 200 (bare Koa)', value: bareLoad.ok, unit: `of ${n}` },
      { name: 'throughput (bare Koa, same database work and getauthurl)', value: bareLoad.throughput, unit: 'req/s' },
      { name: 'latency p50 (bare Koa)', value: bareLoad.p50Ms, unit: 'ms' },
      { name: 'latency p99 (bare Koa)', value: bareLoad.p99Ms, unit: 'ms' },
      { name: 'RSS at end (bare Koa process)', value: bareRss, unit: 'MB' },
    ],
    ratios: [
      { name: 'Fapiao throughput / bare Koa throughput', value: mp.throughput / bareLoad.throughput, meaning: 'what the route costs beyond its database work and its WeChat call' },
      { name: 'Fapiao p99 / bare Koa p99', value: mp.p99Ms / bareLoad.p99Ms, meaning: 'tail latency added by router, validation, auth, error mapping, the WeChat client' },
    ],
    rss: { process: 'Fapiao server', mb: serverRss },
    notes: [
      `${n} buyers, one order each, ${CONNECTIONS} connections; each call is a buyer's first tap (a new request and a getauthurl call to the sandbox process)`,
      'the Fapiao server runs without its worker here (WORKER_ENABLED=false), as the bare route has none',
      'bare Koa: one middleware, the same repositories in the same order (session, order, claim attempt, contact setting, insert request), then the same getauthurl POST to the same sandbox with a token and ticket fetched once at its start; own process, own fresh database',
      'order A B B A (bare, Fapiao, Fapiao, bare; half the calls each) so that both meet the sandbox at the same sizes on average; latencies are the mean of the two halves',
      ...profile,
    ],
    details: { fapiao: mp, bareKoa: bareLoad },
    seconds: (performance.now() - started) / 1000,
  };
}

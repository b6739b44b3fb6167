import crypto from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { orderModel, type OrderDoc } from '../server/src/data/order/order.schema';
import { hashToken } from '../server/src/data/session/session.repository';
import { sessionModel } from '../server/src/data/session/session.schema';
import { invoiceRequestModel } from '../server/src/data/invoice-request/invoice-request.schema';
import { freePort } from '../scripts/mongo/free-port';
import { spawnTs } from '../server/test/support/process';
import { loadTest, type LoadResult, type PreparedRequest } from './lib/load';
import type { BenchResult } from './lib/report';
import { freshDatabase, rssMb, runningProcesses, startStack } from './lib/stack';

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

async function bareKoaRun(serverUri: string, n: number): Promise<{ load: LoadResult; rss: number }> {
  const uri = freshDatabase(serverUri, 'mp_bare');
  const port = await freePort();
  const bare = spawnTs('bench/bare-koa-server.ts', { MONGODB_URI: uri, PORT: String(port), FPQQLSH_PREFIX: 'BENCH1' });
  runningProcesses.add(bare);
  try {
    await bare.waitForLine(/^listening /, 60_000);
    const db = await mongoose.createConnection(uri).asPromise();
    try {
      const prepared = await seedBuyers(db, n, 'k');
      const load = await loadTest(`http://127.0.0.1:${port}`, CONNECTIONS, prepared);
      return { load, rss: rssMb(bare.child.pid ?? 0) };
    } finally {
      await db.close();
    }
  } finally {
    bare.child.kill('SIGTERM');
    await bare.exited;
    runningProcesses.delete(bare);
  }
}

export async function mpRouteBench(serverUri: string, quick: boolean): Promise<BenchResult> {
  const started = performance.now();
  const n = quick ? 100 : 1000;
  const stack = await startStack(serverUri, { tag: 'mp' });
  let mp: LoadResult;
  let serverRss: number;
  let created: number;
  try {
    const prepared = await seedBuyers(stack.db, n, 'm');
    mp = await loadTest(stack.serverUrl, CONNECTIONS, prepared);
    serverRss = rssMb(stack.server.child.pid ?? 0);
    created = await invoiceRequestModel(stack.db).countDocuments({ status: 'AUTH_PENDING' });
  } finally {
    await stack.stop();
  }
  const bare = await bareKoaRun(serverUri, n);
  return {
    name: 'mp',
    title: 'POST /api/mp/orders/:orderNo/invoice (sandbox in its own process) vs a bare Koa route',
    figures: [
      { name: 'requests answered 200 (Fapiao)', value: mp.ok, unit: `of ${n}` },
      { name: 'invoice requests stored (Fapiao)', value: created, unit: `of ${n}` },
      { name: 'throughput (Fapiao)', value: mp.throughput, unit: 'req/s' },
      { name: 'latency p50 (Fapiao)', value: mp.p50Ms, unit: 'ms' },
      { name: 'latency p99 (Fapiao)', value: mp.p99Ms, unit: 'ms' },
      { name: 'requests answered 200 (bare Koa)', value: bare.load.ok, unit: `of ${n}` },
      { name: 'throughput (bare Koa, same database work)', value: bare.load.throughput, unit: 'req/s' },
      { name: 'latency p50 (bare Koa)', value: bare.load.p50Ms, unit: 'ms' },
      { name: 'latency p99 (bare Koa)', value: bare.load.p99Ms, unit: 'ms' },
      { name: 'RSS at end (bare Koa process)', value: bare.rss, unit: 'MB' },
    ],
    ratios: [
      { name: 'Fapiao throughput / bare Koa throughput', value: mp.throughput / bare.load.throughput, meaning: 'what the route costs beyond its database work' },
      { name: 'Fapiao p99 / bare Koa p99', value: mp.p99Ms / bare.load.p99Ms, meaning: 'tail latency added by validation, auth, getauthurl at the sandbox' },
    ],
    rss: { process: 'Fapiao server', mb: serverRss },
    notes: [
      `${n} buyers, one order each, ${CONNECTIONS} connections; each call is a buyer's first tap (a new request, a getauthurl call to the sandbox process)`,
      'bare Koa: one middleware, the same repositories in the same order (session, order, claim attempt, contact setting, insert request), no WeChat call, own process, own fresh database',
    ],
    details: { fapiao: mp, bareKoa: bare.load },
    seconds: (performance.now() - started) / 1000,
  };
}

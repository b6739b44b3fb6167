import mongoose from 'mongoose';
import { invoiceRequestModel } from '../server/src/data/invoice-request/invoice-request.schema';
import { orderFor } from '../server/test/support/lifecycle-env';
import type { BenchResult } from './lib/report';
import { ADMIN_KEY, rssMb, startStack, type Stack } from './lib/stack';
import { percentile, runPool, sleep } from './lib/stats';

const BUYERS_AT_ONCE = 10;

async function call(url: string, method: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${new URL(url).pathname}: ${res.status} ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

/** One buyer, as in the Mini Program: log in, (merchant records the order), request, authorize at WeChat's page. */
async function buyerRequestsInvoice(stack: Stack, i: number, runTag: string): Promise<void> {
  const session = await call(`${stack.serverUrl}/api/mp/session`, 'POST', { code: `flow${runTag}${i}.1` });
  const token = String(session.token);
  const openid = String(session.openid);
  const orderNo = `F${runTag}${i.toString().padStart(6, '0')}`;
  await call(`${stack.serverUrl}/api/admin/orders`, 'POST', orderFor(openid, orderNo), ADMIN_KEY);
  const link = await call(`${stack.serverUrl}/api/mp/orders/${orderNo}/invoice`, 'POST', { type: 1 }, token);
  await call(`${stack.sandboxUrl}/sandbox/api/authorize`, 'POST', { auth_url: link.authUrl, openid, action: 'authorize', user_field: { title: `买家${i}` } });
}

async function statusCounts(stack: Stack): Promise<Record<string, number>> {
  const rows = await invoiceRequestModel(stack.db).aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
  return Object.fromEntries(rows.map((r) => [r._id, r.n]));
}

/**
 * The whole flow for n orders against the sandbox: buyers (BUYERS_AT_ONCE at a time) request and
 * authorize; the sandbox pushes the authorization, the server's worker fetches the title, issues,
 * and confirms on the result push. Timed from the first request until every request is ISSUED.
 */
export async function flowBench(serverUri: string, quick: boolean, orders?: number): Promise<BenchResult> {
  const started = performance.now();
  const n = orders ?? (quick ? 40 : 1000);
  const stack = await startStack(serverUri, { tag: 'flow' });
  try {
    const runTag = Date.now().toString(36).slice(-4);
    const failures: string[] = [];
    const t0 = performance.now();
    await runPool(n, BUYERS_AT_ONCE, async (i) => {
      try {
        await buyerRequestsInvoice(stack, i, runTag);
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    });
    const requestedSeconds = (performance.now() - t0) / 1000;
    console.error(`[flow] all ${n} buyers authorized after ${requestedSeconds.toFixed(0)} s`);
    if (failures.length) throw new Error(`${failures.length} buyers could not request an invoice; first: ${failures[0]}`);
    // Generous: on the database stand-in the worker slows as the collection grows.
    const deadline = Date.now() + Math.max(5, n / 10) * 60_000;
    let counts = await statusCounts(stack);
    let shown = Date.now();
    while ((counts.ISSUED ?? 0) < n) {
      if (Date.now() > deadline) throw new Error(`not all ISSUED in time: ${JSON.stringify(counts)}`);
      if (Date.now() - shown > 30_000) {
        shown = Date.now();
        console.error(`[flow] ${((performance.now() - t0) / 1000).toFixed(0)} s: ${JSON.stringify(counts)}`);
      }
      await sleep(250);
      counts = await statusCounts(stack);
    }
    const issuedSeconds = (performance.now() - t0) / 1000;
    const serverRss = rssMb(stack.server.child.pid ?? 0);

    const requests = await invoiceRequestModel(stack.db).find({}, { history: 1 }).lean();
    const spans = requests.map((r) => {
      const created = r.history.find((h) => h.event === 'created')?.at;
      const issued = r.history.find((h) => h.to === 'ISSUED')?.at;
      return created && issued ? issued.getTime() - created.getTime() : NaN;
    });
    const sandboxDb = await mongoose.createConnection(stack.sandboxDbUri).asPromise();
    const invoicesAtWeChat = await sandboxDb.collection('invoices').countDocuments({});
    await sandboxDb.close();
    return {
      name: 'flow',
      title: `Whole flow: ${n} orders from request to ISSUED against the sandbox`,
      figures: [
        { name: 'orders ISSUED', value: counts.ISSUED ?? 0, unit: `of ${n}` },
        { name: 'invoices the sandbox issued', value: invoicesAtWeChat, unit: `for ${n} orders` },
        { name: 'time until every buyer had authorized', value: requestedSeconds, unit: 's' },
        { name: 'time until every request was ISSUED', value: issuedSeconds, unit: 's' },
        { name: 'throughput', value: n / (issuedSeconds / 60), unit: 'orders/min' },
        { name: 'one request, created to ISSUED, p50', value: percentile(spans, 50) / 1000, unit: 's' },
        { name: 'one request, created to ISSUED, p99', value: percentile(spans, 99) / 1000, unit: 's' },
      ],
      ratios: [
        { name: 'ISSUED time / authorized time', value: issuedSeconds / requestedSeconds, meaning: '~1: issuing keeps pace with buyers; more: a backlog built up' },
        { name: 'sandbox invoices / orders', value: invoicesAtWeChat / n, meaning: 'must be exactly 1: nothing lost or issued twice' },
      ],
      rss: { process: 'Fapiao server (app + worker)', mb: serverRss },
      notes: [
        `${BUYERS_AT_ONCE} buyers at a time, each: login, order (admin API), POST …/invoice, authorize at the sandbox; then the sandbox pushes and the worker issues`,
        'server (server/src/main.ts, one process, worker concurrency 4, production waits: WORKER_TIME_SCALE=1) and sandbox (server/sandbox/main.ts, default settings: invoices issued after 1 s) in separate processes',
      ],
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await stack.stop();
  }
}

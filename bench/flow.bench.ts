import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { invoiceRequestModel } from '../server/src/data/invoice-request/invoice-request.schema';
import { pushEventModel } from '../server/src/data/push-event/push-event.schema';
import { orderFor } from '../server/test/support/lifecycle-env';
import type { BenchResult } from './lib/report';
import { ADMIN_KEY, memoryReport, rssMb, startStack, type MemoryReport, type Stack } from './lib/stack';
import { percentile, runPool, sleep } from './lib/stats';

const BUYERS_AT_ONCE = 10;
const MB = 1024 * 1024;

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

/**
 * wx.login's code, exchanged once: when the server answers LOGIN_CODE_INVALID (its call to
 * jscode2session timed out under load and the retry found the code used), the Mini Program calls
 * wx.login again for a fresh code, and so does this buyer (3 tries).
 */
async function logIn(server: string, buyer: string): Promise<Record<string, unknown>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(`${server}/api/mp/session`, 'POST', { code: `${buyer}.${attempt}` });
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('LOGIN_CODE_INVALID')) throw err;
    }
  }
}

/**
 * One buyer, as in the Mini Program: log in, (merchant records the order), request, authorize at
 * WeChat's page. With several server processes, buyer i talks to process i mod n (a load balancer).
 */
async function buyerRequestsInvoice(stack: Stack, i: number, runTag: string, retried: { taps: number }): Promise<void> {
  const server = stack.serverUrls[i % stack.serverUrls.length] as string;
  const session = await logIn(server, `flow${runTag}${i}`);
  const token = String(session.token);
  const openid = String(session.openid);
  const orderNo = `F${runTag}${i.toString().padStart(6, '0')}`;
  await call(`${server}/api/admin/orders`, 'POST', orderFor(openid, orderNo), ADMIN_KEY);
  // The server answers 503 when its getauthurl call to WeChat timed out (the loaded sandbox): the
  // Mini Program says "try again shortly" and the buyer taps 申请开票 again (up to 3 times here).
  let link: Record<string, unknown>;
  for (let attempt = 1; ; attempt++) {
    try {
      link = await call(`${server}/api/mp/orders/${orderNo}/invoice`, 'POST', { type: 1 }, token);
      break;
    } catch (err) {
      if (attempt >= 3 || !String(err).includes(': 503 ')) throw err;
      retried.taps += 1;
      await sleep(1_000);
    }
  }
  // WeChat's page answers CONFLICT when the authorization changed while the buyer looked at it
  // (the server's poll, under load): the buyer taps again, up to 3 times.
  for (let attempt = 1; ; attempt++) {
    try {
      await call(`${stack.sandboxUrl}/sandbox/api/authorize`, 'POST', { auth_url: link.authUrl, openid, action: 'authorize', user_field: { title: `买家${i}` } });
      return;
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('"CONFLICT"')) throw err;
    }
  }
}

async function statusCounts(stack: Stack): Promise<Record<string, number>> {
  const rows = await invoiceRequestModel(stack.db).aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
  return Object.fromEntries(rows.map((r) => [r._id, r.n]));
}

interface FlowRun {
  n: number;
  servers: number;
  authorizedSeconds: number;
  issuedSeconds: number;
  ordersPerMinute: number;
  issued: number;
  invoicesAtWeChat: number;
  ordersInvoicedAtWeChat: number;
  /** Per request, ms: created → ISSUED, and the authorization push's arrival → ISSUED (what the buyer waits for). */
  createdToIssued: number[];
  pushToIssued: number[];
  rssMb: number[];
  /** The first server's report right after start-up and after the run (with `measure`). */
  baseline?: MemoryReport | undefined;
  memory?: MemoryReport | undefined;
  /** Calls the sandbox (WeChat) answered, by path. */
  wechatCalls: Record<string, number>;
  /** Buyers' second or third taps after a 503 (the server's getauthurl call timed out). */
  retriedTaps: number;
}

/**
 * n orders through the whole flow against the sandbox: buyers request and authorize (either
 * BUYERS_AT_ONCE at a time, or one every `arrivalMs`, an open-loop arrival rate); the sandbox
 * pushes the authorization, the server's worker fetches the title, issues, and confirms on the
 * result push. Timed from the first request until every request is ISSUED.
 */
async function runFlow(serverUri: string, n: number, opts: { servers: number; arrivalMs?: number; tag: string; measure?: boolean }): Promise<FlowRun> {
  const stack = await startStack(serverUri, {
    tag: opts.tag,
    servers: opts.servers,
    // Counting is a function call per operation: too little to bias the 1-process / 2-process ratio.
    ...(opts.measure ? { serverEnv: { BENCH_COUNT_DB_OPS: '1' } } : {}),
  });
  try {
    const baseline = opts.measure ? await memoryReport(stack.server) : undefined;
    const runTag = Date.now().toString(36).slice(-4);
    const failures: string[] = [];
    const retried = { taps: 0 };
    const buyer = async (i: number) => {
      try {
        await buyerRequestsInvoice(stack, i, runTag, retried);
      } catch (err) {
        failures.push(err instanceof Error ? err.message : String(err));
      }
    };
    const t0 = performance.now();
    const arrivalMs = opts.arrivalMs;
    if (arrivalMs === undefined) await runPool(n, BUYERS_AT_ONCE, buyer);
    else {
      const started: Promise<void>[] = [];
      for (let i = 0; i < n; i++) {
        const due = t0 + i * arrivalMs - performance.now();
        if (due > 0) await sleep(due);
        started.push(buyer(i));
      }
      await Promise.all(started);
    }
    const authorizedSeconds = (performance.now() - t0) / 1000;
    console.error(`[flow ${opts.tag}] all ${n} buyers authorized after ${authorizedSeconds.toFixed(0)} s`);
    if (failures.length) throw new Error(`${failures.length} buyers could not request an invoice; first: ${failures[0]}`);
    // Generous: on the database stand-in the worker slows as the collection grows.
    const deadline = Date.now() + Math.max(5, n / 10) * 60_000;
    let counts = await statusCounts(stack);
    let shown = Date.now();
    while ((counts.ISSUED ?? 0) < n) {
      if (Date.now() > deadline) throw new Error(`not all ISSUED in time: ${JSON.stringify(counts)}`);
      if (Date.now() - shown > 30_000) {
        shown = Date.now();
        console.error(`[flow ${opts.tag}] ${((performance.now() - t0) / 1000).toFixed(0)} s: ${JSON.stringify(counts)}`);
      }
      await sleep(250);
      counts = await statusCounts(stack);
    }
    const issuedSeconds = (performance.now() - t0) / 1000;
    const rss = stack.servers.map((s) => rssMb(s.child.pid ?? 0));
    const memory = opts.measure ? await memoryReport(stack.server) : undefined;

    const requests = await invoiceRequestModel(stack.db).find({}, { history: 1, wxOrderId: 1 }).lean();
    const pushes = await pushEventModel(stack.db).find({ kind: 'user_authorize_invoice' }, { message: 1, receivedAt: 1 }).lean();
    const pushAt = new Map(pushes.map((p) => [String(p.message.succOrderId), p.receivedAt.getTime()]));
    const createdToIssued: number[] = [];
    const pushToIssued: number[] = [];
    for (const r of requests) {
      const created = r.history.find((h) => h.event === 'created')?.at.getTime();
      const authorized = r.history.find((h) => h.to === 'AUTHORIZED')?.at.getTime();
      const issued = r.history.find((h) => h.to === 'ISSUED')?.at.getTime();
      if (created === undefined || issued === undefined) continue;
      createdToIssued.push(issued - created);
      // The push, or the worker's poll if that came first.
      const authorizedAt = Math.min(pushAt.get(r.wxOrderId) ?? Infinity, authorized ?? Infinity);
      if (Number.isFinite(authorizedAt)) pushToIssued.push(issued - authorizedAt);
    }
    const sandboxDb = await mongoose.createConnection(stack.sandboxDbUri).asPromise();
    await writeTimelines(opts.tag, requests, pushes, sandboxDb, stack.db);
    const invoicesAtWeChat = await sandboxDb.collection('invoices').countDocuments({});
    const ordersInvoicedAtWeChat = (await sandboxDb.collection('invoices').distinct('ddh')).length;
    const counters = await sandboxDb.collection<{ _id: string; n: number }>('counters').find({ _id: /^call:/ }).toArray();
    const wechatCalls = Object.fromEntries(counters.map((c) => [c._id.slice('call:'.length), c.n]));
    await sandboxDb.close();
    return {
      n,
      servers: opts.servers,
      authorizedSeconds,
      issuedSeconds,
      ordersPerMinute: n / (issuedSeconds / 60),
      issued: counts.ISSUED ?? 0,
      invoicesAtWeChat,
      ordersInvoicedAtWeChat,
      createdToIssued,
      pushToIssued,
      rssMb: rss,
      baseline,
      memory,
      wechatCalls,
      retriedTaps: retried.taps,
    };
  } finally {
    if (process.env.BENCH_SERVER_OUTPUT) fs.writeFileSync(`${process.env.BENCH_SERVER_OUTPUT}-${opts.tag}.log`, stack.servers.map((s) => s.output()).join('\n----\n'));
    await stack.stop();
  }
}

/**
 * What the server's RSS is made of before it does anything: an empty `node`, and a `node` that has
 * only loaded the server's compiled modules (server/dist/app.js and container.js, which pull in
 * mongoose, Koa, zod, pino and the rest) and then collected garbage. The difference to the server
 * after the flow is what running holds: connections, caches, V8's grown heap.
 */
function baselineRss(): { emptyNodeMb: number; loadedCodeMb: number } {
  const measure = (script: string) =>
    Number(
      execFileSync(process.execPath, ['--expose-gc', '-e', `${script}; gc(); setTimeout(() => { gc(); process.stdout.write(String(process.memoryUsage().rss)); }, 200)`], {
        cwd: path.join(__dirname, '..'),
      }).toString(),
    ) / MB;
  return {
    emptyNodeMb: measure(''),
    loadedCodeMb: measure("require('./server/dist/app'); require('./server/dist/container')"),
  };
}

/**
 * Where one order's time went: the median and the slowest order by push → ISSUED, each with its
 * state history, the pushes the server stored for it and what the sandbox recorded (invoice,
 * push deliveries and attempts), as times relative to the authorization push. Written to
 * bench/results/timeline-<tag>.json: the first thing to read when the wait is long.
 */
async function writeTimelines(
  tag: string,
  requests: { _id: unknown; wxOrderId: string; history: { event: string; to: string; at: Date; by: string }[] }[],
  pushes: { message: { succOrderId?: unknown }; receivedAt: Date }[],
  sandboxDb: mongoose.Connection,
  serverDb: mongoose.Connection,
): Promise<void> {
  const pushAt = new Map(pushes.map((p) => [String(p.message.succOrderId), p.receivedAt.getTime()]));
  const waits = requests
    .map((r) => ({ r, t0: pushAt.get(r.wxOrderId), issued: r.history.find((h) => h.to === 'ISSUED')?.at.getTime() }))
    .filter((x): x is { r: (typeof requests)[number]; t0: number; issued: number } => x.t0 !== undefined && x.issued !== undefined)
    .sort((a, b) => a.issued - a.t0 - (b.issued - b.t0));
  if (!waits.length) return;
  const picks = { median: waits[Math.floor(waits.length / 2)], slowest: waits[waits.length - 1] };
  const out: Record<string, unknown> = {};
  for (const [name, pick] of Object.entries(picks)) {
    if (!pick) continue;
    const rel = (d: Date | undefined) => (d ? d.getTime() - pick.t0 : undefined);
    const full = await invoiceRequestModel(serverDb).findById(pick.r._id).lean();
    const fpqqlsh = full?.fpqqlsh;
    const stored = await pushEventModel(serverDb).find({ $or: [{ 'message.succOrderId': pick.r.wxOrderId }, { 'message.fpqqlsh': fpqqlsh }] }).lean();
    const invoice = await sandboxDb.collection<{ createdAt: Date; dueAt: Date; issuedAt?: Date; updatedAt: Date }>('invoices').findOne({ fpqqlsh });
    const deliveries = await sandboxDb
      .collection<{ event: string; createdAt: Date; status: string }>('push_deliveries')
      .find({ $or: [{ orderId: pick.r.wxOrderId }, { fpqqlsh }] })
      .toArray();
    const attempts = await sandboxDb
      .collection<{ attempt: number; at: Date; durationMs: number; outcome: string }>('push_attempts')
      .find({ deliveryId: { $in: deliveries.map((d) => d._id) } })
      .toArray();
    out[name] = {
      waitMs: pick.issued - pick.t0,
      history: pick.r.history.map((h) => ({ ms: rel(h.at), event: h.event, to: h.to, by: h.by })),
      answers: (full?.answers ?? []).map((a) => ({ ms: rel(a.at), call: a.call, errcode: a.errcode, summary: a.summary })),
      attempts: full?.attempts,
      looks: full?.looks && { ...full.looks, since: rel(full.looks.since) },
      pushesStored: stored.map((p) => ({ kind: p.kind, receivedMs: rel(p.receivedAt), processedMs: rel(p.processedAt ?? undefined) })),
      sandboxInvoice: invoice && { createdMs: rel(invoice.createdAt), dueMs: rel(invoice.dueAt), issuedMs: rel(invoice.issuedAt), updatedMs: rel(invoice.updatedAt) },
      sandboxPushes: deliveries.map((d) => ({ event: d.event, createdMs: rel(d.createdAt), status: d.status })),
      sandboxAttempts: attempts.map((a) => ({ attempt: a.attempt, atMs: rel(a.at), durationMs: a.durationMs, outcome: a.outcome })),
    };
  }
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `timeline-${tag}.json`), JSON.stringify(out, null, 2));
}

/**
 * The whole flow with one server process and then with two on one database, in the same run:
 * throughput, the ratio, every invoice issued exactly once, and the server's memory afterwards.
 */
export async function flowBench(serverUri: string, quick: boolean, orders?: number): Promise<BenchResult> {
  const started = performance.now();
  const n = orders ?? (quick ? 40 : 1000);
  const one = await runFlow(serverUri, n, { servers: 1, tag: 'flow1', measure: true });
  const two = await runFlow(serverUri, n, { servers: 2, tag: 'flow2' });
  const figures: BenchResult['figures'] = [];
  for (const run of [one, two]) {
    const label = run.servers === 1 ? '1 process' : `${run.servers} processes`;
    figures.push(
      { name: `${label}: orders ISSUED`, value: run.issued, unit: `of ${n}` },
      { name: `${label}: invoices the sandbox issued`, value: run.invoicesAtWeChat, unit: `for ${run.ordersInvoicedAtWeChat} distinct orders` },
      { name: `${label}: every buyer authorized after`, value: run.authorizedSeconds, unit: 's' },
      { name: `${label}: every request ISSUED after`, value: run.issuedSeconds, unit: 's' },
      { name: `${label}: throughput`, value: run.ordersPerMinute, unit: 'orders/min' },
      { name: `${label}: created to ISSUED, p50 / p99`, value: percentile(run.createdToIssued, 50) / 1000, unit: `s / ${(percentile(run.createdToIssued, 99) / 1000).toFixed(1)} s` },
      { name: `${label}: buyers' taps again after a 503`, value: run.retriedTaps, unit: `of ${n}` },
      { name: `${label}: server RSS at the end`, value: Math.max(...run.rssMb), unit: `MB (${run.rssMb.map((m) => m.toFixed(0)).join(' + ')})` },
    );
  }
  const mem = one.memory;
  const base = one.baseline;
  if (mem && base) {
    const baseline = baselineRss();
    const ops = Object.entries(mem.dbOps).filter(([key]) => !key.startsWith('bench_'));
    const byCollection = new Map<string, number>();
    for (const [key, count] of ops) byCollection.set(key.split('.')[0] as string, (byCollection.get(key.split('.')[0] as string) ?? 0) + count);
    const totalOps = ops.reduce((sum, [, count]) => sum + count, 0);
    const wechatTotal = Object.values(one.wechatCalls).reduce((a, b) => a + b, 0);
    const cpuMs = (mem.cpu.user + mem.cpu.system - base.cpu.user - base.cpu.system) / 1000;
    figures.push(
      { name: '1 process: database operations per invoice', value: totalOps / n, unit: [...byCollection].sort((a, b) => b[1] - a[1]).map(([c, k]) => `${c} ${(k / n).toFixed(1)}`).join(', ') },
      { name: '1 process: WeChat calls per invoice', value: wechatTotal / n, unit: Object.entries(one.wechatCalls).sort((a, b) => b[1] - a[1]).map(([p, k]) => `${p} ${(k / n).toFixed(2)}`).join(', ') },
      { name: '1 process: server CPU per invoice (user + system)', value: cpuMs / n, unit: `ms (${(cpuMs / 1000).toFixed(1)} s for ${n})` },
      { name: 'an empty node process: RSS, after a full GC', value: baseline.emptyNodeMb, unit: 'MB' },
      { name: "a node process that only loaded the server's modules: RSS", value: baseline.loadedCodeMb, unit: 'MB (the libraries and our code, compiled, nothing running)' },
      { name: '1 process: RSS after start-up, after a full GC', value: base.rss / MB, unit: `MB (V8 heap used ${(base.heapUsed / MB).toFixed(0)} MB of ${(base.heapTotal / MB).toFixed(0)} MB)` },
      { name: '1 process, after the flow and a full GC: RSS', value: mem.rss / MB, unit: 'MB' },
      { name: '  V8 heap used / reserved', value: mem.heapUsed / MB, unit: `MB / ${(mem.heapTotal / MB).toFixed(0)} MB` },
      { name: '  code space (compiled functions)', value: (mem.spaces.code_space?.size ?? 0) / MB, unit: 'MB' },
      { name: '  external (Buffers, native)', value: mem.external / MB, unit: `MB, of which ArrayBuffers ${(mem.arrayBuffers / MB).toFixed(1)} MB` },
      { name: '  outside the V8 heap and Buffers', value: (mem.rss - mem.heapTotal - mem.external) / MB, unit: 'MB (Node, V8 and libuv themselves, thread stacks, allocator slack)' },
    );
  }
  return {
    name: 'flow',
    title: `Whole flow: ${n} orders from request to ISSUED against the sandbox, 1 and 2 server processes`,
    figures,
    ratios: [
      { name: 'throughput, 2 processes / 1 process', value: two.ordersPerMinute / one.ordersPerMinute, meaning: 'what a second process adds on this machine (database, sandbox and load share the same cores)' },
      { name: 'ISSUED time / authorized time, 1 process', value: one.issuedSeconds / one.authorizedSeconds, meaning: '~1: issuing keeps pace with buyers; more: a backlog built up' },
      { name: 'sandbox invoices / orders (1 and 2 processes)', value: (one.invoicesAtWeChat + two.invoicesAtWeChat) / (2 * n), meaning: 'must be exactly 1: nothing lost or issued twice' },
    ],
    rss: { process: 'Fapiao server, 1-process run (app + worker)', mb: Math.max(...one.rssMb) },
    notes: [
      `${BUYERS_AT_ONCE} buyers at a time, each: login, order (admin API), POST …/invoice, authorize at the sandbox; then the sandbox pushes and the worker issues`,
      'server (server/dist/main.js as npm run serve runs it, worker concurrency 4, production waits) and sandbox (default settings: invoices issued after 1 s) in separate processes; with 2 processes the buyers alternate between them and the sandbox pushes to the first',
      'memory, CPU and database operations: the 1-process server reports process.memoryUsage() after a full GC, process.cpuUsage() and the operations mongoose sent, at start-up and at the end (bench/lib/server-with-memory-report.js); WeChat calls are the sandbox counters',
    ],
    details: { one: { ...one, createdToIssued: undefined, pushToIssued: undefined }, two: { ...two, createdToIssued: undefined, pushToIssued: undefined } },
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * What a buyer waits for: orders arriving at a steady rate (open loop), from the authorization
 * push's arrival to ISSUED (the sandbox issues 1 s after makeoutinvoice), p50 and p99.
 */
export async function waitBench(serverUri: string, quick: boolean, arrivalSeconds?: number): Promise<BenchResult> {
  const started = performance.now();
  const seconds = arrivalSeconds ?? (quick ? 15 : 60);
  const rates = [100, 1000];
  const figures: BenchResult['figures'] = [];
  const ratios: BenchResult['ratios'] = [];
  const runs: FlowRun[] = [];
  for (const perMinute of rates) {
    const n = Math.round((perMinute * seconds) / 60);
    const run = await runFlow(serverUri, n, { servers: 1, arrivalMs: 60_000 / perMinute, tag: `wait${perMinute}` });
    runs.push(run);
    figures.push(
      { name: `${perMinute}/min: orders ISSUED`, value: run.issued, unit: `of ${n} (sandbox issued ${run.invoicesAtWeChat})` },
      { name: `${perMinute}/min: authorization push to ISSUED, p50`, value: percentile(run.pushToIssued, 50) / 1000, unit: 's' },
      { name: `${perMinute}/min: authorization push to ISSUED, p99`, value: percentile(run.pushToIssued, 99) / 1000, unit: 's' },
      { name: `${perMinute}/min: throughput achieved`, value: run.ordersPerMinute, unit: 'orders/min' },
      { name: `${perMinute}/min: buyers' taps again after a 503`, value: run.retriedTaps, unit: `of ${n} buyers' requests` },
    );
  }
  const [slow, fast] = runs as [FlowRun, FlowRun];
  ratios.push(
    { name: 'p50 wait at 1,000/min / at 100/min', value: percentile(fast.pushToIssued, 50) / percentile(slow.pushToIssued, 50), meaning: '~1: ten times the load costs the buyer nothing' },
    { name: "p50 wait at 100/min / the sandbox's 1 s issuing delay", value: percentile(slow.pushToIssued, 50) / 1000, meaning: 'how much of the wait is ours rather than the invoicing platform' },
  );
  return {
    name: 'wait',
    title: `What a buyer waits for: authorization push to ISSUED at ${rates.join(' and ')} orders/min`,
    figures,
    ratios,
    rss: { process: `Fapiao server after ${fast.n} orders at 1,000/min`, mb: Math.max(...fast.rssMb) },
    notes: [
      `orders arrive one every 60/rate s for ${seconds} s (open loop: a buyer does not wait for the previous one), one server process, the sandbox issuing 1 s after makeoutinvoice`,
      'the wait runs from the server receiving the user_authorize_invoice push (or the worker polling the authorization, if first) to the request turning ISSUED (the result push, or the worker querying)',
    ],
    seconds: (performance.now() - started) / 1000,
  };
}

import crypto from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { invoiceRequestRepository } from '../server/src/data/invoice-request/invoice-request.repository';
import { invoiceRequestModel } from '../server/src/data/invoice-request/invoice-request.schema';
import { type InvoiceRequestDoc } from '../server/src/domain/entities/invoice-request';
import type { BenchResult } from './lib/report';
import { freshDatabase, rssMb } from './lib/stack';
import { mean, percentile } from './lib/stats';

const BATCH = 1_000;
const LEASE_MS = 60_000;
const WARM_UP = 3;

/**
 * `size` invoice requests, `due` of them due (spread evenly through the collection, overdue by up
 * to a minute); of the rest a fifth wait for a later look and the others are finished (ISSUED,
 * nothing scheduled), as in a merchant's database after a while.
 */
async function seed(db: Connection, size: number, due: number): Promise<void> {
  const model = invoiceRequestModel(db);
  await model.init();
  const now = Date.now();
  const every = Math.floor(size / due);
  for (let start = 0; start < size; start += BATCH) {
    const docs: InvoiceRequestDoc[] = [];
    for (let i = start; i < Math.min(size, start + BATCH); i++) {
      const isDue = i % every === 0 && i / every < due;
      const waiting = !isDue && i % 5 === 1;
      const created = new Date(now - (size - i) * 1000);
      docs.push({
        _id: `ir_bench${i.toString().padStart(8, '0')}`,
        orderNo: `W${i.toString().padStart(8, '0')}`,
        openid: `oWorker${i % 997}`,
        wxOrderId: `W${i.toString().padStart(8, '0')}`,
        type: 1,
        amount: 14300,
        status: isDue || waiting ? 'AUTH_PENDING' : 'ISSUED',
        history: [{ from: null, to: 'AUTH_PENDING', event: 'created', at: created, by: 'buyer' }],
        fpqqlsh: `BENCH1${crypto.randomBytes(7).toString('hex').toUpperCase()}`,
        createdAt: created,
        attempts: 0,
        ...(isDue ? { nextActionAt: new Date(now - Math.floor(Math.random() * 60_000)) } : {}),
        ...(waiting ? { nextActionAt: new Date(now + 3_600_000 + Math.floor(Math.random() * 86_400_000)) } : {}),
      });
    }
    await model.collection.insertMany(docs as unknown as Record<string, unknown>[]);
  }
}

interface Plan {
  supported: boolean;
  /** Stages from the top, e.g. "FETCH > IXSCAN nextActionAt_1", or why there is none. */
  summary: string;
  winningPlan?: unknown;
  executionStats?: unknown;
}

function describeStages(stage: Record<string, unknown> | undefined): string {
  if (!stage) return '';
  const name = `${String(stage.stage)}${typeof stage.indexName === 'string' ? ` ${stage.indexName}` : ''}`;
  const input = stage.inputStage as Record<string, unknown> | undefined;
  return input ? `${name} > ${describeStages(input)}` : name;
}

/** The claim's findAndModify as the worker sent it, without the session fields, optionally with an index hint. */
function claimCommand(sent: Record<string, unknown>, hint?: Record<string, 1>): Record<string, unknown> {
  const { findAndModify, query, sort, update, new: returnNew } = sent;
  return { findAndModify, query, sort, update, new: returnNew, ...(hint ? { hint } : {}) };
}

/**
 * Asks the database to explain a claim command: the plan it chose and, where the server reports
 * them (executionStats), how many index keys and documents it examined.
 */
async function explainClaim(db: Connection, command: Record<string, unknown>): Promise<Plan> {
  try {
    const explained = await db.db!.command({ explain: command, verbosity: 'executionStats' });
    const winningPlan = (explained.queryPlanner as { winningPlan?: Record<string, unknown> } | undefined)?.winningPlan;
    if (!winningPlan) return { supported: false, summary: 'explain answered without a winning plan' };
    const stats = explained.executionStats as { totalKeysExamined?: number; totalDocsExamined?: number } | undefined;
    const examined = stats ? `; examined ${stats.totalKeysExamined ?? '?'} index keys, ${stats.totalDocsExamined ?? '?'} documents` : '';
    return { supported: true, summary: `${describeStages(winningPlan)}${examined}`, winningPlan, ...(stats ? { executionStats: stats } : {}) };
  } catch (err) {
    return { supported: false, summary: `explain is not supported: ${err instanceof Error ? err.message : String(err)}` };
  }
}

interface TickTimes {
  claimMs: number[];
  tickMs: number[];
  plan: Plan;
  /** The same claim sent with hint {nextActionAt: 1}: not what the worker sends today. */
  hintedClaimMs: number[];
  hintedPlan: Plan;
  seedSeconds: number;
}

/** Times the worker's own claim (InvoiceRequestRepository.claimDue) and release, one tick after another. */
async function measure(serverUri: string, size: number, due: number, ticks: number): Promise<TickTimes> {
  const db = await mongoose.createConnection(freshDatabase(serverUri, `worker_${size}`), { monitorCommands: true }).asPromise();
  try {
    const seeding = performance.now();
    await seed(db, size, due);
    const seedSeconds = (performance.now() - seeding) / 1000;
    let sent: Record<string, unknown> | undefined;
    db.getClient().on('commandStarted', (event) => {
      if (event.commandName === 'findAndModify' && !sent) sent = { ...event.command };
    });
    const requests = invoiceRequestRepository(invoiceRequestModel(db));
    const owner = `bench:${process.pid}`;
    const claimMs: number[] = [];
    const tickMs: number[] = [];
    for (let i = 0; i < ticks + WARM_UP; i++) {
      const start = performance.now();
      const claimed = await requests.claimDue(owner, new Date(), LEASE_MS);
      const claimedAt = performance.now();
      if (!claimed) throw new Error(`tick ${i}: nothing due among ${size}, but ${due} were seeded`);
      // What the worker does after a step: give the lease back with the time of the next look.
      await requests.release(claimed._id, owner, { nextActionAt: new Date(Date.now() + 3_600_000), attempts: 0 }, new Date());
      if (i < WARM_UP) continue; // connections, caches
      claimMs.push(claimedAt - start);
      tickMs.push(performance.now() - start);
    }
    if (!sent) throw new Error('the claim did not send a findAndModify');
    const plan = await explainClaim(db, claimCommand(sent));
    // The worker's first claim again (its time as `now`: still due, not leased since), with a hint.
    const hinted = claimCommand(sent, { nextActionAt: 1 });
    const hintedPlan = await explainClaim(db, hinted);
    const hintedClaimMs: number[] = [];
    for (let i = 0; i < ticks; i++) {
      const start = performance.now();
      const answer = await db.db!.command(hinted);
      if (!answer.value) throw new Error(`hinted claim ${i}: nothing claimed`);
      hintedClaimMs.push(performance.now() - start);
    }
    return { claimMs, tickMs, plan, hintedClaimMs, hintedPlan, seedSeconds };
  } finally {
    await db.dropDatabase();
    await db.close();
  }
}

export async function workerTickBench(serverUri: string, quick: boolean): Promise<BenchResult> {
  const started = performance.now();
  const [small, large] = quick ? [1_000, 5_000] : [10_000, 100_000];
  const due = quick ? 250 : 1_000;
  // Few ticks: where the claim scans the collection, one tick at 100k takes seconds.
  const ticks = quick ? 8 : 12;
  const a = await measure(serverUri, small, due, ticks);
  const b = await measure(serverUri, large, due, ticks);
  const k = (n: number) => `${n / 1000}k`;
  return {
    name: 'worker',
    title: `Worker: scheduling tick with ${due} due among ${k(small)} and among ${k(large)} requests`,
    figures: [
      { name: `claim (findOneAndUpdate) p50, ${k(small)}`, value: percentile(a.claimMs, 50), unit: 'ms' },
      { name: `claim p99, ${k(small)}`, value: percentile(a.claimMs, 99), unit: 'ms' },
      { name: `tick (claim + release) mean, ${k(small)}`, value: mean(a.tickMs), unit: 'ms' },
      { name: `claim (findOneAndUpdate) p50, ${k(large)}`, value: percentile(b.claimMs, 50), unit: 'ms' },
      { name: `claim p99, ${k(large)}`, value: percentile(b.claimMs, 99), unit: 'ms' },
      { name: `tick (claim + release) mean, ${k(large)}`, value: mean(b.tickMs), unit: 'ms' },
      { name: `claim with hint {nextActionAt: 1} p50, ${k(small)}`, value: percentile(a.hintedClaimMs, 50), unit: 'ms' },
      { name: `claim with hint {nextActionAt: 1} p50, ${k(large)}`, value: percentile(b.hintedClaimMs, 50), unit: 'ms' },
      { name: `seeding ${k(small)} + ${k(large)} (insertMany, ${BATCH} a batch)`, value: a.seedSeconds + b.seedSeconds, unit: 's' },
    ],
    ratios: [
      { name: `claim p50 at ${k(large)} / at ${k(small)}`, value: percentile(b.claimMs, 50) / percentile(a.claimMs, 50), meaning: `~1: cost follows due work; ~${large / small}: it follows total data` },
      { name: `tick mean at ${k(large)} / at ${k(small)}`, value: mean(b.tickMs) / mean(a.tickMs), meaning: 'the same for the whole tick' },
      { name: `hinted claim p50 at ${k(large)} / at ${k(small)}`, value: percentile(b.hintedClaimMs, 50) / percentile(a.hintedClaimMs, 50), meaning: 'the same claim made to use the index' },
      { name: `claim p50 / hinted claim p50 at ${k(large)}`, value: percentile(b.claimMs, 50) / percentile(b.hintedClaimMs, 50), meaning: 'what the index would save per tick' },
    ],
    rss: { process: 'benchmark process (runs the worker’s claim)', mb: rssMb(process.pid) },
    notes: [
      `${ticks} timed ticks after ${WARM_UP} warm-up ones; the claim is InvoiceRequestRepository.claimDue exactly as the worker calls it, the release as after a step`,
      `query plan of the claim at ${k(small)}: ${a.plan.summary}`,
      `query plan of the claim at ${k(large)}: ${b.plan.summary}`,
      `query plan of the same claim with hint {nextActionAt: 1} (not what the worker sends): ${b.hintedPlan.summary}`,
    ],
    details: { planSmall: a.plan, planLarge: b.plan, hintedPlanLarge: b.hintedPlan, hintedClaimMsSmall: a.hintedClaimMs, hintedClaimMsLarge: b.hintedClaimMs, claimMsSmall: a.claimMs, claimMsLarge: b.claimMs },
    seconds: (performance.now() - started) / 1000,
  };
}

import crypto from 'node:crypto';
import { hashToken } from '../server/src/data/session/session.repository';
import { newFpqqlsh, newRequestId, wxOrderIdFor } from '../server/src/domain/identifiers';
import { dedupeKey, parsePushMessage } from '../server/src/wechat/push';
import type { BenchResult } from './lib/report';

/**
 * Past one machine, on paper, with numbers: (1) a simulation of how the shard keys proposed in
 * docs/capacity.md spread a day's new documents over the shards, using the product's own id
 * generators; (2) what the per-invoice costs the flow benchmark measured in this same run mean
 * for one server process and for 10 million invoices a day.
 */

const SHARDS = 4;
const BUCKETS = 1024;

/** A 64-bit hash of a key, as MongoDB's hashed index takes one (md5 of the value, first 8 bytes). */
function hash64(key: string): bigint {
  return crypto.createHash('md5').update(key).digest().readBigUInt64BE(0);
}
/** The application-level bucket docs/capacity.md puts in front of keys that must stay unique. */
function bucketOf(key: string): number {
  return Number(hash64(key) % BigInt(BUCKETS));
}

/**
 * New documents per shard, largest over mean (1 = perfectly even, SHARDS = all on one shard).
 * `ranged`: chunks split at the quantiles of the existing data (what the balancer converges to),
 * new keys land where they sort. `hashed`: equal ranges of the 64-bit hash.
 */
function imbalance(existing: string[], incoming: string[], strategy: 'ranged' | 'hashed'): number {
  const perShard = new Array<number>(SHARDS).fill(0);
  if (strategy === 'hashed') {
    const width = 2n ** 64n / BigInt(SHARDS);
    for (const key of incoming) perShard[Number(hash64(key) / width)]! += 1;
  } else {
    const sorted = [...existing].sort();
    const bounds = Array.from({ length: SHARDS - 1 }, (_, i) => sorted[Math.floor(((i + 1) * sorted.length) / SHARDS)] as string);
    for (const key of incoming) {
      let shard = 0;
      while (shard < bounds.length && key >= (bounds[shard] as string)) shard++;
      perShard[shard]! += 1;
    }
  }
  return Math.max(...perShard) / (incoming.length / SHARDS);
}

const openid = () => `o${crypto.randomBytes(20).toString('base64url').slice(0, 27)}`;
function authorizationKey(orderNo: string): string {
  const fields = { ToUserName: 'gh_0', FromUserName: openid(), CreateTime: String(1714112445 + crypto.randomInt(86400)), MsgType: 'event', Event: 'user_authorize_invoice', SuccOrderId: orderNo, FailOrderId: '', AuthorizeAppId: 'wx0', Source: 'wxa' };
  return dedupeKey(parsePushMessage(fields));
}

/** Costs per invoice that the flow benchmark of this run measured, if it ran first. */
function measuredCosts(earlier: BenchResult[]): { cpuMs: number; dbOps: number; wechatCalls: number; pushesPerSecond?: number | undefined } | undefined {
  const flow = earlier.find((r) => r.name === 'flow');
  const value = (name: string) => flow?.figures.find((f) => f.name === name)?.value;
  const cpuMs = value('1 process: server CPU per invoice (user + system)');
  const dbOps = value('1 process: database operations per invoice');
  const wechatCalls = value('1 process: WeChat calls per invoice');
  if (cpuMs === undefined || dbOps === undefined || wechatCalls === undefined) return undefined;
  const push = earlier.find((r) => r.name === 'push')?.figures.find((f) => f.name === 'push throughput, 200 connections')?.value;
  return { cpuMs, dbOps, wechatCalls, pushesPerSecond: push };
}

// eslint-disable-next-line @typescript-eslint/require-await -- the benchmarks' common signature; this one only computes
export async function capacityBench(quick: boolean, earlier: BenchResult[]): Promise<BenchResult> {
  const started = performance.now();
  const n = quick ? 20_000 : 100_000;
  // Merchant order numbers usually count up: the worst case for a ranged shard key.
  const orderNo = (i: number) => `SO${(1_000_000 + i).toString()}`;
  const existingOrders = Array.from({ length: n }, (_, i) => orderNo(i));
  const newOrders = Array.from({ length: n }, (_, i) => orderNo(n + i));
  const bucketed = (keys: string[]) => keys.map((k) => `${bucketOf(k).toString().padStart(4, '0')}|${k}`);
  const existingPushes = existingOrders.map(authorizationKey);
  const newPushes = newOrders.map(authorizationKey);
  const tokens = (count: number) => Array.from({ length: count }, () => hashToken(crypto.randomBytes(32).toString('base64url')));
  const fpqqlshs = (count: number) => Array.from({ length: count }, () => newFpqqlsh('ABC123'));

  const figures: BenchResult['figures'] = [
    { name: `orders by {orderNo: 1} (ranged), counting order numbers`, value: imbalance(existingOrders, newOrders, 'ranged'), unit: `× the mean on the busiest of ${SHARDS} shards` },
    { name: 'orders by {bucket: 1, orderNo: 1}, bucket = hash(orderNo) mod 1024', value: imbalance(bucketed(existingOrders), bucketed(newOrders), 'ranged'), unit: '× the mean' },
    { name: 'invoice_requests by {bucket: 1, wxOrderId: 1}, bucket of the order', value: imbalance(bucketed(existingOrders.map((o) => wxOrderIdFor(o, 1))), bucketed(newOrders.map((o) => wxOrderIdFor(o, 1))), 'ranged'), unit: '× the mean' },
    { name: 'invoice_requests by {_id: hashed} (for comparison)', value: imbalance([], Array.from({ length: n }, () => newRequestId()), 'hashed'), unit: '× the mean' },
    { name: 'push_events by {dedupeKey: 1} (ranged, unique)', value: imbalance(existingPushes, newPushes, 'ranged'), unit: '× the mean' },
    { name: 'sessions by {tokenHash: 1} (ranged, unique)', value: imbalance(tokens(n), tokens(n), 'ranged'), unit: '× the mean' },
    { name: 'fpqqlsh claims by {_id: 1} = fpqqlsh (ranged, unique)', value: imbalance(fpqqlshs(n), fpqqlshs(n), 'ranged'), unit: '× the mean' },
  ];
  const ratios: BenchResult['ratios'] = [];
  const notes = [
    `simulation: ${n.toLocaleString('en')} existing and ${n.toLocaleString('en')} new keys per collection from the product's own generators (newRequestId, newFpqqlsh, wechat/push dedupeKey, hashToken) and counting order numbers; ranged chunks split at the existing data's quantiles, hashed = equal ranges of md5's first 64 bits`,
  ];
  const costs = measuredCosts(earlier);
  if (costs) {
    const perDay = 10_000_000;
    const perProcessPerDay = (0.7 * 86_400_000) / costs.cpuMs;
    figures.push(
      { name: 'measured: server CPU per invoice (flow, this run)', value: costs.cpuMs, unit: 'ms' },
      { name: 'one server process at 70 % of a core', value: perProcessPerDay / 1e6, unit: 'million invoices/day' },
      { name: '10M invoices/day: server processes at 70 % of a core (average; ×3 for the peak hour)', value: perDay / perProcessPerDay, unit: 'processes' },
      { name: '10M invoices/day: database operations (average)', value: (perDay * costs.dbOps) / 86_400, unit: `ops/s (${costs.dbOps.toFixed(1)} per invoice)` },
      { name: '10M invoices/day: WeChat calls (average)', value: (perDay * costs.wechatCalls) / 86_400, unit: `calls/s (${costs.wechatCalls.toFixed(1)} per invoice), ${((perDay * costs.wechatCalls) / 1e6).toFixed(0)} million a day` },
      { name: '10M invoices/day: pushes (authorization + result, average)', value: (2 * perDay) / 86_400, unit: 'pushes/s' },
    );
    if (costs.pushesPerSecond) ratios.push({ name: 'pushes one process answered at 200 connections / 10M-a-day average push rate', value: costs.pushesPerSecond / ((2 * perDay) / 86_400), meaning: 'above 1: one process answers the average push load in time' });
    notes.push('capacity: CPU, database operations and WeChat calls per invoice are the flow benchmark figures of this same run (whole flow: login, order import, request, authorization, issue, confirmation)');
  } else notes.push('capacity figures need the flow benchmark in the same run (npm run bench -- --only flow,capacity)');
  return { name: 'capacity', title: 'Past one machine: shard-key simulation and the per-invoice costs scaled to 10 million a day', figures, ratios, rss: undefined, notes, seconds: (performance.now() - started) / 1000 };
}

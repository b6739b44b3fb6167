import crypto from 'node:crypto';
import type { Connection } from 'mongoose';
import { sealPush, decodeAesKey } from '../server/src/wechat/push';
import { loadTest, type LoadResult, type PreparedRequest } from './lib/load';
import type { BenchResult } from './lib/report';
import { profileDir, profileFlags, summariseProfiles, topFunctions } from './lib/profile';
import { AES_KEY, APP, memoryReport, rssMb, startStack } from './lib/stack';
import { runPool, sleep } from './lib/stats';

const CONNECTIONS = [50, 200] as const;

/**
 * Signed, safe-mode-encrypted `user_authorize_invoice` pushes, each one distinct (so each is
 * stored, not de-duplicated), sealed with the server's own push crypto exactly as the sandbox
 * (WeChat's side) seals them.
 */
function sealedPushes(count: number, tag: string): PreparedRequest[] {
  const aesKey = decodeAesKey(AES_KEY);
  const now = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const sealed = sealPush(
      {
        ToUserName: 'gh_fapiaobench01',
        FromUserName: `oBench${tag}${i.toString(36).padStart(6, '0')}`,
        CreateTime: now,
        MsgType: 'event',
        Event: 'user_authorize_invoice',
        SuccOrderId: `bench-${tag}-${i}`,
        FailOrderId: '',
        AuthorizeAppId: APP.appid,
        Source: 'wxa',
      },
      { mode: 'safe', format: 'xml', token: APP.token, appid: APP.appid, aesKey, timestamp: String(now), nonce: String(crypto.randomInt(1e9)) },
    );
    return { method: 'POST', path: `/wechat/push?${new URLSearchParams(sealed.query).toString()}`, headers: { 'content-type': sealed.contentType }, body: sealed.body };
  });
}

/** The ceiling: single-document inserts of a push-event-sized document, same concurrency, same database server. */
async function rawInsertRate(db: Connection, count: number, concurrency: number): Promise<number> {
  const collection = db.collection(`bench_raw_inserts_${concurrency}`);
  const started = performance.now();
  await runPool(count, concurrency, async (i) => {
    await collection.insertOne({
      dedupeKey: `raw-${concurrency}-${i}-${crypto.randomBytes(6).toString('hex')}`,
      kind: 'user_authorize_invoice',
      message: { kind: 'user_authorize_invoice', succOrderId: `raw-${i}`, failOrderId: '', authorizeAppId: APP.appid, source: 'wxa', openid: `oRaw${i}` },
      encrypted: true,
      format: 'xml',
      receivedAt: new Date(),
    });
  });
  return count / ((performance.now() - started) / 1000);
}

/** Waits until the server has acted on every stored push (it does so after answering); returns when. */
async function allProcessed(db: Connection, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while ((await db.collection('push_events').countDocuments({ processedAt: { $exists: false } })) > 0) {
    if (Date.now() > deadline) throw new Error('the server did not process the stored pushes in time');
    await sleep(200);
  }
  return performance.now();
}

/** The same pushes at 200 connections to a server that stores each push on its own (PUSH_GROUP_COMMIT_MAX=1). */
async function oneByOne(serverUri: string, perLevel: number): Promise<LoadResult> {
  const stack = await startStack(serverUri, { tag: 'push_single', serverEnv: { PUSH_GROUP_COMMIT_MAX: '1' } });
  try {
    const load = await loadTest(stack.serverUrl, 200, sealedPushes(perLevel, 's200'));
    await allProcessed(stack.db, 10 * 60_000);
    return load;
  } finally {
    await stack.stop();
  }
}

export async function pushBench(serverUri: string, quick: boolean): Promise<BenchResult> {
  const started = performance.now();
  const perLevel = quick ? 300 : 2000;
  const single = await oneByOne(serverUri, perLevel);
  const stack = await startStack(serverUri, { tag: 'push', nodeFlags: profileFlags('push') });
  let profile: string[] = [];
  try {
    const figures: BenchResult['figures'] = [];
    const ratios: BenchResult['ratios'] = [];
    const details: Record<string, unknown> = {};
    const before = await memoryReport(stack.server);
    for (const connections of CONNECTIONS) {
      const raw = await rawInsertRate(stack.db, perLevel, connections);
      const pushes = sealedPushes(perLevel, `c${connections}`);
      const loadStarted = performance.now();
      const load: LoadResult = await loadTest(stack.serverUrl, connections, pushes);
      // Each level starts on a quiet server: the previous level's after-work is done.
      const processedSeconds = ((await allProcessed(stack.db, 10 * 60_000)) - loadStarted) / 1000;
      if (load.failed) details[`failures_c${connections}`] = load.statuses;
      figures.push(
        { name: `raw insertOne rate, ${connections} in flight (ceiling)`, value: raw, unit: 'docs/s' },
        { name: `pushes answered "success", ${connections} connections`, value: load.ok, unit: `of ${perLevel}` },
        { name: `push throughput, ${connections} connections`, value: load.throughput, unit: 'pushes/s' },
        { name: `push latency p50, ${connections} connections`, value: load.p50Ms, unit: 'ms' },
        { name: `push latency p99, ${connections} connections`, value: load.p99Ms, unit: 'ms' },
        { name: `pushes stored and acted on, ${connections} connections`, value: perLevel / processedSeconds, unit: 'pushes/s' },
      );
      ratios.push(
        { name: `push throughput / raw insert rate (${connections})`, value: load.throughput / raw, meaning: 'share of the database ceiling the push route reaches' },
        { name: `WeChat's 5 s / push p99 (${connections})`, value: 5000 / load.p99Ms, meaning: 'headroom before WeChat would give up and resend' },
      );
    }
    const after = await memoryReport(stack.server);
    const cpuMs = (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000;
    figures.push({ name: 'server CPU per push (answer and after-work, user + system)', value: cpuMs / (perLevel * CONNECTIONS.length), unit: 'ms' });
    const stored = await stack.db.collection('push_events').countDocuments({ kind: 'user_authorize_invoice' });
    figures.push({ name: 'push events stored (each exactly once)', value: stored, unit: `of ${perLevel * CONNECTIONS.length}` });
    const grouped = figures.find((f) => f.name === 'push throughput, 200 connections')?.value ?? NaN;
    const groupedP99 = figures.find((f) => f.name === 'push latency p99, 200 connections')?.value ?? NaN;
    figures.push(
      { name: 'each push stored on its own (PUSH_GROUP_COMMIT_MAX=1), 200 connections: throughput', value: single.throughput, unit: `pushes/s (${single.ok} of ${perLevel} "success")` },
      { name: 'each push stored on its own, 200 connections: p50 / p99', value: single.p50Ms, unit: `ms / ${single.p99Ms.toFixed(0)} ms` },
    );
    ratios.push(
      { name: 'group commit / one insert per push, throughput at 200', value: grouped / single.throughput, meaning: 'what storing pushes that arrive together in one bulk insert gains' },
      { name: 'one insert per push / group commit, p99 at 200', value: single.p99Ms / groupedP99, meaning: 'how much shorter the tail is with group commit' },
    );
    const serverRss = rssMb(stack.server.child.pid ?? 0);
    const serverPid = stack.server.child.pid;
    // The profile is written when the server exits.
    await stack.stop();
    if (process.env.BENCH_PROFILE) profile = [...summariseProfiles(profileDir('push')), ...topFunctions(profileDir('push'))];
    return {
      name: 'push',
      title: 'Push endpoint: signed, encrypted user_authorize_invoice pushes',
      figures,
      ratios,
      rss: { process: `server pid ${serverPid}`, mb: serverRss },
      notes: [
        `${perLevel} distinct pushes per level, safe mode (AES) XML, sealed with server/src/wechat/push sealPush; each answer comes after the event is stored`,
        'the pushes name WeChat order ids the server does not know: after answering, it acts on each as a post-payment authorization (looks the request up, keeps the authorization, looks for its order, marks the push processed: about four database operations each), at most 8 pushes at a time (domain/pushes.ts)',
        'the raw insert rate is measured just before each level with the MongoDB driver from the benchmark process against the same database server',
        'group commit (the default): pushes arriving within 5 ms, up to 100, are stored by one bulk insert, each answered once it is stored; the one-insert-per-push server ran first, on its own fresh databases',
        ...profile,
      ],
      details,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await stack.stop();
  }
}

/**
 * Group commit of pushes (server/src/data/push-event/record-in-batches.ts) on the real database:
 * duplicates inside one bulk insert, across batches and across processes are stored exactly once
 * and reported new exactly once; a database that refuses answers non-success, so WeChat resends.
 */
import crypto from 'node:crypto';
import mongoose, { type Connection } from 'mongoose';
import { pushEventRepository, type PushEventRepository } from '../src/data/push-event/push-event.repository';
import { pushEventModel } from '../src/data/push-event/push-event.schema';
import { dedupeKey, parsePushMessage, type ReceivedPush } from '../src/wechat/push';
import { sealPush } from '../sandbox/push/seal';
import { testDatabaseUri } from './harness/database';
import { startTestApp, TEST_ENV, type TestApp } from './support/app';
import { authorizeEvent } from './support/push-events';

const SEED = Number(process.env.PUSH_TEST_SEED ?? crypto.randomInt(2 ** 31));
// Printed so that a failing order can be replayed with PUSH_TEST_SEED.
console.log(`push-group-commit: shuffles with PUSH_TEST_SEED=${SEED}`);

/** mulberry32: a small seeded generator, so the shuffles below are repeatable. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(SEED);
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** An authorization push for one order, as the push route hands it to the repository. */
function received(orderId: string): ReceivedPush {
  const message = parsePushMessage(Object.fromEntries(Object.entries(authorizeEvent(orderId)).map(([k, v]) => [k, String(v)])));
  return { kind: 'message', message, dedupeKey: dedupeKey(message), encrypted: false, format: 'xml' };
}
const orderOf = (doc: { message: Record<string, unknown> }) => String(doc.message.succOrderId);

/** Counts the bulk and single inserts the repository sends, from mongoose's own debug hook. */
function watchInserts(db: Connection): { bulk: number[]; single: number; updates: string[] } {
  const seen = { bulk: [] as number[], single: 0, updates: [] as string[] };
  db.set('debug', (collection: string, method: string, ...args: unknown[]) => {
    if (collection !== 'push_events') return;
    if (method === 'insertMany') seen.bulk.push((args[0] as unknown[]).length);
    if (method === 'insertOne') seen.single += 1;
    if (method.startsWith('update')) seen.updates.push(method);
  });
  return seen;
}

describe('push group commit: the repository on the real database', () => {
  const connections: Connection[] = [];
  const connect = async () => {
    const db = await mongoose.createConnection(uri).asPromise();
    connections.push(db);
    await pushEventModel(db).init();
    return db;
  };
  let uri: string;
  beforeEach(() => {
    uri = testDatabaseUri();
  });
  afterEach(async () => {
    const first = connections[0];
    if (first?.readyState === mongoose.ConnectionStates.connected) await first.dropDatabase();
    await Promise.all(connections.splice(0).map((db) => db.close()));
  });

  const batched = (db: Connection): PushEventRepository => pushEventRepository(pushEventModel(db), { groupCommit: { windowMs: 5, maxBatch: 1000 } });
  const recordAll = (repo: PushEventRepository, orderIds: string[]) => Promise.all(orderIds.map((id) => repo.record(received(id), new Date())));

  it('stores a key repeated inside a batch and across batches exactly once, and reports it new exactly once', async () => {
    const db = await connect();
    const inserts = watchInserts(db);
    const repo = batched(db);

    // One batch (submitted in one turn of the event loop), with repeats inside it.
    const first = ['a', 'b', 'c', 'a', 'b', 'a'];
    const firstAnswers = await recordAll(repo, first);
    expect(firstAnswers.map((a) => a.duplicate)).toEqual([false, false, false, true, true, true]);
    expect(inserts.bulk).toEqual([3]); // one bulk insert of the three distinct keys

    // The next batch repeats stored keys among new ones: the database refuses those, the batch falls back per document.
    const second = shuffled(['c', 'd', 'a', 'd', 'e', 'b', 'f']);
    const secondAnswers = await recordAll(repo, second);
    const newInSecond = second.filter((id, i) => !secondAnswers[i]?.duplicate);
    expect(newInSecond.sort()).toEqual(['d', 'e', 'f']);

    const stored = await pushEventModel(db).find({}, { message: 1 }).lean();
    expect(stored.map(orderOf).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(await repo.findByKey(received('d').dedupeKey)).toMatchObject({ kind: 'user_authorize_invoice', message: { succOrderId: 'd' } });
  });

  it('two processes recording the same pushes at once: each stored once, exactly one of them told it is new', async () => {
    const [dbA, dbB] = [await connect(), await connect()];
    const [repoA, repoB] = [batched(dbA), batched(dbB)];
    const ids = Array.from({ length: 40 }, (_, i) => `order-${i}`);
    // Each process sees every push (WeChat resent it to the other), in its own order, some twice.
    const seenByA = shuffled([...ids, ...ids.slice(0, 10)]);
    const seenByB = shuffled([...ids, ...ids.slice(30)]);
    const [answersA, answersB] = await Promise.all([recordAll(repoA, seenByA), recordAll(repoB, seenByB)]);

    const toldNew = new Map<string, number>();
    const count = (seen: string[], answers: { duplicate: boolean }[]) =>
      seen.forEach((id, i) => answers[i]?.duplicate === false && toldNew.set(id, (toldNew.get(id) ?? 0) + 1));
    count(seenByA, answersA);
    count(seenByB, answersB);
    expect(ids.filter((id) => toldNew.get(id) !== 1)).toEqual([]);
    expect([...toldNew.values()].reduce((a, b) => a + b, 0)).toBe(ids.length);
    expect(await pushEventModel(dbA).countDocuments()).toBe(ids.length);
  });

  it('marks the pushes of a burst processed with one update', async () => {
    const db = await connect();
    const repo = batched(db);
    const ids = ['p', 'q', 'r', 's'];
    await recordAll(repo, ids);
    const operations = watchInserts(db);
    await Promise.all(ids.map((id) => repo.markProcessed(received(id).dedupeKey, new Date())));
    expect(operations.updates).toEqual(['updateMany']);
    expect(await pushEventModel(db).countDocuments({ processedAt: { $exists: true } })).toBe(ids.length);
    expect(await repo.unprocessed(new Date(Date.now() + 60_000), 10)).toEqual([]);
  });

  it('rejects every push of a batch when the database connection is gone, and stores nothing', async () => {
    const db = await connect();
    const repo = batched(db);
    await db.close();
    const settled = await Promise.allSettled(['x', 'y', 'z'].map((id) => repo.record(received(id), new Date())));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);

    const check = await connect();
    expect(await pushEventModel(check).countDocuments()).toBe(0);
  });
});

describe('push group commit: the push route', () => {
  let app: TestApp;
  afterEach(async () => app?.close());

  const sealed = (orderId: string) =>
    sealPush(authorizeEvent(orderId), {
      mode: 'plain',
      format: 'xml',
      token: TEST_ENV.WECHAT_TOKEN,
      appid: TEST_ENV.WECHAT_APPID,
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: String(crypto.randomInt(1e9)),
    });
  const deliver = async (app: TestApp, push: ReturnType<typeof sealed>) => {
    const res = await fetch(`${app.url}/wechat/push?${new URLSearchParams(push.query).toString()}`, {
      method: 'POST',
      headers: { 'content-type': push.contentType },
      body: push.body,
    });
    return { status: res.status, text: await res.text() };
  };

  it('answers every concurrent push "success" and stores each event once, resends included', async () => {
    app = await startTestApp({ env: { PUSH_GROUP_COMMIT_MS: '20' } });
    const ids = Array.from({ length: 30 }, (_, i) => `route-${i}`);
    // Each push once, a third of them resent while the first copy is still in flight.
    const wave = shuffled([...ids, ...ids.slice(0, 10)]).map(sealed);
    const answers = await Promise.all(wave.map((push) => deliver(app, push)));
    expect(answers.filter((a) => a.status !== 200 || a.text !== 'success')).toEqual([]);
    // Resent again after they were stored.
    const again = await Promise.all(shuffled(ids.slice(20)).map((id) => deliver(app, sealed(id))));
    expect(again.filter((a) => a.status !== 200 || a.text !== 'success')).toEqual([]);

    const stored = await pushEventModel(app.container.db).find({}, { message: 1 }).lean();
    expect(stored.map(orderOf).sort()).toEqual([...ids].sort());
  });

  it('answers non-success when the database refuses, so WeChat resends', async () => {
    app = await startTestApp();
    expect(await deliver(app, sealed('before'))).toEqual({ status: 200, text: 'success' });
    await app.container.db.close();
    const answers = await Promise.all(['down-1', 'down-2', 'down-3'].map((id) => deliver(app, sealed(id))));
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(500);
      expect(answer.text).not.toBe('success');
    }
    // The app can no longer drop its database: drop it here.
    const cleanUp = await mongoose.createConnection(app.container.config.MONGODB_URI).asPromise();
    await cleanUp.dropDatabase();
    await cleanUp.close();
  });
});

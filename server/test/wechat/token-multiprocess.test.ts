/**
 * The proof that the access_token and the wx_card ticket are shared by every process: 4 OS
 * processes x 250 concurrent getauthurl calls, all starting together on a cold cache against the
 * same database, cause exactly ONE token fetch and ONE ticket fetch at the (fake) WeChat server,
 * which counts what reaches it. All 1000 calls succeed with that one token and ticket.
 */
import mongoose, { type Connection } from 'mongoose';
import { wechatCredentialModel } from '../../src/data/wechat-credential/wechat-credential.schema';
import { testDatabaseUri } from '../harness/database';
import { startFakeWeChat, type FakeWeChat } from '../support/fake-wechat';
import { startTokenWorker, type TokenWorker } from '../support/token-worker-process';
import { randomAppid, TEST_SECRET } from '../support/wechat-seeds';

const PROCESSES = 4;
const CALLS_PER_PROCESS = 250;

describe('access_token and wx_card ticket shared by every process', () => {
  let fake: FakeWeChat | undefined;
  let db: Connection | undefined;
  const workers: TokenWorker[] = [];

  afterAll(async () => {
    for (const { spawned } of workers) if (spawned.child.exitCode === null) spawned.child.kill();
    await fake?.close();
    await db?.dropDatabase();
    await db?.close();
  });

  it(`${PROCESSES} processes x ${CALLS_PER_PROCESS} concurrent calls on a cold cache: one token fetch, one ticket fetch`, async () => {
    const appid = randomAppid();
    const uri = testDatabaseUri();
    db = await mongoose.createConnection(uri).asPromise();
    fake = await startFakeWeChat({ appid, secret: TEST_SECRET });
    const env = {
      WECHAT_API_BASE: fake.baseUrl,
      MONGODB_URI: uri,
      WECHAT_APPID: appid,
      WECHAT_SECRET: TEST_SECRET,
      CALLS: String(CALLS_PER_PROCESS),
    };
    for (let i = 0; i < PROCESSES; i++) workers.push(startTokenWorker(env));
    await Promise.all(workers.map((w) => w.ready));
    expect(fake.requests).toHaveLength(0); // cold: nobody has called WeChat yet
    for (const worker of workers) worker.go();

    const summaries = await Promise.all(workers.map((w) => w.summary));

    expect(summaries.map((s) => ({ ok: s.ok, failed: s.failed, errors: s.errors }))).toEqual(
      Array(PROCESSES).fill({ ok: CALLS_PER_PROCESS, failed: 0, errors: [] }),
    );
    // Counted where it matters: at the server.
    expect(fake.tokenFetches()).toBe(1);
    expect(fake.count('/cgi-bin/ticket/getticket')).toBe(1);
    expect(fake.count('/card/invoice/getauthurl')).toBe(PROCESSES * CALLS_PER_PROCESS);
    // Every call carried the one token and the one ticket, and every process ends up holding them.
    const [token] = fake.issuedTokens;
    const [ticket] = fake.issuedTickets;
    const authUrlCalls = fake.requests.filter((r) => r.path === '/card/invoice/getauthurl');
    expect(new Set(authUrlCalls.map((r) => r.query.access_token))).toEqual(new Set([token]));
    expect(new Set(authUrlCalls.map((r) => (r.body as { ticket?: string }).ticket))).toEqual(new Set([ticket]));
    expect(new Set(summaries.flatMap((s) => [...s.tokens, ...s.tickets]))).toEqual(new Set([token, ticket]));
    // And the database holds them, leases released.
    const stored = await wechatCredentialModel(db).find({ appid }).sort({ kind: 1 }).lean();
    expect(stored.map((d) => ({ kind: d.kind, value: d.value, lease: d.lease }))).toEqual([
      { kind: 'access_token', value: token, lease: null },
      { kind: 'wx_card_ticket', value: ticket, lease: null },
    ]);
  }, 60_000);
});

import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox } from '..';
import { eventually } from '../../test/support/eventually';
import { Caller, machine, merchantApp, startReceiver, userOf, type Json, type Receiver } from '../invoice/test-kit';

/**
 * Push delivery with WeChat's behaviour, on a scaled-down clock: the 5 s timeout is 300 ms here, so
 * "a merchant that answers in 6 s" is one that answers in 360 ms (the same 1.2 × the timeout).
 */
const TIMEOUT_MS = 300;
const PLAIN = 'wx8888888888888888';
const SAFE = 'wx9999999999999999';
const NOWHERE = 'wx1212121212121212';
const CLOSED = 'wx1313131313131313';

describe('sandbox: push delivery', () => {
  let sb: Sandbox;
  let plain: Receiver;
  let safe: Receiver;
  const callers: Record<string, Caller> = {};
  const pappids: Record<string, string> = {};
  const alice = userOf(PLAIN, 'alice');
  let n = 0;

  beforeAll(async () => {
    plain = await startReceiver(PLAIN);
    safe = await startReceiver(SAFE, 'safe');
    const apps = [
      merchantApp(PLAIN, plain.url),
      merchantApp(SAFE, safe.url, 'safe', 'json'),
      merchantApp(NOWHERE),
      merchantApp(CLOSED, 'http://127.0.0.1:1/wechat/push'),
    ];
    sb = await createSandbox({
      mongodbUri: testDatabaseUri(),
      apps,
      settings: { pushTimeoutMs: TIMEOUT_MS, pushRetryPauseMs: 0, workerPollMs: 30 },
    });
    for (const app of apps) {
      callers[app.appid] = await new Caller(sb, app).login();
      pappids[app.appid] = await (callers[app.appid] as Caller).onboard();
    }
  });
  afterEach(() => fetch(`${sb.url}/sandbox/api/faults`, { method: 'DELETE' }));
  afterAll(async () => {
    await sb?.close();
    await plain?.close();
    await safe?.close();
  });

  /** A user authorizes a fresh order of `appid`: one user_authorize_invoice push. Returns the order id. */
  const authorizeNewOrder = async (appid: string): Promise<string> => {
    const orderId = `P-${(n += 1)}`;
    const { auth_url } = await (callers[appid] as Caller).authUrl(pappids[appid] ?? '', orderId);
    const done = await machine(sb, 'POST', '/authorize', { auth_url, openid: userOf(appid, 'alice'), action: 'authorize' });
    expect(done.status).toBe(200);
    return orderId;
  };
  const pushes = async (orderId: string) => (await machine(sb, 'GET', `/pushes?order_id=${orderId}`)).json as { deliveries: Json[]; attempts: Json[] };
  const settled = (orderId: string, count = 1) =>
    eventually(
      async () => {
        const found = await pushes(orderId);
        return found.deliveries.length >= count && found.deliveries.every((d) => d.status !== 'pending') ? found : undefined;
      },
      `the pushes of ${orderId} to settle`,
      10_000,
    );
  const requestsFor = (receiver: Receiver, orderId: string) => receiver.requests.filter((r) => r.body.includes(`<![CDATA[${orderId}]]>`));

  it('a merchant that answers in 6 s (1.2 × the timeout) gets the push 3 more times, then WeChat gives up', async () => {
    plain.answer({ delayMs: TIMEOUT_MS * 1.2 });
    const orderId = await authorizeNewOrder(PLAIN);
    const { deliveries, attempts } = await settled(orderId);
    expect(deliveries).toEqual([expect.objectContaining({ status: 'failed', attempts: 4, event: 'user_authorize_invoice', openid: alice })]);
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'retry'],
      [4, 'gave_up'],
    ]);
    for (const a of attempts) {
      expect(a).toMatchObject({ error: expect.stringMatching(/^timeout/), orderId, url: plain.url });
      expect(a.durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    }
    const received = requestsFor(plain, orderId);
    expect(received).toHaveLength(4);
    const sent = plain.pushes.filter((p) => p.message.kind === 'user_authorize_invoice' && p.message.succOrderId === orderId);
    expect(new Set(sent.map((p) => p.dedupeKey)).size).toBe(1); // the same event each time (same CreateTime)
  });

  it('retries a 500 and an answer that is not a reply; "success" ends it; every attempt is recorded', async () => {
    let calls = 0;
    plain.answer(() => {
      calls += 1;
      return calls === 1 ? { status: 500, body: 'busy' } : calls === 2 ? { body: 'oops' } : { body: 'success' };
    });
    const orderId = await authorizeNewOrder(PLAIN);
    const { deliveries, attempts } = await settled(orderId);
    expect(deliveries).toEqual([expect.objectContaining({ status: 'delivered', attempts: 3 })]);
    expect(attempts).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'retry', httpStatus: 500, responseSnippet: 'busy', event: 'user_authorize_invoice', at: expect.any(String) }),
      expect.objectContaining({ attempt: 2, outcome: 'retry', httpStatus: 200, responseSnippet: 'oops' }),
      expect.objectContaining({ attempt: 3, outcome: 'delivered', httpStatus: 200, responseSnippet: 'success' }),
    ]);
    expect(requestsFor(plain, orderId)).toHaveLength(3);
  });

  it('an empty answer ends it at once', async () => {
    plain.answer({ body: '' });
    const orderId = await authorizeNewOrder(PLAIN);
    expect((await settled(orderId)).attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered' })]);
  });

  it('retries a refused connection, recording the error', async () => {
    const orderId = await authorizeNewOrder(CLOSED);
    const { attempts } = await settled(orderId);
    expect(attempts).toHaveLength(4);
    expect(attempts[3]).toMatchObject({ outcome: 'gave_up', error: 'ECONNREFUSED' });
  });

  it('faults: duplicates send identical extra copies, dropRate 1 sends nothing', async () => {
    plain.answer({ body: 'success' });
    await fetch(`${sb.url}/sandbox/api/faults`, { method: 'PUT', body: JSON.stringify({ push: { duplicates: 2 } }) });
    const doubled = await authorizeNewOrder(PLAIN);
    const { deliveries } = await settled(doubled, 3);
    expect(deliveries.map((d) => [d.copy, d.status])).toEqual([
      [0, 'delivered'],
      [1, 'delivered'],
      [2, 'delivered'],
    ]);
    const copies = plain.pushes.filter((p) => p.message.kind === 'user_authorize_invoice' && p.message.succOrderId === doubled);
    expect(copies).toHaveLength(3);
    expect(new Set(copies.map((p) => p.dedupeKey)).size).toBe(1);

    await fetch(`${sb.url}/sandbox/api/faults`, { method: 'PUT', body: JSON.stringify({ push: { dropRate: 1 } }) });
    const dropped = await authorizeNewOrder(PLAIN);
    const record = await settled(dropped);
    expect(record.deliveries).toEqual([expect.objectContaining({ status: 'dropped' })]);
    expect(record.attempts).toEqual([expect.objectContaining({ attempt: 0, outcome: 'dropped' })]);
    expect(requestsFor(plain, dropped)).toHaveLength(0);
  });

  it('safe mode: the push is encrypted in the app\'s format and opens with the merchant\'s key', async () => {
    const orderId = await authorizeNewOrder(SAFE);
    await settled(orderId);
    const push = await eventually(() => safe.pushes.find((p) => p.message.kind === 'user_authorize_invoice' && p.message.succOrderId === orderId));
    expect(push).toMatchObject({ encrypted: true, format: 'json', message: { authorizeAppId: SAFE, toUserName: merchantApp(SAFE).originalId } });
    const raw = safe.requests[safe.requests.length - 1];
    expect(raw?.query).toMatchObject({ encrypt_type: 'aes', msg_signature: expect.any(String), signature: expect.any(String) });
    expect(raw?.body).not.toContain(orderId);
    expect(safe.rejected).toEqual([]);
  });

  it('an app without a push URL: recorded as skipped', async () => {
    const orderId = await authorizeNewOrder(NOWHERE);
    const { deliveries, attempts } = await settled(orderId);
    expect(deliveries).toEqual([expect.objectContaining({ status: 'skipped' })]);
    expect(attempts).toEqual([expect.objectContaining({ outcome: 'skipped', attempt: 0 })]);
  });
});

/**
 * Hostile input on every public route: forged credentials, `$`-operators where strings belong,
 * unknown fields, huge, negative and fractional numbers, truncated, oversized and mistyped bodies,
 * forged, replayed and malformed pushes. Every rejection must be a 4xx with `{error:{code,message}}`,
 * and leave the database exactly as it was (and WeChat uncalled).
 *
 * The API cases are generated from /openapi.json by support/hostile-input.ts, so a new API route
 * is exercised without anyone writing a case for it; the router itself is checked against the
 * routes exercised here, so a new non-API route fails the last test until it gets cases of its own.
 */
import crypto from 'node:crypto';
import type Koa from 'koa';
import type Router from '@koa/router';
import { pushSignature, msgSignature, encryptMessage, decodeAesKey } from '../src/wechat/push';
import { sealPush } from '../sandbox/push/seal';
import { startTestApp, TEST_ENV, type TestApp } from './support/app';
import { startFakeWeChat, type FakeWeChat } from './support/fake-wechat';
import { dereferenced } from './support/openapi';
import { authorizeEvent } from './support/push-events';
import { chunked, hostileCases, HUGE_2_64, jsonHeaders, OVERLONG, operationsOf, send as sendTo, type Answer, type Call, type HostileCase, type Operation } from './support/hostile-input';

const AES_KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const ADMIN_KEY = TEST_ENV.ADMIN_API_KEYS;
const ORDER_NO = 'HOSTILE-1';
/** The order the channel API's valid body asks for (its own, so HOSTILE-1's request stays as it is). */
const CHANNEL_ORDER_NO = 'HOSTILE-2';
const CHANNEL_KEY = 'channel-key-hostile-0123456789ab';
/** A second account: an Official Account with its own push keys and H5 pages. */
const OA = {
  name: 'oa',
  kind: 'official_account',
  appid: 'wxoa01oa01oa01oa01',
  secret: 'oa-secret-0123456789abcdef0123',
  token: 'oaPushToken42',
  aesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut',
};

let fake: FakeWeChat;
let app: TestApp;
let koa: Koa | undefined;
let buyer: { token: string; openid: string };
let expiredToken: string;
let requestId: string;

const send = (call: Call) => sendTo(app.url, call);

// ── The database, before and after ─────────────────────────────────────────────────────────────

type Snapshot = Record<string, { documents: number; digest: string }>;

/**
 * Every collection of the server's database, listed afresh each time (so collections added later
 * are covered): its document count, and a digest of its contents so that an update is seen too.
 */
async function snapshotCounts(): Promise<Snapshot> {
  const db = app.container.db.db;
  if (!db) throw new Error('the app is not connected');
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const entries = await Promise.all(
    names.map(async (name) => {
      const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
      const digest = crypto.createHash('sha256').update(JSON.stringify(docs)).digest('hex').slice(0, 16);
      return [name, { documents: docs.length, digest }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Sends each case and checks: 4xx (or the expected status), a coded JSON error, WeChat not called,
 * and the database unchanged. Collects failures rather than stopping at the first, so one run
 * shows them all.
 */
async function expectAllRejected(cases: HostileCase[]): Promise<void> {
  const failures: string[] = [];
  let before = await snapshotCounts();
  let pending: string[] = [];
  const checkDatabase = async () => {
    const after = await snapshotCounts();
    if (JSON.stringify(after) !== JSON.stringify(before)) failures.push(`database changed by one of [${pending.join(' | ')}]: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
    before = after;
    pending = [];
  };
  for (const [i, { name, call, expect: wanted = {}, group }] of cases.entries()) {
    const label = `${call.method} ${call.path.slice(0, 120)} — ${name}`;
    pending.push(label);
    const wechatCalls = fake.requests.length;
    let answer: Answer | undefined;
    try {
      answer = await send(call);
    } catch (err) {
      failures.push(`${label}: no answer: ${String((err as Error).cause ?? err)}`);
    }
    if (answer) {
      const error = (answer.json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      if (wanted.status !== undefined ? answer.status !== wanted.status : answer.status < 400 || answer.status >= 500) {
        failures.push(`${label}: status ${answer.status} (wanted ${wanted.status ?? '4xx'}): ${answer.text.slice(0, 200)}`);
      }
      if (typeof error?.code !== 'string' || typeof error.message !== 'string') failures.push(`${label}: body is not {error:{code,message}}: ${answer.text.slice(0, 200)}`);
      else if (wanted.code !== undefined && error.code !== wanted.code) failures.push(`${label}: code ${error.code} (wanted ${wanted.code}): ${error.message.slice(0, 200)}`);
    }
    if (fake.requests.length !== wechatCalls) failures.push(`${label}: WeChat was called: ${fake.requests.slice(wechatCalls).map((r) => r.path).join(', ')}`);
    if (group === undefined || cases[i + 1]?.group !== group) await checkDatabase();
  }
  expect(failures).toEqual([]);
}

let operations: Operation[] = [];
const exercised = new Set<string>();
/** Notes the routes a list of cases exercises (the coverage test at the end checks them all). */
function exercising(cases: HostileCase[]): HostileCase[] {
  for (const c of cases) if (c.route) exercised.add(c.route);
  return cases;
}

/** A body each route accepts (the tests below check that it does): hostile cases are one change to it. */
function validBody(key: string): unknown {
  const bodies: Record<string, unknown> = {
    'POST /api/mp/session': { code: 'hostile.valid-login' },
    'POST /api/mp/orders/{orderNo}/invoice': {
      type: 0,
      title: {
        kind: 'company',
        name: '厦门示例贸易有限公司',
        taxNumber: '91350200MA2Y0AW816',
        address: '厦门市思明区示例路 1 号',
        phone: '0592-1234567',
        bankName: '招商银行厦门分行',
        bankAccount: '592900000000001',
        email: 'ops@example.cn',
      },
    },
    'POST /api/admin/orders': {
      orderNo: 'HOSTILE-2',
      openid: buyer.openid,
      amount: 14_300,
      items: [
        { name: '办公椅', spbm: '1050201010000000000', quantity: 2, unitPrice: 5650, taxRate: '0.13' },
        { name: '订书机', spbm: '1080212990000000000', quantity: 3, unitPrice: 1000, taxRate: '0.13' },
      ],
      createdAt: '2026-05-01T02:00:00Z',
    },
    'POST /api/admin/invoices/{id}/reject': { reason: '抬头有误，请重新申请', url: 'https://example.com/help' },
    'POST /api/admin/invoices/{id}/resolve': { note: '已与买家电话确认' },
    'PUT /api/admin/settings/contact': { phone: '0591-88888888', timeOut: 3600 },
    'PUT /api/admin/settings/auth-fields': {
      user_field: { show_title: 1, show_phone: 1, show_email: 1, require_phone: 0, require_email: 0, custom_field: [{ key: '备注', is_require: 0, notice: '选填' }] },
      biz_field: {
        show_title: 1,
        show_tax_no: 1,
        show_addr: 1,
        show_phone: 1,
        show_bank_type: 1,
        show_bank_no: 1,
        require_tax_no: 1,
        require_addr: 0,
        require_phone: 0,
        require_bank_type: 0,
        require_bank_no: 0,
        custom_field: [{ key: '部门', is_require: 1, notice: '请填写部门' }],
      },
    },
    'PUT /api/admin/settings/pay-mch': { mchid: '1234567890', s_pappid: TEST_ENV.INVOICE_S_PAPPID },
    'POST /api/admin/session': { username: 'hostile.clerk', password: 'not-the-password' },
    'POST /api/admin/staff': { username: 'hostile.clerk', displayName: '财务小王', role: 'viewer', password: 'correct-horse-battery' },
    'PUT /api/admin/staff/{username}': { displayName: '财务小王' },
    'POST /api/channel/invoices': { orderNo: CHANNEL_ORDER_NO, account: 'default', source: 'wap', redirectUrl: 'https://shop.example/back' },
    // A period with no request in it: the run finishes at once, and asks WeChat nothing.
    'POST /api/admin/reconcile-runs': { from: '2026-05-01', to: '2026-05-02T00:00:00+08:00' },
  };
  if (!(key in bodies)) throw new Error(`no valid body for ${key}: add one to validBody() so its hostile variants can be generated`);
  return bodies[key];
}

/** Real values for path parameters, so a hostile request would otherwise reach real data. */
function pathValue(name: string): string {
  const values: Record<string, string> = { orderNo: ORDER_NO, id: requestId, requestId, username: 'hostile.clerk', runId: 'rr_00000000000000ff' };
  const value = values[name];
  if (value === undefined) throw new Error(`no value for path parameter {${name}}: add one to pathValue()`);
  return value;
}

/** Query values each route accepts. */
function validQuery(key: string): Record<string, string> {
  const queries: Record<string, Record<string, string>> = {
    'GET /api/mp/orders': { limit: '5' },
    'GET /api/admin/invoices': { status: 'AUTH_PENDING', orderNo: ORDER_NO, limit: '5' },
  };
  return queries[key] ?? {};
}

/** The generator's view of this test's data (read when the cases are made, after the setup). */
const generate = () =>
  hostileCases(operations, {
    validBody,
    pathValue,
    validQuery,
    adminKey: ADMIN_KEY,
    expiredSession: () => expiredToken,
    credential(op) {
      if (op.auth === 'session') return `Bearer ${buyer.token}`;
      if (op.auth === 'adminKey') return `Bearer ${ADMIN_KEY}`;
      if (op.auth === 'channelKey') return `Bearer ${CHANNEL_KEY}`;
      return undefined;
    },
    foreignCredential: (op) => (op.auth === 'session' ? `Bearer ${ADMIN_KEY}` : `Bearer ${buyer.token}`),
  });

// ── Setup ──────────────────────────────────────────────────────────────────────────────────────

beforeAll(async () => {
  fake = await startFakeWeChat({ appid: TEST_ENV.WECHAT_APPID, secret: TEST_ENV.WECHAT_SECRET, otherApps: [OA] });
  app = await startTestApp({
    env: { WECHAT_API_BASE: fake.baseUrl, WECHAT_AES_KEY: AES_KEY, WECHAT_ACCOUNTS: JSON.stringify([OA]), CHANNEL_API_KEYS: CHANNEL_KEY },
    extra: (created) => {
      koa = created;
    },
  });
  const login = await send({ method: 'POST', path: '/api/mp/session', headers: jsonHeaders(), body: JSON.stringify({ code: 'hostile.buyer' }) });
  buyer = login.json as { token: string; openid: string };
  expiredToken = (await app.container.repositories.sessions.create({ account: 'default', openid: buyer.openid }, new Date(Date.now() - 3_600_000), 1_000)).token;
  const order = {
    orderNo: ORDER_NO,
    openid: buyer.openid,
    amount: 2 * 5650 + 3 * 1000,
    items: [
      { name: '办公椅', spbm: '1050201010000000000', quantity: 2, unitPrice: 5650, taxRate: '0.13' },
      { name: '订书机', spbm: '1080212990000000000', quantity: 3, unitPrice: 1000, taxRate: '0.13' },
    ],
  };
  expect((await send({ method: 'POST', path: '/api/admin/orders', headers: jsonHeaders(`Bearer ${ADMIN_KEY}`), body: JSON.stringify(order) })).status).toBe(201);
  const channelOrder = { ...order, orderNo: CHANNEL_ORDER_NO };
  expect((await send({ method: 'POST', path: '/api/admin/orders', headers: jsonHeaders(`Bearer ${ADMIN_KEY}`), body: JSON.stringify(channelOrder) })).status).toBe(201);
  const invoice = await send({ method: 'POST', path: `/api/mp/orders/${ORDER_NO}/invoice`, headers: jsonHeaders(`Bearer ${buyer.token}`), body: '{"type":1}' });
  expect(invoice.status).toBe(200);
  requestId = (await app.container.repositories.orders.findByOrderNo(ORDER_NO))?.latestRequestId ?? 'missing';
  operations = operationsOf(dereferenced((await send({ method: 'GET', path: '/openapi.json' })).json) as Parameters<typeof operationsOf>[0]);
});

afterAll(async () => {
  await app?.close();
  await fake?.close();
});


// ── API routes ─────────────────────────────────────────────────────────────────────────────────

describe('every API route in /openapi.json', () => {
  it('finds the routes', () => {
    expect(operations.length).toBeGreaterThan(15);
  });

  it('refuses missing, wrong, expired and foreign credentials with 401 UNAUTHENTICATED', async () => {
    await expectAllRejected(exercising(generate().credentials()));
  });

  it('refuses hostile values in every body field: $-operators, wrong types, overlong strings, huge and negative numbers, unknown and prototype keys', async () => {
    const cases = exercising(generate().bodyFields());
    expect(cases.length).toBeGreaterThan(100);
    await expectAllRejected(cases);
    // The server runs in this process: a key that reached Object.prototype would show here.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses money that is not a non-negative safe integer of fen', async () => {
    const cases = generate().money();
    expect(cases.length).toBeGreaterThanOrEqual(7 * 3); // amount and two unitPrices
    await expectAllRejected(cases);
  });

  it('refuses truncated, non-object, oversized, compressed-bomb and mistyped bodies', async () => {
    await expectAllRejected(generate().bodyShapes());
  });

  it('refuses hostile path parameters', async () => {
    await expectAllRejected(exercising(generate().pathParams()));
  });

  it('refuses hostile query strings: bracketed operators, repeated keys, unknown keys, bad numbers, forged cursors', async () => {
    await expectAllRejected(exercising(generate().queries()));
  });

  it('answers wrong methods with 405 and unknown paths with 404, as coded errors', async () => {
    await expectAllRejected(generate().methods());
  });

  // Last among the API cases: these calls are accepted and change data.
  it('accepts each valid body, so the hostile cases above were refused for their one change', async () => {
    const refusedAsInput: string[] = [];
    for (const op of operations.filter((o) => o.body)) {
      const answer = await send(generate().validCall(op));
      const code = (answer.json as { error?: { code?: string } }).error?.code;
      if (answer.status >= 500 || code === 'VALIDATION_FAILED' || code === 'MALFORMED_BODY' || code === 'BODY_TOO_LARGE') {
        refusedAsInput.push(`${op.key}: ${answer.status} ${answer.text.slice(0, 300)}`);
      }
    }
    expect(refusedAsInput).toEqual([]);
  });
});

// ── /wechat/push ───────────────────────────────────────────────────────────────────────────────

describe('/wechat/push (safe mode configured)', () => {
  const aesKey = decodeAesKey(AES_KEY);
  const fields = (orderId: string) => authorizeEvent(orderId, Math.floor(Date.now() / 1000));
  let nonce = 0;
  const seal = (content: Record<string, string | number>, format: 'xml' | 'json' = 'xml', appid: string = TEST_ENV.WECHAT_APPID) =>
    sealPush(content, { mode: 'safe', format, token: TEST_ENV.WECHAT_TOKEN, appid, aesKey, timestamp: String(Math.floor(Date.now() / 1000)), nonce: String(++nonce) });

  const post = (query: Record<string, string>, body: string | ReadableStream<Uint8Array>, contentType = 'text/xml'): Call => ({
    method: 'POST',
    path: `/wechat/push?${new URLSearchParams(query).toString()}`,
    headers: { 'content-type': contentType },
    body,
  });

  /** A safe-mode push whose Encrypt is `encrypt`, correctly signed: only the ciphertext is wrong. */
  const signedEncrypt = (encrypt: string, format: 'xml' | 'json' = 'xml'): Call => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const n = String(++nonce);
    const query = {
      signature: pushSignature(TEST_ENV.WECHAT_TOKEN, timestamp, n),
      timestamp,
      nonce: n,
      encrypt_type: 'aes',
      msg_signature: msgSignature(TEST_ENV.WECHAT_TOKEN, timestamp, n, encrypt),
    };
    const body = format === 'xml' ? `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` : JSON.stringify({ ToUserName: 'gh_1', Encrypt: encrypt });
    return post(query, body, format === 'xml' ? 'text/xml' : 'application/json');
  };

  /** A correctly signed and encrypted push whose decrypted content is `plaintext`. */
  const sealedPlaintext = (plaintext: string) => signedEncrypt(encryptMessage(plaintext, { aesKey, appid: TEST_ENV.WECHAT_APPID }));

  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><ToUserName>&lol3;</ToUserName></xml>`;

  it('refuses forged, foreign, malformed and oversized pushes, storing nothing', async () => {
    exercised.add('POST /wechat/push');
    const good = seal(fields('order-good'));
    const goodEncrypt = /<Encrypt><!\[CDATA\[([^\]]+)\]\]><\/Encrypt>/.exec(good.body)?.[1] ?? '';
    const ciphertext = Buffer.from(goodEncrypt, 'base64');
    const forgedSig = '0'.repeat(40);
    const hugeXml = `<xml><Encrypt><![CDATA[${'A'.repeat(70 * 1024)}]]></Encrypt></xml>`;
    await expectAllRejected([
      { name: 'no query at all', call: post({}, good.body), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'forged msg_signature', call: post({ ...good.query, msg_signature: forgedSig }, good.body), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'msg_signature missing', call: post({ ...good.query, msg_signature: '' }, good.body), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'forged plain signature', call: post({ signature: forgedSig, timestamp: good.query.timestamp ?? '', nonce: good.query.nonce ?? '' }, '<xml><ToUserName>x</ToUserName></xml>'), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      {
        // A plain push's signature covers no body: with safe mode configured it is refused, or one
        // signed URL from a log would let anyone post any event.
        name: 'plain push, correctly signed, while safe mode is configured',
        call: post({ signature: pushSignature(TEST_ENV.WECHAT_TOKEN, good.query.timestamp ?? '', good.query.nonce ?? ''), timestamp: good.query.timestamp ?? '', nonce: good.query.nonce ?? '' }, `<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1714112445</CreateTime><MsgType>event</MsgType><Event>user_authorize_invoice</Event><FailOrderId>order-good</FailOrderId></xml>`),
        expect: { status: 400, code: 'PUSH_REJECTED' },
      },
      { name: 'signature as a $-operator', call: post({ ...good.query, 'msg_signature[$ne]': 'x', msg_signature: '{"$ne":""}' }, good.body), expect: { status: 401 } },
      { name: 'captured signature over another ciphertext', call: post(good.query, seal(fields('order-evil')).body), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'wrong appid inside the ciphertext (XML)', call: post(seal(fields('order-x'), 'xml', 'wx9999999999999999').query, seal(fields('order-x'), 'xml', 'wx9999999999999999').body), expect: { status: 401 } },
      { name: 'wrong appid inside the ciphertext, correctly signed', call: signedEncrypt(encryptMessage('<xml><ToUserName>x</ToUserName></xml>', { aesKey, appid: 'wx9999999999999999' })), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'truncated ciphertext (not base64 any more)', call: signedEncrypt(goodEncrypt.slice(0, goodEncrypt.length - 3)), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'ciphertext one block short', call: signedEncrypt(ciphertext.subarray(0, ciphertext.length - 32).toString('base64')) },
      { name: 'ciphertext not a multiple of 32 bytes', call: signedEncrypt(ciphertext.subarray(0, ciphertext.length - 5).toString('base64')), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'bad base64', call: signedEncrypt('!!!not*base64!!!'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'empty Encrypt', call: signedEncrypt(''), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'random bytes as ciphertext', call: signedEncrypt(crypto.randomBytes(256).toString('base64')) },
      { name: 'billion laughs in the envelope', call: post(good.query, laughs), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'billion laughs inside the ciphertext', call: sealedPlaintext(laughs), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'external entity inside the ciphertext', call: sealedPlaintext(`<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml><ToUserName>&x;</ToUserName></xml>`), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'invoice event without its fields, inside the ciphertext', call: sealedPlaintext('<xml><Event><![CDATA[cloud_invoice_invoiceresult_event]]></Event></xml>'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'huge CreateTime inside the ciphertext', call: sealedPlaintext(`<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>${HUGE_2_64}</CreateTime><Event>user_authorize_invoice</Event><SuccOrderId>o</SuccOrderId></xml>`), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'negative CreateTime inside the ciphertext', call: sealedPlaintext('<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><CreateTime>-1</CreateTime><Event>user_authorize_invoice</Event><SuccOrderId>o</SuccOrderId></xml>'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'plaintext that is not XML or JSON', call: sealedPlaintext('hello'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'encrypt_type=aes without Encrypt', call: post(good.query, '<xml><ToUserName>x</ToUserName></xml>'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'unknown encrypt_type', call: post({ ...good.query, encrypt_type: 'rsa' }, good.body), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'truncated XML', call: post(good.query, good.body.slice(0, good.body.length / 2)), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'neither XML nor JSON', call: post(good.query, 'Encrypt=abc', 'application/x-www-form-urlencoded'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'empty body', call: post(good.query, ''), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'over 64 kb', call: post(good.query, hugeXml), expect: { status: 413, code: 'BODY_TOO_LARGE' } },
      { name: 'over 64 kb, chunked', call: post(good.query, chunked(hugeXml)), expect: { status: 413, code: 'BODY_TOO_LARGE' } },
      { name: 'JSON: Encrypt as an operator object', call: post(good.query, JSON.stringify({ Encrypt: { $gt: '' } }), 'application/json'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'JSON: Encrypt as an array', call: post(good.query, JSON.stringify({ Encrypt: [goodEncrypt] }), 'application/json'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'JSON: array body', call: post(good.query, JSON.stringify([{ Encrypt: goodEncrypt }]), 'application/json'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'JSON: truncated', call: post(good.query, JSON.stringify({ Encrypt: goodEncrypt }).slice(0, 30), 'application/json'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'JSON: duplicate Encrypt, the signed one first', call: post(good.query, `{"Encrypt":"${goodEncrypt}","Encrypt":"${crypto.randomBytes(64).toString('base64')}"}`, 'application/json'), expect: { status: 401 } },
      { name: 'JSON: __proto__ key', call: post(good.query, `{"__proto__":{"Encrypt":"${goodEncrypt}"}}`, 'application/json'), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'JSON: nested 10 000 deep', call: post(good.query, `{"Encrypt":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, 'application/json'), expect: { status: 400, code: 'PUSH_REJECTED' } },
    ]);
    expect(({} as Record<string, unknown>).Encrypt).toBeUndefined();
  });

  it('refuses a forged URL check (GET), and one without echostr', async () => {
    exercised.add('GET /wechat/push');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = pushSignature(TEST_ENV.WECHAT_TOKEN, timestamp, '42');
    const get = (query: Record<string, string>): Call => ({ method: 'GET', path: `/wechat/push?${new URLSearchParams(query).toString()}` });
    await expectAllRejected([
      { name: 'no signature', call: get({ timestamp, nonce: '42', echostr: 'e' }), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'forged signature', call: get({ signature: 'f'.repeat(40), timestamp, nonce: '42', echostr: 'e' }), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'signature of another nonce', call: get({ signature, timestamp, nonce: '43', echostr: 'e' }), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'overlong signature', call: get({ signature: signature + OVERLONG, timestamp, nonce: '42', echostr: 'e' }), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'valid signature, no echostr', call: get({ signature, timestamp, nonce: '42' }), expect: { status: 400, code: 'PUSH_REJECTED' } },
      { name: 'wrong method', call: { method: 'PUT', path: '/wechat/push', body: 'x' }, expect: { status: 405, code: 'METHOD_NOT_ALLOWED' } },
    ]);
  });

  it('a replayed push (same nonce, timestamp and body) is acknowledged again and stored once; the timestamp is not checked for age', async () => {
    const events = app.container.db.collection('push_events');
    const before = await events.countDocuments();
    // An event kind the lifecycle only keeps, so nothing else changes after the answer.
    const sealed = seal({ ToUserName: 'gh_1', FromUserName: 'o-replayer', CreateTime: 1_714_112_445, MsgType: 'event', Event: 'debug_demo' });
    for (let i = 0; i < 3; i++) {
      const answer = await send(post(sealed.query, sealed.body));
      expect({ attempt: i, status: answer.status, text: answer.text }).toEqual({ attempt: i, status: 200, text: 'success' });
    }
    expect(await events.countDocuments()).toBe(before + 1);
    // A year-old timestamp with a valid signature is accepted: WeChat's scheme has no freshness rule
    // and this server adds none, so replay protection rests on deduplication alone.
    const old = sealPush(
      { ToUserName: 'gh_1', FromUserName: 'o-replayer', CreateTime: 1_680_000_000, MsgType: 'event', Event: 'debug_demo' },
      { mode: 'safe', format: 'xml', token: TEST_ENV.WECHAT_TOKEN, appid: TEST_ENV.WECHAT_APPID, aesKey, timestamp: '1680000000', nonce: '7' },
    );
    expect((await send(post(old.query, old.body))).text).toBe('success');
    expect(await events.countDocuments()).toBe(before + 2);
  });
});

// ── Routes outside the API ─────────────────────────────────────────────────────────────────────

describe('/metrics', () => {
  it('is off without METRICS_TOKEN (404 for any credential, the admin key included); wrong methods are 405', async () => {
    exercised.add('GET /metrics');
    for (const authorization of [undefined, `Bearer ${ADMIN_KEY}`, 'Bearer ', `Bearer ${OVERLONG}`]) {
      const answer = await send({ method: 'GET', path: '/metrics', headers: authorization ? { authorization } : {} });
      expect({ authorization, status: answer.status, code: (answer.json as { error?: { code?: string } })?.error?.code }).toEqual({ authorization, status: 404, code: 'ROUTE_NOT_FOUND' });
    }
    expect((await send({ method: 'POST', path: '/metrics', headers: jsonHeaders(), body: '{}' })).status).toBe(405);
  });
});

describe('the console’s static files', () => {
  it('take no input: traversal and junk find nothing, and writes are refused', async () => {
    for (const route of ['/console', '/console/', '/console/index.html', '/console/assets/{file}']) exercised.add(`GET ${route}`);
    for (const path of ['/console/assets/..%2f..%2fpackage.json', '/console/assets/%00.js', `/console/assets/${'x'.repeat(300)}.js`]) {
      const answer = await send({ method: 'GET', path });
      expect({ path, status: answer.status }).toEqual({ path, status: 404 });
    }
    const write = await send({ method: 'POST', path: '/console/', headers: jsonHeaders(), body: '{"$gt":""}' });
    expect(write.status).toBeGreaterThanOrEqual(400);
    expect(write.status).toBeLessThan(500);
  });
});

describe('health and the API description', () => {
  it('take no input: wrong methods are 405 and junk in the query changes nothing', async () => {
    for (const path of ['/healthz', '/readyz', '/openapi.json']) exercised.add(`GET ${path}`);
    await expectAllRejected(
      ['/healthz', '/readyz', '/openapi.json'].flatMap((path) => [
        { name: 'POST', call: { method: 'POST', path, headers: jsonHeaders(), body: '{"$gt":""}' }, expect: { status: 405, code: 'METHOD_NOT_ALLOWED' }, group: 'health' },
        { name: 'DELETE', call: { method: 'DELETE', path }, expect: { status: 405, code: 'METHOD_NOT_ALLOWED' }, group: 'health' },
      ]),
    );
    const before = await snapshotCounts();
    for (const path of ['/healthz', '/readyz', '/openapi.json']) {
      const answer = await send({ method: 'GET', path: `${path}?status[$ne]=x&${'q'.repeat(20)}=${OVERLONG}` });
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    }
    expect(await snapshotCounts()).toEqual(before);
  });
});

// ── H5 pages and per-account push endpoints ─────────────────────────────────────────────────────

describe('H5 pages (/h5/<account>/) and /wechat/push/<account>', () => {
  /** A page answer: the status wanted, never a 500, an error page naming its code, the database untouched. */
  async function expectPages(cases: { name: string; call: Call; status: number; code?: string; location?: RegExp }[]): Promise<void> {
    const failures: string[] = [];
    const before = await snapshotCounts();
    for (const { name, call, status, code, location } of cases) {
      const res = await fetch(`${app.url}${call.path}`, { method: call.method, headers: call.headers ?? {}, body: (call.body as string | undefined) ?? null, redirect: 'manual' });
      const text = await res.text();
      const label = `${call.method} ${call.path.slice(0, 100)} — ${name}`;
      if (res.status !== status) failures.push(`${label}: status ${res.status} (wanted ${status}): ${text.slice(0, 200)}`);
      if (code && !text.includes(`data-code="${code}"`)) failures.push(`${label}: no error page with code ${code}: ${text.slice(0, 200)}`);
      if (location && !location.test(res.headers.get('location') ?? '')) failures.push(`${label}: redirected to ${res.headers.get('location')}`);
      if (text.includes('<script')) failures.push(`${label}: markup leaked into the page`);
    }
    expect(failures).toEqual([]);
    expect(await snapshotCounts()).toEqual(before);
  }

  let cookie = '';
  let csrf = '';
  beforeAll(async () => {
    // A live H5 session of the Official Account (as web authorization would make), and its form token.
    const session = await app.container.repositories.sessions.create({ account: 'oa', openid: 'oOfficialAccountBuyer0000001' }, new Date(), 3_600_000);
    cookie = `fapiao_h5=${session.token}`;
    csrf = crypto.createHash('sha256').update(`h5-form\n${session.token}`).digest('base64url');
  });

  it('refuses unknown accounts, forged sessions and states, foreign orders, hostile order numbers and forms', async () => {
    exercised.add('GET /h5/{account}');
    for (const route of ['/', '/login', '/oauth', '/orders/{orderNo}', '/orders/{orderNo}/apply', '/orders/{orderNo}/invoice']) exercised.add(`GET /h5/{account}${route}`);
    exercised.add('POST /h5/{account}/orders/{orderNo}/apply');
    const form = (fields: Record<string, string>, withCookie = cookie): Call => ({
      method: 'POST',
      path: `/h5/oa/orders/${ORDER_NO}/apply`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(withCookie ? { cookie: withCookie } : {}) },
      body: new URLSearchParams(fields).toString(),
    });
    await expectPages([
      { name: 'unknown account', call: { method: 'GET', path: '/h5/nobody/' }, status: 409, code: 'ACCOUNT_NOT_CONFIGURED' },
      { name: 'unknown account, no trailing slash', call: { method: 'GET', path: '/h5/nobody' }, status: 409, code: 'ACCOUNT_NOT_CONFIGURED' },
      { name: 'a Mini Program has no H5 pages', call: { method: 'GET', path: '/h5/default/login' }, status: 409, code: 'ACCOUNT_NOT_CONFIGURED' },
      { name: 'overlong account', call: { method: 'GET', path: `/h5/${OVERLONG.slice(0, 2000)}/` }, status: 409, code: 'ACCOUNT_NOT_CONFIGURED' },
      { name: 'no session: to login', call: { method: 'GET', path: '/h5/oa/' }, status: 302, location: /^\/h5\/oa\/login\?next=/ },
      { name: 'forged session: to login', call: { method: 'GET', path: '/h5/oa/', headers: { cookie: 'fapiao_h5=forged' } }, status: 302 },
      { name: 'login with an open redirect as next', call: { method: 'GET', path: '/h5/oa/login?next=https://evil.example/' }, status: 302, location: /^https:\/\/open\.weixin\.qq\.com\/connect\/oauth2\/authorize\?appid=wxoa01oa01oa01oa01&redirect_uri=/ },
      { name: 'oauth without a state cookie', call: { method: 'GET', path: '/h5/oa/oauth?code=abc&state=deadbeef' }, status: 401, code: 'UNAUTHENTICATED' },
      { name: 'oauth with another state', call: { method: 'GET', path: '/h5/oa/oauth?code=abc&state=deadbeef', headers: { cookie: 'fapiao_h5_state=cafebabe.%2Fh5%2Foa%2F' } }, status: 401, code: 'UNAUTHENTICATED' },
      { name: 'oauth with repeated state', call: { method: 'GET', path: '/h5/oa/oauth?code=abc&state=a&state=a', headers: { cookie: 'fapiao_h5_state=a.x' } }, status: 401, code: 'UNAUTHENTICATED' },
      { name: 'hostile order number', call: { method: 'GET', path: `/h5/oa/orders/${encodeURIComponent('{"$gt":""}')}`, headers: { cookie } }, status: 404, code: 'ORDER_NOT_FOUND' },
      { name: "another buyer's order", call: { method: 'GET', path: `/h5/oa/orders/${ORDER_NO}`, headers: { cookie } }, status: 404, code: 'ORDER_NOT_FOUND' },
      { name: "another buyer's invoice", call: { method: 'GET', path: `/h5/oa/orders/${ORDER_NO}/invoice`, headers: { cookie } }, status: 404, code: 'ORDER_NOT_FOUND' },
      { name: "another buyer's apply page", call: { method: 'GET', path: `/h5/oa/orders/${ORDER_NO}/apply`, headers: { cookie } }, status: 404, code: 'ORDER_NOT_FOUND' },
      { name: 'apply without a session', call: form({ csrf, type: '1' }, ''), status: 401, code: 'UNAUTHENTICATED' },
      { name: 'apply without the form token', call: form({ type: '1' }), status: 403, code: 'FORBIDDEN' },
      { name: 'apply with another session’s token', call: form({ csrf: 'x'.repeat(43), type: '1' }), status: 403, code: 'FORBIDDEN' },
      { name: 'apply with operator-looking values for another buyer’s order', call: form({ csrf, type: '0', kind: 'company', name: '{"$gt":""}', taxNumber: '<script>' }), status: 404, code: 'ORDER_NOT_FOUND' },
      { name: 'apply over 16 kb', call: form({ csrf, type: '1', name: OVERLONG.repeat(2) }), status: 413, code: 'BODY_TOO_LARGE' },
    ]);
  });

  it('opens a push only with the keys of the account its URL names', async () => {
    exercised.add('GET /wechat/push/{account}');
    exercised.add('POST /wechat/push/{account}');
    const timestamp = String(Math.floor(Date.now() / 1000));
    const sealFor = (token: string, appid: string, aesKey: string) =>
      sealPush(authorizeEvent('HOSTILE-PUSH-OA', Number(timestamp)), { mode: 'safe', format: 'xml', token, appid, aesKey: decodeAesKey(aesKey), timestamp, nonce: '7' });
    const mpSealed = sealFor(TEST_ENV.WECHAT_TOKEN, TEST_ENV.WECHAT_APPID, AES_KEY);
    const post = (account: string, sealed: ReturnType<typeof sealPush>, body = sealed.body): Call => ({
      method: 'POST',
      path: `/wechat/push/${account}?${new URLSearchParams(sealed.query).toString()}`,
      headers: { 'content-type': sealed.contentType },
      body,
    });
    await expectAllRejected([
      { name: 'sealed for the Mini Program, posted to the OA', call: post('oa', mpSealed), expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' } },
      { name: 'unknown account', call: post('nobody', mpSealed), expect: { status: 404, code: 'ROUTE_NOT_FOUND' } },
      { name: 'overlong account', call: post(OVERLONG.slice(0, 2000), mpSealed), expect: { status: 404, code: 'ROUTE_NOT_FOUND' } },
      { name: 'over 64 kb', call: post('oa', mpSealed, `<xml>${'a'.repeat(70_000)}</xml>`), expect: { status: 413, code: 'BODY_TOO_LARGE' } },
      {
        name: 'URL check signed with the Mini Program’s Token',
        call: { method: 'GET', path: `/wechat/push/oa?${new URLSearchParams({ signature: pushSignature(TEST_ENV.WECHAT_TOKEN, timestamp, '9'), timestamp, nonce: '9', echostr: 'e' }).toString()}` },
        expect: { status: 401, code: 'PUSH_SIGNATURE_INVALID' },
      },
      { name: 'URL check of an unknown account', call: { method: 'GET', path: '/wechat/push/nobody?echostr=e' }, expect: { status: 404, code: 'ROUTE_NOT_FOUND' } },
    ]);
    // The same check signed with the OA's own Token is answered.
    const ok = await fetch(`${app.url}/wechat/push/oa?${new URLSearchParams({ signature: pushSignature(OA.token, timestamp, '9'), timestamp, nonce: '9', echostr: 'e42' }).toString()}`);
    expect(await ok.text()).toBe('e42');
  });
});

describe('coverage', () => {
  it('every route the server mounts was exercised above', () => {
    if (!koa) throw new Error('the Koa app was not captured');
    const mounted = new Set<string>();
    for (const middleware of koa.middleware) {
      const router = (middleware as { router?: Router }).router;
      for (const layer of router?.stack ?? []) {
        for (const method of layer.methods) {
          if (method !== 'HEAD') mounted.add(`${method} ${String(layer.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
        }
      }
    }
    expect(mounted.size).toBeGreaterThan(operations.length);
    expect([...mounted].filter((route) => !exercised.has(route)).sort()).toEqual([]);
  });
});

/**
 * Bad input that once reached a 500, a stuck order or a wrong invoice (issue 18), each answered
 * now with a coded 4xx naming the field, or handled safely: unknown HTTP methods, orders issuing
 * could never invoice (a 0-fen line, a 99 % rate), a corrected re-import, colliding WeChat
 * order_ids, titles with control characters or lone surrogates, dates outside years 1–9999, a push
 * whose field name BSON cannot store, and an /openapi.json looser than the server.
 */
import http from 'node:http';
import { pushSignature } from '../src/wechat/push';
import { invoiceRequestModel } from '../src/data/invoice-request/invoice-request.schema';
import { startTestApp, TEST_ENV, type TestApp } from './support/app';
import { startFakeWeChat, type FakeWeChat } from './support/fake-wechat';
import { eventually } from './support/eventually';
import { dereferenced } from './support/openapi';
import { orderFor } from './support/orders';

const ADMIN = `Bearer ${TEST_ENV.ADMIN_API_KEYS}`;

let fake: FakeWeChat;
let app: TestApp;
let buyer: { token: string; openid: string };

beforeAll(async () => {
  fake = await startFakeWeChat({ appid: TEST_ENV.WECHAT_APPID, secret: TEST_ENV.WECHAT_SECRET });
  // No AES key: plain signed pushes are accepted, so a test can send one.
  app = await startTestApp({ env: { WECHAT_API_BASE: fake.baseUrl } });
  buyer = (await call('POST', '/api/mp/session', undefined, { code: 'badinput.buyer' })).json as unknown as typeof buyer;
  await call('PUT', '/api/admin/settings/contact', ADMIN, { phone: '0591-88888888', timeOut: 3600 });
});
afterAll(async () => {
  await app?.close();
  await fake?.close();
});

async function call(method: string, path: string, auth?: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { ...(auth ? { authorization: auth } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const errorOf = (answer: { json: Record<string, unknown> }) => answer.json.error as { code: string; message: string } | undefined;
const errorLogs = () => app.logs.filter((line) => /"level":50/.test(line));

/** A raw request (fetch refuses TRACE and friends). */
function rawRequest(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${app.url}${path}`, { method }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A plain-mode JSON push signed with the app's token, as WeChat sends one. */
function signedJsonPush(body: string): Promise<{ status: number; text: string }> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(Math.floor(Math.random() * 1e9));
  const query = new URLSearchParams({ signature: pushSignature(TEST_ENV.WECHAT_TOKEN, timestamp, nonce), timestamp, nonce });
  return fetch(`${app.url}/wechat/push?${query.toString()}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (res) => ({
    status: res.status,
    text: await res.text(),
  }));
}

describe('HTTP methods no route implements', () => {
  it('answer 405 METHOD_NOT_ALLOWED (no route) or 404 as a coded error, never a 500, on any path, and log no error', async () => {
    const before = errorLogs().length;
    for (const method of ['TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'COPY', 'MOVE', 'SEARCH', 'PURGE', 'LINK', 'REPORT']) {
      for (const path of ['/healthz', '/api/admin/orders', '/wechat/push', '/no/such/path']) {
        const answer = await rawRequest(method, path);
        expect([method, path, answer.status]).toEqual([method, path, expect.any(Number)]);
        expect(answer.status === 405 || answer.status === 404).toBe(true);
        expect((JSON.parse(answer.body) as { error: { code: string } }).error.code).toMatch(/^(METHOD_NOT_ALLOWED|ROUTE_NOT_FOUND)$/);
      }
    }
    expect((await rawRequest('TRACE', '/healthz')).status).toBe(405);
    expect(errorLogs().length).toBe(before);
  });
});

describe('orders are checked as issuing will compute them', () => {
  const order = (orderNo: string, items: { unitPrice: number; quantity: number; taxRate: string }[], extra: Record<string, unknown> = {}) => ({
    orderNo,
    openid: buyer.openid,
    amount: items.reduce((sum, item) => sum + Math.round(item.unitPrice * item.quantity), 0),
    items: items.map((item, i) => ({ name: `货物${i}`, spbm: '1050201010000000000', ...item })),
    ...extra,
  });

  it('refuses a 0-fen goods line (once accepted, then stuck in ISSUING forever) with ORDER_AMOUNT_INVALID naming the line', async () => {
    const zero = await call('POST', '/api/admin/orders', ADMIN, order('ZERO-1', [{ unitPrice: 100, quantity: 1, taxRate: '0.13' }, { unitPrice: 0, quantity: 1, taxRate: '0.13' }]));
    expect(zero.status).toBe(400);
    expect(errorOf(zero)).toMatchObject({ code: 'ORDER_AMOUNT_INVALID', message: expect.stringContaining('items.1') });
    expect(errorOf(zero)?.message).toContain('AMOUNT_NOT_POSITIVE');
    // 0.1 of a 1-fen item rounds to a 0-fen line too.
    const rounded = await call('POST', '/api/admin/orders', ADMIN, { ...order('ZERO-2', [{ unitPrice: 100, quantity: 1, taxRate: '0.13' }]), items: [{ name: '货', spbm: '1050201010000000000', unitPrice: 100, quantity: 1, taxRate: '0.13' }, { name: '小', spbm: '1050201010000000000', unitPrice: 1, quantity: 0.1, taxRate: '0.13' }] });
    expect(rounded.status).toBe(400);
    expect(errorOf(rounded)).toMatchObject({ code: 'ORDER_AMOUNT_INVALID', message: expect.stringContaining('items.1') });
    expect(await app.container.repositories.orders.findByOrderNo('ZERO-1')).toBeNull();
    expect(await app.container.repositories.orders.findByOrderNo('ZERO-2')).toBeNull();
  });

  it('accepts only the VAT rates the tax rules know, and the historic ones only for sales made while they applied', async () => {
    for (const rate of ['0.99', '0.31', '0.04', '0.0001', '0.17']) {
      const refused = await call('POST', '/api/admin/orders', ADMIN, order(`RATE-${rate.replace('.', '')}`, [{ unitPrice: 1000, quantity: 1, taxRate: rate }]));
      expect([rate, refused.status, errorOf(refused)?.code]).toEqual([rate, 400, 'ORDER_AMOUNT_INVALID']);
      expect(errorOf(refused)?.message).toContain('items.0.taxRate');
    }
    for (const rate of ['0.13', '0.09', '0.06', '0.05', '0.03', '0.015', '0.01', '0', '0.00']) {
      const taken = await call('POST', '/api/admin/orders', ADMIN, order(`RATEOK-${rate.replace('.', '')}`, [{ unitPrice: 1000, quantity: 1, taxRate: rate }]));
      expect([rate, taken.status]).toEqual([rate, 201]);
    }
    const in2017 = await call('POST', '/api/admin/orders', ADMIN, order('RATE-2017', [{ unitPrice: 1000, quantity: 1, taxRate: '0.17' }], { createdAt: '2017-06-01T02:00:00Z' }));
    expect(in2017.status).toBe(201);
    const sixteenAfterMarch2019 = await call('POST', '/api/admin/orders', ADMIN, order('RATE-2017-16', [{ unitPrice: 1000, quantity: 1, taxRate: '0.16' }], { createdAt: '2019-04-01T02:00:00Z' }));
    expect(sixteenAfterMarch2019.status).toBe(400);
  });

  it('a re-import with other content is 409 ORDER_ALREADY_EXISTS naming the fields; the same content is skipped', async () => {
    const original = orderFor(buyer.openid, 'REIMPORT-1');
    expect((await call('POST', '/api/admin/orders', ADMIN, original)).status).toBe(201);
    const same = await call('POST', '/api/admin/orders', ADMIN, original);
    expect([same.status, same.json.created]).toEqual([200, false]);
    const other = (await call('POST', '/api/mp/session', undefined, { code: 'reimport.other' })).json.openid as string;
    const changed = await call('POST', '/api/admin/orders', ADMIN, { ...original, openid: other, amount: original.amount + 1000, items: [...original.items, { name: '纸', spbm: '1080212990000000000', quantity: 1, unitPrice: 1000, taxRate: '0.13' }] });
    expect(changed.status).toBe(409);
    expect(errorOf(changed)?.code).toBe('ORDER_ALREADY_EXISTS');
    expect(errorOf(changed)?.message).toMatch(/openid, amount, items/);
    const linePrice = await call('POST', '/api/admin/orders', ADMIN, { ...original, items: [{ ...original.items[0], quantity: 3, unitPrice: 3767 }, original.items[1]], amount: 3 * 3767 + 3000 });
    expect([linePrice.status, errorOf(linePrice)?.message]).toEqual([409, expect.stringContaining('items.0')]);
    expect((await app.container.repositories.orders.findByOrderNo('REIMPORT-1'))?.openid).toBe(buyer.openid);
  });
});

describe("WeChat order_ids of re-applications", () => {
  const apply = (orderNo: string) => call('POST', `/api/mp/orders/${orderNo}/invoice`, `Bearer ${buyer.token}`, { type: 1 });
  const wxOrderIdOf = async (orderNo: string) => {
    const order = await app.container.repositories.orders.findByOrderNo(orderNo);
    return (await app.container.repositories.requests.findById(order?.latestRequestId ?? ''))?.wxOrderId;
  };

  it('never take another order’s: orders X and X-R2, X applying twice, then X-R2 applying, all get their own', async () => {
    for (const orderNo of ['COLL', 'COLL-R2']) expect((await call('POST', '/api/admin/orders', ADMIN, orderFor(buyer.openid, orderNo))).status).toBe(201);
    expect((await apply('COLL')).status).toBe(200);
    // The buyer declines on WeChat's page; the order may be applied for again, with a new order_id.
    const declined = await signedJsonPush(JSON.stringify({ ToUserName: 'gh_x', FromUserName: buyer.openid, CreateTime: 1714112445, MsgType: 'event', Event: 'user_authorize_invoice', FailOrderId: 'COLL' }));
    expect(declined).toEqual({ status: 200, text: 'success' });
    await eventually(async () => (await app.container.repositories.requests.findByWxOrderId('COLL'))?.status === 'AUTH_FAILED', 'COLL declined', 15_000);
    expect((await apply('COLL')).status).toBe(200);
    const again = await wxOrderIdOf('COLL');
    expect(again).not.toBe('COLL-R2');
    const other = await apply('COLL-R2');
    expect(other.status).toBe(200);
    expect(await wxOrderIdOf('COLL-R2')).toBe('COLL-R2');
  });

  it('move on to the next attempt number when an order_id is taken anyway (a request stored before the "." form)', async () => {
    expect((await call('POST', '/api/admin/orders', ADMIN, orderFor(buyer.openid, 'OLD'))).status).toBe(201);
    expect((await call('POST', '/api/admin/orders', ADMIN, orderFor(buyer.openid, 'OLD-R2'))).status).toBe(201);
    // Order OLD's second attempt, as it was named before: it holds order_id "OLD-R2".
    const requests = invoiceRequestModel(app.container.db);
    const now = new Date();
    await requests.create({
      _id: 'ir_legacy0000000001',
      orderNo: 'OLD',
      openid: buyer.openid,
      wxOrderId: 'OLD-R2',
      type: 1,
      amount: 14300,
      status: 'AUTH_FAILED',
      history: [{ from: null, to: 'AUTH_PENDING', event: 'created', at: now, by: 'buyer' }],
      fpqqlsh: 'TEST01LEGACY00000001',
      createdAt: now,
      attempts: 0,
    });
    const answer = await apply('OLD-R2');
    expect(answer.status).toBe(200);
    expect(await wxOrderIdOf('OLD-R2')).toBe('OLD-R2.R2');
    expect(errorLogs()).toEqual([]);
  });
});

describe('buyer titles and merchant settings', () => {
  const applyType0 = (orderNo: string, title: Record<string, unknown>) =>
    call('POST', `/api/mp/orders/${orderNo}/invoice`, `Bearer ${buyer.token}`, { type: 0, title });

  beforeAll(async () => {
    expect((await call('POST', '/api/admin/orders', ADMIN, orderFor(buyer.openid, 'TITLE-1'))).status).toBe(201);
  });

  it.each([
    ['a name of spaces only', { kind: 'personal', name: '   ' }, 'title.name'],
    ['a lone surrogate', { kind: 'personal', name: '张\ud800三' }, 'title.name'],
    ['NUL', { kind: 'personal', name: '张\u0000三' }, 'title.name'],
    ['ESC and BEL (a terminal title sequence)', { kind: 'personal', name: '\u001b]0;pwned\u0007\u001b[2J张三' }, 'title.name'],
    ['a bidi override', { kind: 'personal', name: '张三\u202e' }, 'title.name'],
    ['a control character in the address', { kind: 'company', name: '福州测试有限公司', taxNumber: '91350100M000100Y43', address: '鼓楼区\u00081号' }, 'title.address'],
    ['an empty bank account', { kind: 'company', name: '福州测试有限公司', taxNumber: '91350100M000100Y43', bankAccount: ' ' }, 'title.bankAccount'],
    ['a name longer than the platform takes', { kind: 'personal', name: '张'.repeat(101) }, 'title.name'],
  ])('refuse %s with a 400 naming the field, storing nothing', async (_name, title, field) => {
    const answer = await applyType0('TITLE-1', title);
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining(field) });
    expect((await app.container.repositories.orders.findByOrderNo('TITLE-1'))?.latestRequestId).toBeUndefined();
  });

  it('trims a title before storing it', async () => {
    expect((await applyType0('TITLE-1', { kind: 'personal', name: '  张三 ' })).status).toBe(200);
    const order = await app.container.repositories.orders.findByOrderNo('TITLE-1');
    expect((await app.container.repositories.requests.findById(order?.latestRequestId ?? ''))?.title).toEqual({ kind: 'personal', name: '张三' });
  });

  it('refuses control characters and blank text in settings and reasons', async () => {
    const phone = await call('PUT', '/api/admin/settings/contact', ADMIN, { phone: '0591\u0007888', timeOut: 3600 });
    expect([phone.status, errorOf(phone)?.message]).toEqual([400, expect.stringContaining('phone')]);
    const field = await call('PUT', '/api/admin/settings/auth-fields', ADMIN, { user_field: { custom_field: [{ key: '  ' }] }, biz_field: {} });
    expect([field.status, errorOf(field)?.message]).toEqual([400, expect.stringContaining('user_field.custom_field.0.key')]);
  });
});

describe('dates outside years 1–9999', () => {
  it('are a 400 naming the field: a list filter, an order’s createdAt, a forged buyer cursor', async () => {
    for (const query of ['createdAfter=0000-01-01', 'createdBefore=0000-12-31T00:00:00Z', 'createdAfter=', 'createdAfter=2026-02-30']) {
      const answer = await call('GET', `/api/admin/invoices?${query}`, ADMIN);
      expect([query, answer.status, errorOf(answer)?.message]).toEqual([query, 400, expect.stringContaining(query.split('=')[0] ?? '')]);
    }
    const yearZero = await call('POST', '/api/admin/orders', ADMIN, { ...orderFor(buyer.openid, 'YEAR-0'), createdAt: '0000-06-01T00:00:00Z' });
    expect([yearZero.status, errorOf(yearZero)?.message]).toEqual([400, expect.stringContaining('createdAt')]);
    const yearZeroTime = new Date(0);
    yearZeroTime.setUTCFullYear(0, 5, 1);
    for (const time of [yearZeroTime.getTime(), 8.64e15, 253402300800000]) {
      const cursor = Buffer.from(JSON.stringify([time, 'X'])).toString('base64url');
      const forged = await call('GET', `/api/mp/orders?cursor=${cursor}`, `Bearer ${buyer.token}`);
      expect([time, forged.status, errorOf(forged)?.message]).toEqual([time, 400, expect.stringContaining('cursor')]);
      const admin = await call('GET', `/api/admin/invoices?cursor=${cursor}`, ADMIN);
      expect([time, admin.status]).toEqual([time, 400]);
    }
    expect(errorLogs()).toEqual([]);
  });
});

describe('a signed JSON push with a field name BSON cannot store (a NUL byte)', () => {
  it('is stored, with the name escaped, and acknowledged: no 500 for WeChat to resend forever', async () => {
    const body = '{"ToUserName":"gh_x","FromUserName":"o_nul_sender","CreateTime":1714112446,"MsgType":"event","Event":"odd_event","a\\u0000b":"1","$where":"2","x.y":"3"}';
    for (let i = 0; i < 2; i++) expect(await signedJsonPush(body)).toEqual({ status: 200, text: 'success' });
    const stored = await app.container.db.collection('push_events').find({ 'message.fields.FromUserName': 'o_nul_sender' }).toArray();
    expect(stored).toHaveLength(1);
    expect(Object.keys((stored[0]?.message as { fields: Record<string, string> }).fields).sort()).toEqual(['%24where', 'CreateTime', 'Event', 'FromUserName', 'MsgType', 'ToUserName', 'a%00b', 'x%2ey'].sort());
    expect(errorLogs()).toEqual([]);
  });
});

describe('/openapi.json', () => {
  type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema; oneOf?: Schema[]; required?: string[] };
  let doc: { paths: Record<string, Record<string, { parameters?: { name: string; schema: Schema }[]; requestBody?: { required: boolean; content: { 'application/json': { schema: Schema } } } }>> };
  beforeAll(async () => {
    doc = dereferenced((await call('GET', '/openapi.json')).json as typeof doc);
  });
  const parameter = (path: string, name: string) => doc.paths[path]?.get?.parameters?.find((p) => p.name === name)?.schema;

  it('is as strict as the server: times and cursors have their form, quantities their 8 decimals', () => {
    expect(parameter('/api/admin/invoices', 'createdAfter')).toMatchObject({ pattern: expect.any(String) });
    expect(parameter('/api/admin/invoices', 'cursor')).toMatchObject({ minLength: 1, pattern: expect.any(String) });
    expect(parameter('/api/mp/orders', 'cursor')).toMatchObject({ minLength: 1 });
    const order = doc.paths['/api/admin/orders']?.post?.requestBody?.content['application/json'].schema;
    expect(order?.properties?.items?.items?.properties?.quantity).toMatchObject({ multipleOf: 1e-8 });
    expect(order?.properties?.items?.items?.properties?.name).toMatchObject({ minLength: 1, maxLength: 90 });
  });

  it('says a title is required for type 0 and the apply body may be left out (type 1 is the default)', () => {
    const apply = doc.paths['/api/mp/orders/{orderNo}/invoice']?.post?.requestBody;
    expect(apply?.required).toBe(false);
    const variants = apply?.content['application/json'].schema.oneOf ?? [];
    expect(variants.find((v) => (v.properties?.type as { const?: number } | undefined)?.const === 0)?.required).toEqual(['type', 'title']);
    expect(doc.paths['/api/admin/orders']?.post?.requestBody?.required).toBe(true);
  });
});

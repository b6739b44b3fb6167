/**
 * The invoice lifecycle end to end: the real server (HTTP API + worker) against the WeChat
 * sandbox over real HTTP, both on real databases. What a buyer and merchant ops would see.
 */
import { eventually } from './support/eventually';
import { orderFor, startLifecycleEnv, type LifecycleEnv } from './support/lifecycle-env';

const COMPANY = {
  title: '福州示例科技有限公司',
  tax_no: '91350100M000100Y43',
  addr: '福州市鼓楼区示例路 8 号',
  phone: '0591-12345678',
  bank_type: '招商银行福州分行',
  bank_no: '591900000000001',
};

let env: LifecycleEnv;
let seq = 0;
const nextOrderNo = () => `L${Date.now().toString(36)}${++seq}`;

beforeAll(async () => {
  env = await startLifecycleEnv();
});
afterAll(async () => env?.close());

/** Buyer logs in, has an order, requests an invoice; returns what the Mini Program gets. */
async function buyerRequests(type: 0 | 1, title?: unknown) {
  const buyer = await env.login(`buyer${++seq}`);
  const orderNo = nextOrderNo();
  expect((await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo))).status).toBe(201);
  const requested = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type, ...(title ? { title } : {}) });
  expect(requested.status).toBe(200);
  return { buyer, orderNo, link: requested.json as { appid: string; authUrl: string; webviewUrl?: string } };
}

const statusOf = async (token: string, orderNo: string) => (await env.mp(token, 'GET', `/orders/${orderNo}/invoice`)).json;

async function waitForStatus(token: string, orderNo: string, status: string) {
  return eventually(async () => {
    const current = await statusOf(token, orderNo);
    return current.status === status ? current : undefined;
  }, `order ${orderNo} to reach ${status}`, 20_000);
}

async function invoicesAtSandbox(ddh: string) {
  return (await env.sandboxApi('GET', `/invoices?ddh=${encodeURIComponent(ddh)}`)).json.invoices as Record<string, unknown>[];
}

describe('the invoice lifecycle against the sandbox', () => {
  it('type 1, company title: request → authorize on WeChat’s page → ISSUED with numbers and a PDF', async () => {
    const { buyer, orderNo, link } = await buyerRequests(1);
    expect(link.appid).toBe('wx9db2c16d0633c2e7');
    expect(link.authUrl).toMatch(/^pages\/auth\/auth\?.*o1=/);
    expect(link.webviewUrl).toContain(`${env.sandbox.url}/sandbox/auth?`);
    expect((await statusOf(buyer.token, orderNo)).status).toBe('AUTH_PENDING');

    const authorized = await env.sandboxApi('POST', '/authorize', { auth_url: link.authUrl, openid: buyer.openid, action: 'authorize', biz_field: COMPANY });
    expect(authorized.status).toBe(200);

    const issued = await waitForStatus(buyer.token, orderNo, 'ISSUED');
    expect(issued).toMatchObject({ fpdm: expect.stringMatching(/^\d{12}$/), fphm: expect.stringMatching(/^\d{8}$/), jym: expect.any(String), kprq: expect.stringMatching(/^\d{14}$/) });
    const pdf = await fetch(String(issued.pdfUrl));
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');

    const atSandbox = await invoicesAtSandbox(orderNo);
    expect(atSandbox).toHaveLength(1);
    expect(atSandbox[0]).toMatchObject({ fphm: issued.fphm });
    // The title the buyer typed on WeChat's page is what the invoice was issued to.
    const [request] = (await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string; title: Record<string, string> }[];
    expect(request?.title).toMatchObject({ kind: 'company', name: COMPANY.title, taxNumber: COMPANY.tax_no });
    // Ops' reconciliation agrees with WeChat.
    const reconciled = await env.admin('POST', `/invoices/${request?.id}/reconcile`);
    expect(reconciled.json).toMatchObject({ verdict: 'ok', wechat: { state: 'issued', fphm: issued.fphm } });
  });

  it('type 1, personal title, and type 0 with a company title given in the Mini Program: both ISSUED', async () => {
    const personal = await buyerRequests(1);
    await env.sandboxApi('POST', '/authorize', { auth_url: personal.link.authUrl, openid: personal.buyer.openid, action: 'authorize', user_field: { title: '王小明', phone: '13800000000' } });

    const company = await buyerRequests(0, { kind: 'company', name: '厦门示例贸易有限公司', taxNumber: '91350200MA2Y0AW816' });
    await env.sandboxApi('POST', '/authorize', { auth_url: company.link.authUrl, openid: company.buyer.openid, action: 'authorize' });

    await waitForStatus(personal.buyer.token, personal.orderNo, 'ISSUED');
    await waitForStatus(company.buyer.token, company.orderNo, 'ISSUED');
    const [invoice] = await invoicesAtSandbox(company.orderNo);
    expect(invoice).toMatchObject({ ghfmc: '厦门示例贸易有限公司' });
  });

  it('a declined authorization ends AUTH_FAILED, and the buyer may apply again', async () => {
    const { buyer, orderNo, link } = await buyerRequests(1);
    await env.sandboxApi('POST', '/authorize', { auth_url: link.authUrl, openid: buyer.openid, action: 'decline' });
    await waitForStatus(buyer.token, orderNo, 'AUTH_FAILED');
    const order = (await env.mp(buyer.token, 'GET', `/orders/${orderNo}`)).json as { invoice: { canApply: boolean } };
    expect(order.invoice.canApply).toBe(true);
  });

  it('reject → REJECTED with the reason → re-apply with a new WeChat order_id → ISSUED; then refund → offset → OFFSET', async () => {
    const { buyer, orderNo, link } = await buyerRequests(1);
    // The sandbox delays issuing so ops can reject while the request is AUTHORIZED.
    await env.sandboxApi('POST', '/authorize', { auth_url: link.authUrl, openid: buyer.openid, action: 'authorize', user_field: { title: 'SANDBOX_FAIL 李四' } });
    const failed = await eventually(async () => {
      const [r] = (await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string; status: string }[];
      return r?.status === 'ISSUE_FAILED' ? r : undefined;
    }, 'ISSUE_FAILED', 20_000);

    const rejected = await env.admin('POST', `/invoices/${failed.id}/reject`, { reason: '抬头有误，请重新申请' });
    expect(rejected.status).toBe(200);
    expect(rejected.json).toMatchObject({ status: 'REJECTED', rejectReason: '抬头有误，请重新申请' });
    expect(await statusOf(buyer.token, orderNo)).toMatchObject({ status: 'REJECTED', rejectReason: '抬头有误，请重新申请' });

    const again = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type: 1 });
    expect(again.status).toBe(200);
    const secondUrl = String(again.json.authUrl);
    expect(secondUrl).not.toBe(link.authUrl);
    await env.sandboxApi('POST', '/authorize', { auth_url: secondUrl, openid: buyer.openid, action: 'authorize', user_field: { title: '李四' } });
    const issued = await waitForStatus(buyer.token, orderNo, 'ISSUED');

    const requests = (await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string; wxOrderId: string; status: string }[];
    expect(requests.map((r) => r.status).sort()).toEqual(['ISSUED', 'REJECTED']);
    expect(new Set(requests.map((r) => r.wxOrderId)).size).toBe(2);

    const current = requests.find((r) => r.status === 'ISSUED');
    const offset = await env.admin('POST', `/invoices/${current?.id}/offset`);
    expect(offset.json).toMatchObject({ status: 'OFFSETTING' });
    const done = await eventually(async () => {
      const r = (await env.admin('GET', `/invoices/${current?.id}`)).json as { status: string; offset?: { invoice?: { fphm: string } } };
      return r.status === 'OFFSET' ? r : undefined;
    }, 'OFFSET', 20_000);
    expect(done.offset?.invoice?.fphm).toMatch(/^\d{8}$/);
    expect(done.offset?.invoice?.fphm).not.toBe(issued.fphm);
    const reds = (await env.sandboxApi('GET', `/invoices?kind=red`)).json.invoices as { fphm: string }[];
    expect(reds.some((r) => r.fphm === done.offset?.invoice?.fphm)).toBe(true);
    const audit = (await env.admin('GET', `/invoices/${current?.id}`)).json.audit as { action: string; actor: string }[];
    expect(audit.map((a) => a.action)).toContain('invoice.offset');
    expect(audit[0]?.actor).toMatch(/^admin:key-[0-9a-f]{8}$/);
  });

  it('lost pushes: the authorization is found by polling and the result by querying', async () => {
    await env.sandboxApi('PUT', '/faults', { push: { dropRate: 1 } });
    try {
      const { buyer, orderNo, link } = await buyerRequests(1);
      await env.sandboxApi('POST', '/authorize', { auth_url: link.authUrl, openid: buyer.openid, action: 'authorize', user_field: { title: '赵六' } });
      await waitForStatus(buyer.token, orderNo, 'ISSUED');
      const pushes = (await env.sandboxApi('GET', `/pushes?order_id=${orderNo}`)).json;
      expect(JSON.stringify(pushes)).toContain('dropped');
    } finally {
      await env.sandboxApi('DELETE', '/faults');
    }
  });

  it('post-payment invoicing: an authorization for an order we never sent a URL for is matched to the order and issued', async () => {
    expect((await env.admin('PUT', '/settings/pay-mch', { mchid: '1230000109', s_pappid: env.sPappid })).status).toBe(200);
    const buyer = await env.login(`payer${++seq}`);
    const orderNo = nextOrderNo();
    const order = orderFor(buyer.openid, orderNo);
    await env.admin('POST', '/orders', order);
    // The buyer tapped 开发票 in WeChat Pay's receipt: WeChat authorizes the payment's order number.
    const authorized = await env.sandboxApi('POST', '/authorize', {
      s_pappid: env.sPappid,
      order_id: orderNo,
      openid: buyer.openid,
      action: 'authorize',
      postPayment: true,
      money: order.amount,
      type: 1,
      user_field: { title: '孙八' },
    });
    expect(authorized.status).toBe(200);
    await waitForStatus(buyer.token, orderNo, 'ISSUED');
    expect(await invoicesAtSandbox(orderNo)).toHaveLength(1);
  });

  it('the buyer coming back (refresh) learns of the authorization at once', async () => {
    await env.sandboxApi('PUT', '/faults', { push: { dropRate: 1 } });
    try {
      const { buyer, orderNo, link } = await buyerRequests(1);
      await env.sandboxApi('POST', '/authorize', { auth_url: link.authUrl, openid: buyer.openid, action: 'authorize', user_field: { title: '钱七' } });
      const refreshed = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice/refresh`);
      expect(['AUTHORIZED', 'ISSUING', 'ISSUED']).toContain(refreshed.json.status);
    } finally {
      await env.sandboxApi('DELETE', '/faults');
    }
  });
});

describe('ops list invoice requests by date, a page at a time', () => {
  // Requests from a window no other test writes in (2020), several created in the same
  // millisecond, stored straight through the repository: only their place in the list matters.
  const T0 = Date.parse('2020-03-01T00:00:00.000Z');
  const at = (seconds: number) => new Date(T0 + seconds * 1000);
  const WINDOW = 'createdAfter=2020-03-01&createdBefore=2020-03-02';
  const seeded: { id: string; createdAt: Date; status: 'ISSUED' | 'ISSUING' }[] = [];
  const newestFirst = (list: typeof seeded) =>
    [...list].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).map((r) => r.id);

  type Page = { invoices: { id: string; createdAt: string }[]; nextCursor?: string };
  async function allPages(query: string): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await env.admin('GET', `/invoices?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = res.json as Page;
      ids.push(...page.invoices.map((r) => r.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    return { ids, pages };
  }

  beforeAll(async () => {
    // 5 at second 0, 4 at second 60, one each at 30, 90 and 120; ids not in creation order.
    const seconds = [0, 0, 0, 0, 0, 30, 60, 60, 60, 60, 90, 120, 0];
    seconds.forEach((s, i) => {
      const id = `ir_${(Math.random().toString(36) + '0000000000000000').slice(2, 14)}${String(i).padStart(4, '0')}`;
      seeded.push({ id, createdAt: at(s), status: i % 3 === 0 ? 'ISSUING' : 'ISSUED' });
    });
    for (const r of seeded) {
      await env.app.container.lifecycle.requests.create({
        _id: r.id,
        orderNo: `W${r.id.slice(3, 15)}`,
        openid: 'oListWindow000000000000000',
        wxOrderId: `${r.id}-1`,
        type: 1,
        amount: 11300,
        status: r.status,
        history: [],
        fpqqlsh: `LW${r.id.slice(3)}`,
        createdAt: r.createdAt,
        attempts: 0,
      });
    }
  });

  it('pages through every request exactly once, newest first, even across equal creation times', async () => {
    const { ids, pages } = await allPages(`${WINDOW}&limit=4`);
    expect(ids).toEqual(newestFirst(seeded));
    expect(pages).toBe(4); // 13 requests, 4 a page: the last page is short and has no cursor
    // The same by state: only that state's requests, still none twice and none missed.
    const issuing = await allPages(`${WINDOW}&status=ISSUING&limit=2`);
    expect(issuing.ids).toEqual(newestFirst(seeded.filter((r) => r.status === 'ISSUING')));
    // A page that holds everything has no cursor; the shape is what callers always had.
    const whole = await env.admin('GET', `/invoices?${WINDOW}&limit=13`);
    expect(Object.keys(whole.json)).toEqual(['invoices']);
  });

  it('createdAfter is inclusive, createdBefore exclusive; a date alone is midnight UTC', async () => {
    const from60 = await allPages(`createdAfter=${at(60).toISOString()}&createdBefore=2020-03-02`);
    expect(from60.ids).toEqual(newestFirst(seeded.filter((r) => r.createdAt >= at(60))));
    const before60 = await allPages(`createdAfter=2020-03-01&createdBefore=${encodeURIComponent('2020-03-01T08:01:00+08:00')}`);
    expect(before60.ids).toEqual(newestFirst(seeded.filter((r) => r.createdAt < at(60))));
    expect((await env.admin('GET', '/invoices?createdAfter=2020-02-28&createdBefore=2020-03-01')).json).toEqual({ invoices: [] });
  });

  it('refuses a malformed time, cursor or limit with 400 naming the field', async () => {
    const forged = Buffer.from('yesterday|ir_0000000000000000').toString('base64url');
    for (const [query, field] of [
      ['createdAfter=yesterday', 'createdAfter'],
      ['createdAfter=2026-05-01T10:00:00', 'createdAfter'], // no zone: ambiguous
      ['createdBefore=2026-02-30', 'createdBefore'],
      ['cursor=not-a-cursor', 'cursor'],
      [`cursor=${forged}`, 'cursor'],
      ['limit=0', 'limit'],
    ] as const) {
      const res = await env.admin('GET', `/invoices?${query}`);
      const error = res.json.error as { code: string; message: string };
      expect([query, res.status, error.code, error.message]).toEqual([query, 400, 'VALIDATION_FAILED', expect.stringContaining(`${field}:`)]);
    }
  });
});

describe('who may do what', () => {
  it('a buyer cannot see or act on another buyer’s order (404)', async () => {
    const owner = await env.login('owner');
    const other = await env.login('other');
    const orderNo = nextOrderNo();
    await env.admin('POST', '/orders', orderFor(owner.openid, orderNo));
    for (const [method, path] of [
      ['GET', `/orders/${orderNo}`],
      ['POST', `/orders/${orderNo}/invoice`],
      ['GET', `/orders/${orderNo}/invoice`],
      ['POST', `/orders/${orderNo}/invoice/refresh`],
    ] as const) {
      const res = await env.mp(other.token, method, path, method === 'POST' && !path.endsWith('refresh') ? { type: 1 } : undefined);
      expect([path, res.status, (res.json.error as { code: string }).code]).toEqual([path, 404, 'ORDER_NOT_FOUND']);
    }
    const list = (await env.mp(other.token, 'GET', '/orders')).json.orders as { orderNo: string }[];
    expect(list.map((o) => o.orderNo)).not.toContain(orderNo);
  });

  it('admin routes refuse a missing or wrong key; mp routes a missing or unknown session', async () => {
    const noKey = await fetch(`${env.app.url}/api/admin/invoices`);
    expect(noKey.status).toBe(401);
    const wrongKey = await fetch(`${env.app.url}/api/admin/invoices`, { headers: { authorization: 'Bearer not-a-key' } });
    expect(wrongKey.status).toBe(401);
    expect(((await wrongKey.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await env.mp('made-up-token', 'GET', '/orders')).status).toBe(401);
  });

  it('malformed and hostile bodies get 400 with a code, never a 500, and store nothing', async () => {
    const bad = [
      ['{not json', 'MALFORMED_BODY'],
      [JSON.stringify({ ...orderFor('o'.repeat(28), 'X1'), amount: -5 }), 'VALIDATION_FAILED'],
      [JSON.stringify({ ...orderFor('o'.repeat(28), 'X2'), amount: 1 }), 'ORDER_AMOUNT_INVALID'],
      [JSON.stringify({ ...orderFor('o'.repeat(28), 'X3'), openid: { $gt: '' } }), 'VALIDATION_FAILED'],
      [JSON.stringify({ ...orderFor('o'.repeat(28), 'X4'), extra: 1 }), 'VALIDATION_FAILED'],
      [JSON.stringify({ ...orderFor('o'.repeat(28), 'X5'), amount: 1e300 }), 'VALIDATION_FAILED'],
    ] as const;
    for (const [body, code] of bad) {
      const res = await fetch(`${env.app.url}/api/admin/orders`, {
        method: 'POST',
        headers: { authorization: 'Bearer key-lifecycle-admin-0123456789', 'content-type': 'application/json' },
        body,
      });
      expect([body.slice(0, 30), res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([body.slice(0, 30), 400, code]);
    }
    const buyer = await env.login('validator');
    const orderNo = nextOrderNo();
    await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo));
    const badTax = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type: 0, title: { kind: 'company', name: 'X', taxNumber: '91350100M000100Y44' } });
    expect([badTax.status, (badTax.json.error as { code: string }).code]).toEqual([400, 'TAX_NUMBER_INVALID']);
    expect((await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices).toEqual([]);
  });

  it('/openapi.json describes the mp and admin routes from the schemas that validate them', async () => {
    const doc = (await (await fetch(`${env.app.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/mp/session', '/api/mp/orders/{orderNo}/invoice', '/api/admin/orders', '/api/admin/invoices/{id}/reject', '/api/admin/settings/contact']),
    );
    expect(JSON.stringify(doc.paths['/api/admin/orders']?.post?.requestBody)).toContain('spbm');
    const listed = doc.paths['/api/admin/invoices']?.get as { parameters: { name: string }[] } | undefined;
    expect(listed?.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['createdAfter', 'createdBefore', 'limit', 'cursor']));
  });
});

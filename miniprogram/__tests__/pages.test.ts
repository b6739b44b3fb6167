/**
 * The real pages with the real Vant components (miniprogram-simulate + wcc), wx.request bridged
 * to the real server and WeChat sandbox over HTTP. Needs `node scripts/mp-pack.js` first.
 */
import fs from 'node:fs';
import { configureApiBase } from '../services/http';
import { SESSION_STORAGE_KEY } from '../services/session';
import { eventually, installWx, loadApp, openPage, typeInto, type AppInstance, type FakeWx, type PageHandle, tapToNavigate } from './support/harness';
import { orderFor, ServerEnv } from './support/server-env';

const COMPANY = { title: '福州示例科技有限公司', tax_no: '91350100M000100Y43', addr: '福州市鼓楼区示例路 8 号', phone: '0591-12345678', bank_type: '招商银行福州分行', bank_no: '591900000000001' };

let env: ServerEnv;
let app: AppInstance;
let fake: FakeWx;
const open: PageHandle[] = [];
let seq = 0;
const nextOrderNo = () => `MP${Date.now().toString(36)}${++seq}`;

beforeAll(async () => {
  env = await ServerEnv.start();
  fake = installWx('alice');
  app = loadApp();
  app.globalData.authViaWebview = false; // real-WeChat behaviour: navigateToMiniProgram
}, 120_000);

afterAll(async () => {
  await env?.close();
});

beforeEach(() => {
  fake.storage.clear();
  fake.requests.length = 0;
  fake.loginCodes.length = 0;
  fake.navigateTo.mockClear();
  fake.navigateBack.mockClear();
  fake.navigateToMiniProgram.mockClear();
  fake.navigateToMiniProgram.mockImplementation((o: { success?: () => void }) => o.success?.());
  configureApiBase(env.appUrl);
});

afterEach(() => {
  while (open.length) open.pop()?.close();
});

function show(page: string, query: Record<string, string> = {}): PageHandle {
  const handle = openPage(page, query);
  open.push(handle);
  return handle;
}

async function buyerWithOrder(user: string): Promise<{ openid: string; orderNo: string }> {
  fake.user = user;
  const openid = await env.openidFor(user);
  const orderNo = nextOrderNo();
  const created = await env.admin('POST', '/orders', orderFor(openid, orderNo));
  expect(created.status).toBe(201);
  return { openid, orderNo };
}

function lastApply(): { appid: string; authUrl: string } {
  const apply = fake.requests.filter((r) => r.method === 'POST' && /\/invoice$/.test(r.url)).pop();
  expect(apply?.status).toBe(200);
  return apply?.body as { appid: string; authUrl: string };
}

function navigatedTo(): { appId: string; path: string } {
  const calls = fake.navigateToMiniProgram.mock.calls as [{ appId: string; path: string }][];
  const last = calls[calls.length - 1];
  if (!last) throw new Error('wx.navigateToMiniProgram was not called');
  return { appId: last[0].appId, path: last[0].path };
}

describe('a buyer requests, authorizes and receives an invoice', () => {
  it('log in → orders → order → request type 1 → WeChat authorization → back in the app: 已开票 with the numbers', async () => {
    const { openid, orderNo } = await buyerWithOrder('alice');
    app.onLaunch();

    const orders = show('orders');
    await eventually(() => !orders.data.loading && orders.find(`#order-${orderNo}`), 'the order in the list');
    expect(fake.loginCodes).toHaveLength(1);
    expect(orders.text(`#order-${orderNo}`)).toContain('¥143.00');
    expect(orders.text(`#order-${orderNo}`)).toContain('未开票');

    const toOrder = await tapToNavigate(fake, orders, `#order-${orderNo}`);
    expect(toOrder).toEqual({ page: 'order', query: { orderNo } });
    const order = show(toOrder.page, toOrder.query);
    await eventually(() => order.find('#apply'), 'the 申请开票 button');
    expect(order.data.order).toMatchObject({ amountText: '¥143.00', lines: [{ name: '办公椅', totalText: '¥113.00' }, { name: '订书机', totalText: '¥30.00' }] });

    const toRequest = await tapToNavigate(fake, order, '#apply');
    expect(toRequest.page).toBe('request');
    const request = show(toRequest.page, toRequest.query);
    await eventually(() => request.find('#submit'), 'the request form');
    expect(request.data.type).toBe('1');
    request.tap('#submit');

    await eventually(() => fake.navigateToMiniProgram.mock.calls.length > 0, 'wx.navigateToMiniProgram');
    const link = lastApply();
    expect(fake.requests.find((r) => r.method === 'POST' && /\/invoice$/.test(r.url))?.requestBody).toEqual({ type: 1 });
    expect(navigatedTo()).toEqual({ appId: link.appid, path: link.authUrl });
    expect(link.appid).toMatch(/^wx/);
    await eventually(() => fake.navigateBack.mock.calls.length > 0, 'back to the order page');

    const authorized = await env.sandboxApi('POST', '/authorize', { auth_url: link.authUrl, openid, action: 'authorize', biz_field: COMPANY });
    expect(authorized.status).toBe(200);

    // Back from WeChat's invoice Mini Program: only a cue; the app asks the server.
    app.onShow({ scene: 1038, referrerInfo: { appId: link.appid, extraData: {} } });
    await eventually(() => order.data.status === 'ISSUED', 'the order page to show ISSUED');
    expect(order.text('#status-tag')).toBe('已开票');
    const status = (await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { invoice?: { fphm?: string } }[];
    expect(order.text('#fphm')).toContain(String(status[0]?.invoice?.fphm ?? 'missing'));
    expect(order.find('#view-invoice')).toBeTruthy();
    expect(order.find('#apply')).toBeFalsy();

    const toInvoice = await tapToNavigate(fake, order, '#view-invoice');
    expect(toInvoice.page).toBe('invoice');
    const invoice = show(toInvoice.page, toInvoice.query);
    await eventually(() => invoice.find('#fpdm'), 'the invoice page');
    const served = fake.requests.filter((r) => r.method === 'GET' && /\/invoice$/.test(r.url)).pop()?.body as Record<string, string>;
    expect(invoice.text('#fpdm')).toContain(served.fpdm);
    expect(invoice.text('#fphm')).toContain(served.fphm);
    expect(invoice.text('#jym')).toContain(served.jym);
    expect(invoice.text('#kprq')).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(invoice.text('#amount')).toContain('¥143.00');
    expect(invoice.text('#card-note')).toContain('微信卡包');

    invoice.tap('#open-pdf');
    await eventually(() => fake.openDocument.mock.calls.length > 0 || invoice.data.pdfError, 'the PDF to open');
    expect(invoice.data.pdfError).toBe('');
    const opened = (fake.openDocument.mock.calls as [{ filePath: string; fileType: string }][])[0]?.[0];
    expect(opened?.fileType).toBe('pdf');
    expect(fs.readFileSync(opened?.filePath ?? '').subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('type 0 with a company title: the tax number is checked as the server does, then sent', async () => {
    const { openid, orderNo } = await buyerWithOrder('bob');
    const request = show('request', { orderNo });
    await eventually(() => request.find('#submit'), 'the request form');

    request.tap('#type-0');
    await eventually(() => request.find('#kind-company'), 'the title form');
    request.tap('#kind-company');
    await eventually(() => request.find('#field-taxNumber'), 'the tax number field');
    await typeInto(request, '#field-name', '厦门示例贸易有限公司');
    await typeInto(request, '#field-taxNumber', '91350200MA2Y0AW817'); // wrong check character
    request.tap('#submit');
    await eventually(() => (request.data.errors as { taxNumber: string }).taxNumber, 'the tax number error');
    expect((request.data.errors as { taxNumber: string }).taxNumber).toContain('校验位不正确');
    expect(fake.requests.some((r) => r.method === 'POST' && /\/invoice$/.test(r.url))).toBe(false);

    await typeInto(request, '#field-taxNumber', '９１３５０２００ma2y0aw816'); // full-width and lowercase, as an IME types it
    request.tap('#submit');
    await eventually(() => fake.navigateToMiniProgram.mock.calls.length > 0, 'wx.navigateToMiniProgram');
    const sent = fake.requests.find((r) => r.method === 'POST' && /\/invoice$/.test(r.url));
    expect(sent?.requestBody).toEqual({ type: 0, title: { kind: 'company', name: '厦门示例贸易有限公司', taxNumber: '91350200MA2Y0AW816' } });
    const link = lastApply();
    expect(navigatedTo()).toEqual({ appId: link.appid, path: link.authUrl });

    expect((await env.sandboxApi('POST', '/authorize', { auth_url: link.authUrl, openid, action: 'authorize' })).status).toBe(200);
    // Back from WeChat's invoice Mini Program: the app asks the server about the pending request.
    app.onShow({ scene: 1038, referrerInfo: { appId: link.appid, extraData: {} } });
    const order = show('order', { orderNo });
    await eventually(() => order.data.status === 'ISSUED', 'ISSUED');
    expect(order.text('#status-tag')).toBe('已开票');
  });

  it('a cancelled jump to WeChat’s authorization page is explained, and can be continued', async () => {
    const { orderNo } = await buyerWithOrder('dave');
    fake.navigateToMiniProgram.mockImplementationOnce((o: { fail?: (e: { errMsg: string }) => void }) => o.fail?.({ errMsg: 'navigateToMiniProgram:fail cancel' }));
    const request = show('request', { orderNo });
    await eventually(() => request.find('#submit'), 'the request form');
    request.tap('#submit');
    await eventually(() => request.data.notice || request.data.error, 'the explanation');
    expect(request.data.notice).toContain('您取消了跳转');
    expect(request.data.error).toBe('');
    expect(request.text('#notice')).toContain('您取消了跳转');
    expect(fake.navigateBack).not.toHaveBeenCalled();
    request.tap('#continue');
    await eventually(() => fake.navigateToMiniProgram.mock.calls.length === 2, 'the second jump');
    expect(navigatedTo()).toEqual({ appId: lastApply().appid, path: lastApply().authUrl });
  });

  it('a rejection shows its reason, and the buyer re-applies', async () => {
    const { openid, orderNo } = await buyerWithOrder('carol');
    const request = show('request', { orderNo });
    await eventually(() => request.find('#submit'), 'the request form');
    request.tap('#submit');
    await eventually(() => fake.navigateToMiniProgram.mock.calls.length > 0 || request.data.error, 'wx.navigateToMiniProgram');
    expect(request.data.error).toBe('');
    const first = lastApply();
    // The sandbox fails to issue for this title; ops then reject the request with a reason.
    await env.sandboxApi('POST', '/authorize', { auth_url: first.authUrl, openid, action: 'authorize', user_field: { title: 'SANDBOX_FAIL 李四' } });
    const failed = await eventually(async () => {
      const [r] = (await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string; status: string }[];
      return r?.status === 'ISSUE_FAILED' ? r : undefined;
    }, 'ISSUE_FAILED');
    expect((await env.admin('POST', `/invoices/${failed.id}/reject`, { reason: '抬头有误，请重新申请' })).status).toBe(200);

    const order = show('order', { orderNo });
    await eventually(() => order.find('#reapply'), 'the 重新申请 button');
    expect(order.text('#status-tag')).toBe('已驳回');
    expect(order.text('#reject-reason')).toBe('驳回原因：抬头有误，请重新申请');

    const toAgain = await tapToNavigate(fake, order, '#reapply');
    const again = show(toAgain.page, toAgain.query);
    await eventually(() => again.find('#submit'), 'the request form');
    again.tap('#submit');
    await eventually(() => fake.navigateToMiniProgram.mock.calls.length === 2, 'the second authorization');
    const second = lastApply();
    expect(second.authUrl).not.toBe(first.authUrl);
    expect(navigatedTo()).toEqual({ appId: second.appid, path: second.authUrl });
  });

  it('a stale session: one 401, one shared re-login, one retry', async () => {
    const { openid, orderNo } = await buyerWithOrder('erin');
    fake.storage.set(SESSION_STORAGE_KEY, { token: 'stale-token', openid, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    const orders = show('orders');
    await eventually(() => orders.find(`#order-${orderNo}`), 'the order list');
    expect(fake.requests.map((r) => `${r.method} ${r.url.replace(env.appUrl, '').split('?')[0]} ${r.status}`)).toEqual([
      'GET /api/mp/orders 401',
      'POST /api/mp/session 200',
      'GET /api/mp/orders 200',
    ]);
    expect(fake.loginCodes).toEqual([expect.stringMatching(/^erin\./)]);
  });

  it('a network error is shown, and 重试 recovers', async () => {
    const { orderNo } = await buyerWithOrder('frank');
    configureApiBase('http://127.0.0.1:9'); // nothing listens there
    const orders = show('orders');
    await eventually(() => orders.find('#error'), 'the error state');
    expect(orders.text('#error')).toContain('网络异常，请检查网络后重试');

    configureApiBase(env.appUrl);
    orders.tap('#retry');
    await eventually(() => orders.find(`#order-${orderNo}`), 'the order list after retrying');
  });
});

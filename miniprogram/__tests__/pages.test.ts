/**
 * The real pages with the real Vant components (miniprogram-simulate + wcc), wx.request bridged
 * to the real server and WeChat sandbox over HTTP. Needs `node scripts/mp-pack.js` first.
 */
import fs from 'node:fs';
import { devBuyer } from '../config';
import { configureApiBase } from '../services/http';
import { configureDevBuyer, SESSION_STORAGE_KEY } from '../services/session';
import { eventually } from '../../server/test/support/eventually';
import {
  httpRequest,
  installWx,
  loadApp,
  openPage,
  parseUrl,
  typeInto,
  type AppInstance,
  type FakeWx,
  type PageHandle,
  tapToNavigate,
} from './support/harness';
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
  fake.redirectTo.mockClear();
  fake.chooseInvoiceTitle.mockReset();
  fake.canIUse.mockImplementation(() => true);
  configureApiBase(env.appUrl);
  app.globalData.authViaWebview = false; // real-WeChat behaviour: navigateToMiniProgram
  // Each test names its buyer in the fake wx.login's codes ("<user>.<n>"), as the sandbox reads them.
  configureDevBuyer('');
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
    // The step where it stopped is drawn with a cross, not the green check of a step done.
    expect(order.find('#steps')?.dom.innerHTML ?? '').toMatch(/icon-clear/);
    expect(order.find('#steps')?.dom.innerHTML ?? '').not.toMatch(/icon-checked/);

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

/** What wx.chooseInvoiceTitle hands over for a saved title (WeChat: type 0 单位, 1 个人). */
function savedTitle(fields: Partial<WechatMiniprogram.ChooseInvoiceTitleSuccessCallbackResult>) {
  return { type: 1, title: '', taxNumber: '', companyAddress: '', telephone: '', bankName: '', bankAccount: '', errMsg: 'chooseInvoiceTitle:ok', ...fields };
}

function chooserAnswers(result: ReturnType<typeof savedTitle> | { errMsg: string }) {
  fake.chooseInvoiceTitle.mockImplementationOnce((o: { success?: (r: unknown) => void; fail?: (e: unknown) => void }) => {
    if ('type' in result) o.success?.(result);
    else o.fail?.(result);
  });
}

/** The value a van-field shows. */
const fieldValue = (page: PageHandle, selector: string) => page.find(selector)?.data.value;

async function titleForm(orderNo: string): Promise<PageHandle> {
  const request = show('request', { orderNo });
  await eventually(() => request.find('#submit'), 'the request form');
  request.tap('#type-0');
  await eventually(() => request.find('#field-name'), 'the title form');
  return request;
}

function sentApply(): unknown {
  return fake.requests.find((r) => r.method === 'POST' && /\/invoice$/.test(r.url))?.requestBody;
}

describe('the order page’s line amounts', () => {
  it('shows the amount the server invoices for a line (integer fen), not a float product: 4.1 × ¥0.15 is ¥0.62', async () => {
    fake.user = 'carol';
    const openid = await env.openidFor('carol');
    const orderNo = nextOrderNo();
    // 15 fen × 4.1 = 61.5 fen, invoiced as 62; in floats 15 * 4.1 = 61.49999999999999, which rounds to 61.
    const items = [{ name: '打印纸', spbm: '1060201070000000000', quantity: 4.1, unitPrice: 15, taxRate: '0.13' }];
    expect((await env.admin('POST', '/orders', { orderNo, openid, amount: 62, items })).status).toBe(201);
    app.onLaunch();
    const order = show('order', { orderNo });
    await eventually(() => order.find('#apply'), 'the 申请开票 button');
    expect(order.data.order).toMatchObject({ amountText: '¥0.62', lines: [{ name: '打印纸', totalText: '¥0.62' }] });
  });
});

describe('importing a saved title with wx.chooseInvoiceTitle (type 0)', () => {
  it('a personal title fills the form and is sent as it was saved', async () => {
    const { orderNo } = await buyerWithOrder('gina');
    const request = await titleForm(orderNo);
    expect(request.find('#choose-title')).toBeTruthy();
    chooserAnswers(savedTitle({ type: 1, title: '林小雨', telephone: '13800138000' }));
    request.tap('#choose-title');
    await eventually(() => fieldValue(request, '#field-name') === '林小雨', 'the imported name');
    expect(request.data.kind).toBe('personal');
    expect(fieldValue(request, '#field-phone')).toBe('13800138000');
    expect(request.find('#field-taxNumber')).toBeFalsy();

    request.tap('#submit');
    await eventually(() => fake.navigateToMiniProgram.mock.calls.length > 0 || request.data.error, 'wx.navigateToMiniProgram');
    expect(sentApply()).toEqual({ type: 0, title: { kind: 'personal', name: '林小雨', phone: '13800138000' } });
    expect(navigatedTo()).toEqual({ appId: lastApply().appid, path: lastApply().authUrl });
  });

  it('a company title switches the form to 单位; its tax number is checked as the server does, and a valid one is sent', async () => {
    const { orderNo } = await buyerWithOrder('hank');
    const request = await titleForm(orderNo);
    expect(request.data.kind).toBe('personal');

    // A title saved with a typo in its tax number: shown, explained, not sent.
    chooserAnswers(savedTitle({ type: 0, title: '厦门示例贸易有限公司', taxNumber: '91350200MA2Y0AW817' }));
    request.tap('#choose-title');
    await eventually(() => request.find('#field-taxNumber'), 'the company fields');
    expect(fieldValue(request, '#field-taxNumber')).toBe('91350200MA2Y0AW817');
    request.tap('#submit');
    await eventually(() => (request.data.errors as { taxNumber: string }).taxNumber, 'the tax number error');
    expect((request.data.errors as { taxNumber: string }).taxNumber).toContain('校验位不正确');
    expect(sentApply()).toBeUndefined();

    chooserAnswers(
      savedTitle({
        type: 0,
        title: '厦门示例贸易有限公司',
        taxNumber: '91350200MA2Y0AW816',
        companyAddress: '厦门市思明区示例路 1 号',
        telephone: '0592-5550000',
        bankName: '中国银行厦门分行',
        bankAccount: '4100 0000 0001',
      }),
    );
    request.tap('#choose-title');
    await eventually(() => fieldValue(request, '#field-taxNumber') === '91350200MA2Y0AW816', 'the corrected title');
    expect((request.data.errors as { taxNumber: string }).taxNumber).toBe('');
    expect(request.data.kind).toBe('company');
    expect(fieldValue(request, '#field-name')).toBe('厦门示例贸易有限公司');
    expect(fieldValue(request, '#field-bankName')).toBe('中国银行厦门分行');

    request.tap('#submit');
    await eventually(() => fake.navigateToMiniProgram.mock.calls.length > 0 || request.data.error, 'wx.navigateToMiniProgram');
    expect(request.data.error).toBe('');
    expect(sentApply()).toEqual({
      type: 0,
      title: {
        kind: 'company',
        name: '厦门示例贸易有限公司',
        taxNumber: '91350200MA2Y0AW816',
        address: '厦门市思明区示例路 1 号',
        phone: '0592-5550000',
        bankName: '中国银行厦门分行',
        bankAccount: '4100 0000 0001',
      },
    });
    expect(navigatedTo()).toEqual({ appId: lastApply().appid, path: lastApply().authUrl });
  });

  it('cancelling the chooser leaves what the buyer typed; another failure is explained', async () => {
    const { orderNo } = await buyerWithOrder('ivan');
    const request = await titleForm(orderNo);
    await typeInto(request, '#field-name', '王五');
    await typeInto(request, '#field-email', 'wangwu@example.com');

    chooserAnswers({ errMsg: 'chooseInvoiceTitle:fail cancel' });
    request.tap('#choose-title');
    await eventually(() => fake.chooseInvoiceTitle.mock.calls.length === 1, 'the chooser');
    expect(fieldValue(request, '#field-name')).toBe('王五');
    expect(request.data.form).toMatchObject({ name: '王五', email: 'wangwu@example.com' });
    expect(request.data.kind).toBe('personal');
    expect(request.find('#notice')).toBeFalsy();

    chooserAnswers({ errMsg: 'chooseInvoiceTitle:fail auth deny' });
    request.tap('#choose-title');
    await eventually(() => request.find('#notice'), 'the explanation');
    expect(request.text('#notice')).toContain('无法读取微信发票抬头');
    expect(request.text('#notice')).toContain('请手动填写');
    expect(request.data.form).toMatchObject({ name: '王五', email: 'wangwu@example.com' });
  });

  it('the email hint promises a copy only when the merchant emails one', async () => {
    const { orderNo } = await buyerWithOrder('kate');
    const request = await titleForm(orderNo);
    const placeholder = () => (request.find('#field-email')?.data as { placeholder?: string } | undefined)?.placeholder;
    // The test server has no SMTP: the order says no copy is emailed, and the hint is plain.
    expect(request.data.emailCopy).toBe(false);
    expect(placeholder()).toBe('选填');
    // What a server with SMTP_URL answers (emailCopy: true), drawn.
    request.call('setData', { emailCopy: true });
    expect(placeholder()).toBe('选填，接收发票副本');
  });

  it('where WeChat has no chooseInvoiceTitle the import button is not offered, and the form still works', async () => {
    const { orderNo } = await buyerWithOrder('jack');
    fake.canIUse.mockImplementation((api: string) => api !== 'chooseInvoiceTitle');
    const request = await titleForm(orderNo);
    expect(request.find('#choose-title')).toBeFalsy();
    await typeInto(request, '#field-name', '赵六');
    request.tap('#submit');
    await eventually(() => fake.navigateToMiniProgram.mock.calls.length > 0 || request.data.error, 'wx.navigateToMiniProgram');
    expect(sentApply()).toEqual({ type: 0, title: { kind: 'personal', name: '赵六' } });
    expect(fake.chooseInvoiceTitle).not.toHaveBeenCalled();
  });
});

/** The step the order page's van-steps marks as current, and the ones it marks done (as drawn). */
function stepsShown(order: PageHandle): { current: string; done: string[] } {
  // simulate scopes a component's classes: van-step--process is drawn as van-steps--van-step--process.
  const steps = Array.from(order.find('#steps')?.dom.querySelectorAll('[data-index]') ?? []);
  const text = (el: Element) => (el.querySelector('[class$="van-step__title"]')?.textContent ?? '').trim();
  const marked = (el: Element, status: string) => Array.from(el.classList).some((c) => c.endsWith(`van-step--${status}`));
  return {
    current: steps.filter((el) => marked(el, 'process')).map(text).join(','),
    done: steps.filter((el) => marked(el, 'finish')).map(text),
  };
}

describe('sandbox mode in DevTools', () => {
  it('the web-view page shows the sandbox’s authorization page; back on the order page the status is asked for and moves 授权 → 开票中 → 已开票', async () => {
    const { openid, orderNo } = await buyerWithOrder('kate');
    app.globalData.authViaWebview = true; // config.ts in 'develop'

    const order = show('order', { orderNo });
    await eventually(() => order.find('#apply'), 'the 申请开票 button');
    expect(order.find('#steps')).toBeFalsy();
    const toRequest = await tapToNavigate(fake, order, '#apply');
    order.call('onHide');
    const request = show(toRequest.page, toRequest.query);
    await eventually(() => request.find('#submit'), 'the request form');
    request.tap('#submit');

    // The server hands out a web-view URL in sandbox mode: the app opens it in place of the request page.
    await eventually(() => fake.redirectTo.mock.calls.length > 0 || request.data.notice || request.data.error, 'wx.redirectTo');
    expect(fake.navigateToMiniProgram).not.toHaveBeenCalled();
    const link = lastApply() as { appid: string; authUrl: string; webviewUrl?: string };
    expect(link.webviewUrl).toMatch(new RegExp(`^${env.sandboxUrl}/sandbox/auth\\?`));
    const toWebview = parseUrl((fake.redirectTo.mock.calls as [{ url: string }][])[0]?.[0].url ?? '');
    expect(toWebview.page).toBe('webview');
    request.close();
    open.splice(open.indexOf(request), 1);

    const webview = show(toWebview.page, toWebview.query);
    const src = webview.find('#auth-page')?.data.src as string | undefined;
    expect(src).toBe(link.webviewUrl);
    const page = await httpRequest(src ?? '', 'GET', {}, undefined, 10_000);
    expect(page.status).toBe(200);
    // The sandbox's stand-in for WeChat's authorization page, for this order and this buyer.
    const html = page.buffer.toString('utf8');
    expect(html).toContain(`id="order-id">${orderNo}<`);
    expect(html).toContain(`id="openid">${openid}<`);

    // Hold issuing at the platform (WeChat "system busy") so 开票中 can be seen, then authorize.
    expect((await env.sandboxApi('PUT', '/faults', { endpoints: { '/card/invoice/makeoutinvoice': { errorRate: 1, errcode: -1 } } })).status).toBe(200);
    try {
      // What the buyer does on that page: a personal title, 申请开票.
      const authorized = await env.sandboxApi('POST', '/authorize', { auth_url: link.authUrl, openid, action: 'authorize', user_field: { title: '李雷' } });
      expect(authorized).toMatchObject({ status: 200 });
      webview.close();
      open.splice(open.indexOf(webview), 1);
      const before = fake.requests.length;
      order.call('onShow');
      await eventually(() => order.data.status === 'AUTHORIZED' || order.data.status === 'ISSUING', 'the order page to show the authorization');
      expect(fake.requests.slice(before).some((r) => r.method === 'POST' && r.url.endsWith(`/orders/${orderNo}/invoice/refresh`))).toBe(true);
      expect(stepsShown(order)).toEqual({ current: '开票中', done: ['申请', '授权'] });
    } finally {
      await env.sandboxApi('DELETE', '/faults');
    }
    // The page keeps asking while the server issues.
    await eventually(() => order.data.status === 'ISSUED', 'the order page to show ISSUED');
    expect(order.text('#status-tag')).toBe('已开票');
    expect(stepsShown(order)).toEqual({ current: '已开票', done: ['申请', '授权', '开票中'] });
  });

  it('DevTools’ opaque login codes log in as the demo buyer, so `npm start`’s demo orders show', async () => {
    const demo = await env.seedDemoOrders();
    const buyer = devBuyer('develop');
    const theirs = demo.filter((d) => d.buyer === buyer).map((d) => d.orderNo);
    expect(theirs.length).toBeGreaterThan(0);
    configureDevBuyer(buyer); // what app.ts does in 'develop'
    fake.user = ''; // DevTools: codes without the sandbox's "<name>." prefix

    const orders = show('orders');
    await eventually(() => !orders.data.loading && theirs.every((no) => orders.find(`#order-${no}`)), 'the demo orders');
    expect(orders.text('#dev-buyer')).toContain(buyer);
    const sessionCall = fake.requests.find((r) => r.url.endsWith('/api/mp/session'));
    const sentCode = (sessionCall?.requestBody as { code: string }).code;
    expect(fake.loginCodes).toHaveLength(1);
    expect(fake.loginCodes[0]).not.toContain('.');
    expect(sentCode).toBe(`${buyer}.${fake.loginCodes[0]}`);
    expect((sessionCall?.body as { openid: string }).openid).toBe(await env.openidFor(buyer));
  });

  it('without a dev buyer the same opaque codes are a new sandbox buyer with none of the demo orders, and no dev note is shown', async () => {
    await env.seedDemoOrders();
    fake.user = '';
    const orders = show('orders');
    await eventually(() => !orders.data.loading, 'the order list');
    expect(orders.find('#empty')).toBeTruthy();
    expect(orders.find('#dev-buyer')).toBeFalsy();
  });
});

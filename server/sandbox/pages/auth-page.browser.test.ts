import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox } from '..';
import { openChromiumContext } from '../../test/support/chromium';
import { eventually } from '../../test/support/eventually';
import { Caller, machine, merchantApp, startReceiver, userOf, type Json, type Receiver } from '../invoice/test-kit';

/**
 * The authorization page in a real browser: Debian's Chromium, headless, driven by playwright-core.
 * A person fills in a company title on a type 1 page (opened the way a Mini Program's <web-view>
 * opens a wxa auth_url, with the openid the merchant server appends), a missing required field is
 * refused on the page, and a web page is declined and left through the link back to the merchant.
 * The merchant's side is checked as the merchant sees it: the push its receiver verified with
 * openPush, and getauthdata. Chromium is installed by scripts/ensure-chromium.sh; without it this
 * file fails (jest.config.js leaves it out only outside CI).
 */

const SCREENSHOTS = path.resolve(__dirname, '..', '..', '..', '.data', 'screenshots');

const APPID = 'wx8282828282828282';
const SETTINGS = { workerPollMs: 30, pushTimeoutMs: 1000 };
const AUTH_FIELD: Json = {
  user_field: { show_phone: 1, show_email: 1 },
  biz_field: {
    show_tax_no: 1,
    require_tax_no: 1,
    show_addr: 1,
    show_phone: 1,
    show_bank_type: 1,
    show_bank_no: 1,
    custom_field: [{ key: '采购单号', is_require: 1, notice: '请填写贵司的采购单号' }],
  },
};

/** A company title as a person types it, by the page's labels. */
const COMPANY = {
  名称: '福州某某科技有限公司',
  税号: '91350100MA2XYZ1234',
  单位地址: '福州市鼓楼区五四路 88 号',
  电话号码: '0591-88888888',
  开户银行: '中国银行福州分行',
  银行账号: '6217 0000 1234 5678',
  采购单号: 'PO-2024-001',
};

/** The merchant's own page that redirect_url points to. */
async function startMerchantPage(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!DOCTYPE html><title>商户</title><h1 id="merchant">商户订单页</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/done`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('sandbox: the authorization page in Chromium', () => {
  let sb: Sandbox;
  let receiver: Receiver;
  let merchantPage: Awaited<ReturnType<typeof startMerchantPage>>;
  let wx: Caller;
  let s_pappid: string;
  let browser: BrowserContext;
  let page: Page;
  /** What the browser reported as broken on the page (CSP refusals, failed loads, script errors). */
  let consoleErrors: string[] = [];
  const alice = userOf(APPID, 'alice');

  beforeAll(async () => {
    receiver = await startReceiver(APPID);
    merchantPage = await startMerchantPage();
    sb = await createSandbox({ mongodbUri: testDatabaseUri(), apps: [merchantApp(APPID, receiver.url)], settings: SETTINGS });
    wx = await new Caller(sb, merchantApp(APPID)).login();
    s_pappid = await wx.onboard(AUTH_FIELD);
    browser = await openChromiumContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' }, 10_000);
  });
  beforeEach(async () => {
    page = await browser.newPage();
    consoleErrors = [];
    page.on('console', (message) => {
      // A refused form answers 400 by design; Chromium logs that status as an error.
      if (message.type() === 'error' && !/status of 400 \(Bad Request\)$/.test(message.text())) consoleErrors.push(message.text());
    });
    page.on('pageerror', (err) => consoleErrors.push(err.message));
  });
  afterEach(async () => {
    await page?.close();
    expect(consoleErrors).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await sb?.close();
    await receiver?.close();
    await merchantPage?.close();
  });

  const authUrl = async (orderId: string, extra: Json): Promise<string> => {
    const answer = await wx.authUrl(s_pappid, orderId, extra);
    expect(answer).toMatchObject({ errcode: 0 });
    return String(answer.auth_url);
  };
  /** What a Mini Program's <web-view> opens for a wxa auth_url, with the openid the merchant server appends. */
  const webViewUrl = (wxaAuthUrl: string, openid: string) => `${sb.url}/sandbox/auth${wxaAuthUrl.slice(wxaAuthUrl.indexOf('?'))}&openid=${openid}`;
  const screenshot = async (name: string) => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };
  const deliveries = async (orderId: string) => (await machine(sb, 'GET', `/pushes?order_id=${encodeURIComponent(orderId)}`)).json.deliveries as Json[];
  const authorization = async (orderId: string) =>
    ((await machine(sb, 'GET', `/authorizations?appid=${APPID}&order_id=${encodeURIComponent(orderId)}`)).json.authorizations as Json[])[0];

  it('type 1: a company title typed on the page reaches the merchant in the push and in getauthdata', async () => {
    const orderId = 'WEB-VIEW-1001';
    const wxa = await authUrl(orderId, { type: 1, source: 'wxa', money: 26800 });
    expect(wxa).toMatch(/^pages\/auth\/auth\?/);

    await page.goto(webViewUrl(wxa, alice));
    await expect(page.title()).resolves.toBe('填写发票抬头');
    expect(await page.locator('.money').textContent()).toBe('¥268.00');
    await page.getByRole('link', { name: '单位' }).click();
    await page.waitForURL(/kind=biz/);
    for (const [label, value] of Object.entries(COMPANY)) await page.getByLabel(label).fill(value);
    await screenshot('auth-type1-company-filled');
    await page.getByRole('button', { name: '申请开票' }).click();

    await expect(page.locator('#result h1').textContent()).resolves.toBe('开票申请已提交');
    expect(await page.locator('#entered-title').textContent()).toBe(COMPANY.名称);
    expect(await page.locator('#result').getAttribute('data-status')).toBe('authorized');
    await screenshot('auth-type1-company-done');

    // (a) the merchant's push URL got user_authorize_invoice, verified by the server's openPush.
    const push = await eventually(
      () => receiver.pushes.find((p) => p.message.kind === 'user_authorize_invoice' && p.message.succOrderId === orderId),
      'the user_authorize_invoice push',
      10_000,
    );
    expect(push.message).toEqual({
      kind: 'user_authorize_invoice',
      toUserName: merchantApp(APPID).originalId,
      fromUserName: alice,
      createTime: expect.any(Number),
      succOrderId: orderId,
      authorizeAppId: APPID,
      source: 'wxa',
    });
    expect(receiver.rejected).toEqual([]);

    // (b) getauthdata hands back exactly what was typed.
    const data = await wx.invoice('getauthdata', { s_pappid, order_id: orderId });
    expect(data).toMatchObject({ errcode: 0, invoice_status: 'auth success' });
    expect(data.user_auth_info).toEqual({
      biz_field: {
        title: COMPANY.名称,
        tax_no: COMPANY.税号,
        addr: COMPANY.单位地址,
        phone: COMPANY.电话号码,
        bank_type: COMPANY.开户银行,
        bank_no: COMPANY.银行账号,
        custom_field: [{ key: '采购单号', value: COMPANY.采购单号 }],
      },
    });
  });

  it('type 1: a required custom field left empty is refused on the page in zh-CN; nothing recorded, nothing pushed', async () => {
    const orderId = 'WEB-1002';
    await page.goto(await authUrl(orderId, { type: 1, source: 'web', redirect_url: merchantPage.url }));
    // No openid in the link: the page asks who is acting.
    await expect(page.locator('.cells-title').first().textContent()).resolves.toBe('以哪个微信用户的身份操作？');
    await page.getByRole('link', { name: /alice/ }).click();
    await page.waitForURL(/openid=/);
    expect(await page.locator('#openid').textContent()).toBe(alice);
    await page.getByRole('link', { name: '单位' }).click();
    await page.waitForURL(/kind=biz/);
    await page.getByLabel('名称').fill(COMPANY.名称);
    await page.getByLabel('税号').fill(COMPANY.税号);
    await page.getByRole('button', { name: '申请开票' }).click();

    await expect(page.locator('#errors').textContent()).resolves.toBe('请填写采购单号');
    expect(await page.getByLabel('采购单号').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('名称').inputValue()).toBe(COMPANY.名称); // what was typed is kept
    await screenshot('auth-type1-missing-field');

    expect(await authorization(orderId)).toMatchObject({ status: 'pending' });
    expect(await deliveries(orderId)).toEqual([]); // a push is queued in the same request as the record
    expect(await wx.invoice('getauthdata', { s_pappid, order_id: orderId })).toMatchObject({ invoice_status: 'never auth' });
  });

  it('type 0 (web): declining shows the declined page, the merchant gets FailOrderId, and the link goes back to redirect_url', async () => {
    const orderId = 'WEB-1003';
    const url = await authUrl(orderId, { type: 0, source: 'web', redirect_url: merchantPage.url });
    await page.goto(`${url}&openid=${alice}`);
    await page.getByRole('button', { name: '取消' }).click();

    await expect(page.locator('#result h1').textContent()).resolves.toBe('你已取消开票申请');
    await screenshot('auth-type0-declined');
    const push = await eventually(
      () => receiver.pushes.find((p) => p.message.kind === 'user_authorize_invoice' && p.message.failOrderId === orderId),
      'the decline push',
      10_000,
    );
    expect(push.message).toMatchObject({ fromUserName: alice, source: 'web', authorizeAppId: APPID });
    expect(push.message).not.toHaveProperty('succOrderId');
    expect(await wx.invoice('getauthdata', { s_pappid, order_id: orderId })).toMatchObject({ invoice_status: 'auth fail' });

    await page.getByRole('link', { name: '返回商户' }).click();
    await page.waitForURL(merchantPage.url);
    expect(await page.locator('#merchant').textContent()).toBe('商户订单页');
  });

  it('the console shows what happened above (renders under its CSP)', async () => {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(`${sb.url}/sandbox?appid=${APPID}`);
    await expect(page.title()).resolves.toBe('WeChat 沙箱控制台');
    const authorizations = page.locator('#authorizations');
    for (const orderId of ['WEB-VIEW-1001', 'WEB-1002', 'WEB-1003']) expect(await authorizations.getByText(orderId, { exact: true }).count()).toBe(1);
    expect(await authorizations.textContent()).toContain(`title: ${COMPANY.名称}`);
    expect(await page.locator('#pushes tbody tr').count()).toBe(2);
    await screenshot('console');
  });
});

import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox } from '..';
import { eventually } from '../../test/support/eventually';
import { Caller, machine, merchantApp, startReceiver, userOf, type Json, type Receiver } from '../invoice/test-kit';

/**
 * The authorization page over plain HTTP (what a browser does without running any script): who is
 * acting, the form per type and per the merchant's auth fields, zh-CN validation, the result pages,
 * and that it records and pushes through the same use case as POST /sandbox/api/authorize.
 * auth-page.browser.test.ts drives the same page in Chromium.
 */

const APPID = 'wx7171717171717171';
const SETTINGS = { workerPollMs: 30, pushTimeoutMs: 1000 };

/** Custom field names and notices come from the merchant: made hostile to check escaping. */
const AUTH_FIELD: Json = {
  user_field: { show_phone: 1, require_email: 1, custom_field: [{ key: 'm<no>', is_require: 1, notice: '会员号 "见卡片背面" & <b>' }] },
  biz_field: {
    show_tax_no: 1,
    require_tax_no: 1,
    show_addr: 1,
    show_phone: 1,
    show_bank_type: 1,
    show_bank_no: 1,
    custom_field: [{ key: 'po', is_require: 0, notice: '采购单号' }],
  },
};

interface Page {
  status: number;
  location: string | null;
  text: string;
  url: string;
}

async function get(url: string): Promise<Page> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), url };
}

async function post(url: string, form: Record<string, string>): Promise<Page> {
  const res = await fetch(url, { method: 'POST', body: new URLSearchParams(form), redirect: 'manual' });
  return { status: res.status, location: res.headers.get('location'), text: await res.text(), url };
}

/** Follows a redirect the way a browser resolves a relative Location. */
async function follow(page: Page): Promise<Page> {
  expect(page.status).toBe(303);
  return get(new URL(page.location ?? '', page.url).toString());
}

const withOpenid = (authUrl: string, openid: string) => `${authUrl}&openid=${encodeURIComponent(openid)}`;

/** Posts the page's form; an authorized Official Account page goes on to redirect_url (off the sandbox), so the page is opened again. */
async function submitAndReopen(url: string, form: Record<string, string>): Promise<Page> {
  const done = await post(url, form);
  expect(done.status).toBe(303);
  return get(new URL(done.location ?? '', url).origin === new URL(url).origin ? new URL(done.location ?? '', url).toString() : url);
}

describe('sandbox: the authorization page (/sandbox/auth)', () => {
  let sb: Sandbox;
  let receiver: Receiver;
  let wx: Caller;
  let s_pappid: string;
  const alice = userOf(APPID, 'alice');
  const bob = userOf(APPID, 'bob');
  let n = 0;

  beforeAll(async () => {
    receiver = await startReceiver(APPID);
    sb = await createSandbox({ mongodbUri: testDatabaseUri(), apps: [merchantApp(APPID, receiver.url)], settings: SETTINGS });
    wx = await new Caller(sb, merchantApp(APPID)).login();
    s_pappid = await wx.onboard(AUTH_FIELD);
  });
  afterAll(async () => {
    await sb?.close();
    await receiver?.close();
  });

  /** getauthurl for a fresh order; returns the URL the page opens at and the order id. */
  const newOrder = async (extra: Json = {}, orderId = `PG-${(n += 1)}`): Promise<{ url: string; orderId: string }> => {
    const answer = await wx.authUrl(s_pappid, orderId, { source: 'web', redirect_url: 'https://merchant.example/', ...extra });
    expect(answer).toMatchObject({ errcode: 0 });
    const authUrl = String(answer.auth_url);
    // wxa: a Mini Program shows the path's query on the sandbox page in a <web-view>.
    const url = authUrl.startsWith('pages/') ? `${sb.url}/sandbox/auth${authUrl.slice(authUrl.indexOf('?'))}` : authUrl;
    return { url, orderId };
  };
  const authorization = async (orderId: string) => {
    const found = (await machine(sb, 'GET', `/authorizations?appid=${APPID}&order_id=${encodeURIComponent(orderId)}`)).json.authorizations as Json[];
    return found[0];
  };
  const deliveries = async (orderId: string) =>
    ((await machine(sb, 'GET', `/pushes?order_id=${encodeURIComponent(orderId)}`)).json.deliveries as Json[]) ?? [];
  const pushFor = (orderId: string) =>
    eventually(
      () => receiver.pushes.find((p) => p.message.kind === 'user_authorize_invoice' && (p.message.succOrderId === orderId || p.message.failOrderId === orderId)),
      `the push for ${orderId}`,
      5000,
    );
  const authData = (orderId: string) => wx.invoice('getauthdata', { s_pappid, order_id: orderId });

  it('is a self-contained mobile page: viewport, inline CSS only, no script, escaped', async () => {
    const { url } = await newOrder({ type: 0 });
    const res = await fetch(withOpenid(url, alice));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const text = await res.text();
    expect(text).toMatch(/^<!DOCTYPE html>/);
    expect(text).toContain('<meta name="viewport" content="width=device-width');
    expect(text).toContain('lang="zh-CN"');
    expect(text).not.toMatch(/<script|<link|src="http|href="\/\//i);
  });

  it('type 0 (web): asks who is acting, authorizes, shows success with a link back, pushes and records it', async () => {
    const { url, orderId } = await newOrder({ type: 0, redirect_url: 'https://merchant.example/done?x=1&y=2' });

    const ask = await get(url);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain('以哪个微信用户的身份操作');
    expect(ask.text).toContain(alice); // alice and bob are offered
    expect(ask.text).toContain(orderId);

    // Typing a sandbox user name leads to the page as that user (openidFor(appid, name)).
    const typed = await get(`${url}&user=alice`);
    expect(typed.status).toBe(303);
    const form = await follow(typed);
    expect(new URL(form.url).searchParams.get('openid')).toBe(alice);
    expect(form.text).toContain('¥159.00');
    expect(form.text).toContain('申请开票');
    expect(form.text).toContain('name="action" value="decline"');
    expect(form.text).not.toContain('name="title"'); // type 0: the title is not asked

    // WeChat takes the user of an Official Account page on to redirect_url; the page, opened again, shows the result.
    const done = await post(form.url, { action: 'authorize' });
    expect(done.status).toBe(303);
    expect(done.location).toBe('https://merchant.example/done?x=1&y=2');
    const result = await get(form.url);
    expect(result.text).toContain('开票申请已提交');
    expect(result.text).toContain('data-status="authorized"');
    expect(result.text).toContain('href="https://merchant.example/done?x=1&amp;y=2"');

    expect(await authorization(orderId)).toMatchObject({ status: 'authorized', openid: alice });
    expect((await pushFor(orderId)).message).toMatchObject({ succOrderId: orderId, fromUserName: alice, source: 'web', authorizeAppId: APPID });
    expect(await authData(orderId)).toMatchObject({ errcode: 0, invoice_status: 'auth success' });

    // The same user coming back sees the result; another user is told it is taken.
    expect((await get(withOpenid(url, alice))).text).toContain('开票申请已提交');
    const other = await get(withOpenid(url, bob));
    expect(other.text).toContain('该订单已由其他微信用户授权');
    const stolen = await post(withOpenid(url, bob), { action: 'authorize' });
    expect(stolen.status).toBe(409);
    expect(stolen.text).toContain('AUTHORIZED_BY_ANOTHER_USER');
    expect(await deliveries(orderId)).toHaveLength(1);
  });

  it('opens a wxa auth_url (the path\'s query on the sandbox) and checks its signature like the machine API', async () => {
    const { url, orderId } = await newOrder({ source: 'wxa', type: 2 });
    expect(url).toContain('source=wxa');
    const page = await get(withOpenid(url, alice));
    expect(page.status).toBe(200);
    expect(page.text).toContain('领取发票');

    const forged = url.replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`);
    const refused = await get(withOpenid(forged, alice));
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('链接校验失败');
    expect(refused.text).not.toContain('name="action"');
    const forgedPost = await post(withOpenid(forged, alice), { action: 'authorize' });
    expect(forgedPost.status).toBe(403);
    expect(await authorization(orderId)).toMatchObject({ status: 'pending' });

    const done = await follow(await post(withOpenid(url, alice), { action: 'authorize' }));
    expect(done.text).toContain('已领取发票');
    expect(done.text).toContain('返回小程序');
    expect((await pushFor(orderId)).message).toMatchObject({ succOrderId: orderId, source: 'wxa' });
  });

  it('type 2: declining shows the declined page, pushes FailOrderId, and the user may still authorize later', async () => {
    const { url, orderId } = await newOrder({ type: 2, source: 'wap', redirect_url: 'https://merchant.example/back' });
    const page = withOpenid(url, alice);
    expect((await get(page)).text).toContain('拒绝');
    const declined = await follow(await post(page, { action: 'decline' }));
    expect(declined.text).toContain('你已拒绝领取发票');
    expect(declined.text).toContain('data-status="declined"');
    expect((await pushFor(orderId)).message).toMatchObject({ failOrderId: orderId, fromUserName: alice });
    expect(await authData(orderId)).toMatchObject({ invoice_status: 'auth fail' });

    const again = await get(`${page}&retry=1`);
    expect(again.text).toContain('你之前拒绝了');
    const done = await follow(await post(`${page}&retry=1`, { action: 'authorize' }));
    expect(done.text).toContain('已领取发票');
    expect(await authData(orderId)).toMatchObject({ invoice_status: 'auth success' });
  });

  it('type 1 shows the merchant\'s fields per side: required marked, unset ones absent, custom fields with their notice', async () => {
    const { url } = await newOrder({ type: 1 });
    const personal = (await get(withOpenid(url, alice))).text;
    expect(personal).toMatch(/<a href="[^"]*kind=user[^"]*" class="on" id="tab-user">个人<\/a>/);
    expect(personal).toMatch(/<a href="[^"]*kind=biz[^"]*" class="" id="tab-biz">单位<\/a>/);
    for (const name of ['title', 'phone', 'email', 'custom:m&lt;no&gt;']) expect(personal).toContain(`name="${name}"`);
    expect(personal).not.toContain('name="tax_no"');
    expect(personal).toContain('placeholder="会员号 &quot;见卡片背面&quot; &amp; &lt;b&gt;"');
    expect(personal).not.toContain('<b>"');

    const company = (await get(`${withOpenid(url, alice)}&kind=biz`)).text;
    for (const name of ['title', 'tax_no', 'addr', 'phone', 'bank_type', 'bank_no', 'custom:po']) expect(company).toContain(`name="${name}"`);
    expect(company).not.toContain('name="email"');
    expect(company).toMatch(/for="f-tax_no">税号<span class="req"/);
    expect(company).not.toMatch(/for="f-addr">单位地址<span class="req"/);
  });

  it('type 1: a missing required field or a bad value is shown in zh-CN, the input kept, nothing recorded, nothing pushed', async () => {
    const { url, orderId } = await newOrder({ type: 1 });
    const page = withOpenid(url, alice);
    const refused = await post(page, { action: 'authorize', kind: 'biz', title: '<b>某某公司</b>', tax_no: '', addr: '福州' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('请填写税号');
    expect(refused.text).toContain('value="&lt;b&gt;某某公司&lt;/b&gt;"');
    expect(refused.text).not.toContain('<b>某某公司');

    const bad = await post(page, { action: 'authorize', kind: 'user', title: '张三', email: 'not-an-email', 'custom:m<no>': '' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('邮箱格式不正确');
    expect(bad.text).toContain('请填写m&lt;no&gt;');

    const lower = await post(page, { action: 'authorize', kind: 'biz', title: '某某公司', tax_no: '91350100m000100y43' });
    expect(lower.text).toContain('税号应为 15 到 20 位数字或大写字母');

    expect(await authorization(orderId)).toMatchObject({ status: 'pending' });
    expect(await deliveries(orderId)).toEqual([]);
    expect(await authData(orderId)).toMatchObject({ invoice_status: 'never auth' });
  });

  it('type 1 personal: getauthdata returns the title as entered, with the custom field', async () => {
    const { url, orderId } = await newOrder({ type: 1 });
    const entered = { title: '张三', phone: '13800138000', email: 'zhangsan@example.com', 'custom:m<no>': 'VIP-007' };
    const done = await submitAndReopen(withOpenid(url, alice), { action: 'authorize', kind: 'user', ...entered });
    expect(done.text).toContain('开票申请已提交');
    expect(done.text).toContain('<span class="v" id="entered-title">张三</span>');
    expect(await authData(orderId)).toMatchObject({
      user_auth_info: {
        user_field: { title: '张三', phone: '13800138000', email: 'zhangsan@example.com', custom_field: [{ key: 'm<no>', value: 'VIP-007' }] },
      },
    });
    expect((await pushFor(orderId)).message).toMatchObject({ succOrderId: orderId });
  });

  it('escapes what it shows: order ids and redirect URLs from the merchant', async () => {
    const evil = `<img src=x onerror="alert(1)">'&`;
    const { url } = await newOrder({ type: 0, redirect_url: 'https://merchant.example/"><script>alert(1)</script>' }, evil);
    const ask = await get(url);
    expect(ask.text).not.toContain('<img src=x');
    expect(ask.text).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;');
    // The chooser re-submits auth_url's query in hidden inputs: escaped too.
    expect(ask.text).toContain(`name="o1" value="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;"`);
    // Authorized on an Official Account page: on to redirect_url; the page, opened again, shows it escaped.
    expect((await post(withOpenid(url, alice), { action: 'authorize' })).status).toBe(303);
    const done = await get(withOpenid(url, alice));
    expect(done.text).not.toContain('<script>');
    expect(done.text).toContain('href="https://merchant.example/&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('refuses what is not a page: unknown order, incomplete link, bad openid, unknown action', async () => {
    const { url } = await newOrder({ type: 0 });
    const unknown = await get(url.replace(/o1=[^&]+/, 'o1=nope'));
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('找不到该开票授权');
    expect((await get(`${sb.url}/sandbox/auth?appid=${APPID}`)).status).toBe(400);
    const badOpenid = await get(withOpenid(url, 'short'));
    expect(badOpenid.status).toBe(400);
    expect(badOpenid.text).toContain('openid 格式不正确');
    expect((await get(`${url}&user=${encodeURIComponent('a b')}`)).status).toBe(400);
    const noUser = await post(url, { action: 'authorize' });
    expect(noUser.status).toBe(400);
    expect(noUser.text).toContain('请先选择');
    expect((await post(withOpenid(url, alice), { action: 'steal' })).status).toBe(400);
  });

  it('an order the merchant rejected shows the reason', async () => {
    const { url, orderId } = await newOrder({ type: 0 });
    await submitAndReopen(withOpenid(url, alice), { action: 'authorize' });
    expect(await wx.invoice('rejectinsert', { s_pappid, order_id: orderId, reason: '商品已退货 <退款>', url: 'https://merchant.example/why' })).toMatchObject({
      errcode: 0,
    });
    const page = await get(withOpenid(url, alice));
    expect(page.text).toContain('商户已拒绝为该订单开票');
    expect(page.text).toContain('原因：商品已退货 &lt;退款&gt;');
    expect(page.text).toContain('href="https://merchant.example/why"');
    const again = await post(withOpenid(url, alice), { action: 'authorize' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('商户已拒绝为该订单开票');
  });
});

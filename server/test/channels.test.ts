import crypto from 'node:crypto';
import { unionidFor } from '../sandbox';
import { decodeAesKey, sealPush } from '../src/wechat/push';
import { stepFor } from '../src/domain/lifecycle/steps';
import { startTestApp, TEST_ENV } from './support/app';
import { APP, CHANNEL_KEY, CookieBrowser, hiddenField, OA, OPEN_PLATFORM, startCallbackReceiver } from './support/channels';
import { eventually } from './support/eventually';
import { openidFor, orderFor, startLifecycleEnv, type LifecycleEnv } from './support/lifecycle-env';
import { authorizeEvent } from './support/push-events';

/**
 * One server, three WeChat accounts of one merchant (Mini Program, Official Account, mobile app),
 * over real HTTP against the sandbox: each channel from the buyer's first step to ISSUED, each call
 * made with the account that created the authorization (the sandbox knows the caller by its
 * access_token, and refuses another account's with 72038).
 */

const MCHID = '1900000109';
const MP_AES = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

let env: LifecycleEnv;
const channel = (method: string, path: string, body?: unknown, key = CHANNEL_KEY) =>
  fetch(`${env.app.url}/api/channel${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  }).then(async (res) => ({ status: res.status, json: (await res.json()) as Record<string, unknown> }));

async function importOrder(orderNo: string, openid: string, extra: Record<string, unknown> = {}) {
  const res = await env.admin('POST', '/orders', { ...orderFor(openid, orderNo), ...extra });
  expect([200, 201]).toContain(res.status);
}

async function adminRequest(orderNo: string) {
  const { json } = await env.admin('GET', `/invoices?orderNo=${orderNo}`);
  return (json.invoices as Record<string, unknown>[])[0];
}

async function issuedBy(orderNo: string): Promise<{ request: Record<string, unknown>; invoice: Record<string, unknown> }> {
  let last: unknown;
  // A ceiling, not an expectation of speed: at load 17 on 2 cores a request took over 20 s.
  const request = await eventually(async () => {
    const r = await adminRequest(orderNo);
    last = r?.status;
    return r?.status === 'ISSUED' ? r : undefined;
  }, `${orderNo} ISSUED`, 60_000).catch((err: Error) => {
    throw new Error(`${err.message} (last state ${String(last)})`);
  });
  const invoices = (await env.sandboxApi('GET', `/invoices?ddh=${String(request.wxOrderId)}`)).json.invoices as Record<string, unknown>[];
  expect(invoices).toHaveLength(1);
  return { request, invoice: invoices[0] ?? {} };
}

beforeAll(async () => {
  env = await startLifecycleEnv({
    accounts: [OA, APP],
    // A short post-payment window, so that "the order never came" is seen within the test.
    serverEnv: { CHANNEL_API_KEYS: CHANNEL_KEY, POST_PAYMENT_MATCH_HOURS: '0.002' },
  });
});
afterAll(async () => env?.close());

describe('channels: one server, several WeChat accounts', () => {
  it('Official Account H5: web authorization login → 申请开票 → WeChat page → back through redirect_url → ISSUED with the OA’s token', async () => {
    // The order came from the Mini Program; the buyer opens the Official Account: matched by unionid.
    await importOrder('H5-1', openidFor(TEST_ENV.WECHAT_APPID, 'alice'), { unionid: unionidFor(OPEN_PLATFORM, 'alice') });
    const browser = new CookieBrowser();
    let page = await browser.go(`${env.app.url}/h5/oa/`);
    expect(page.url).toContain(`${env.sandbox.url}/connect/oauth2/authorize?appid=${OA.appid}`);
    expect(page.url).toContain('scope=snsapi_base');
    expect(page.text).toContain('以哪个微信用户的身份打开公众号网页');
    page = await browser.go(`${page.url}&sandbox_user=alice`);
    expect(page.url).toBe(`${env.app.url}/h5/oa/`);
    expect(page.text).toContain('我的订单');
    expect(page.text).toContain('H5-1');

    page = await browser.go(`${env.app.url}/h5/oa/orders/H5-1/apply`);
    const csrf = hiddenField(page.text, 'csrf');
    // A company title whose tax number fails the shared check is refused on the page, nothing sent.
    const bad = await browser.go(page.url, { method: 'POST', form: { csrf, type: '0', kind: 'company', name: '某公司', taxNumber: '91350100M000100Y44' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('税号有误');
    expect(await adminRequest('H5-1')).toBeUndefined();

    page = await browser.go(page.url, { method: 'POST', form: { csrf, type: '1' } });
    const oaAlice = openidFor(OA.appid, 'alice');
    expect(page.url.startsWith(`${env.sandbox.url}/sandbox/auth?`)).toBe(true);
    expect(new URL(page.url).searchParams.get('openid')).toBe(oaAlice);
    expect(new URL(page.url).searchParams.get('source')).toBe('web');
    // The buyer fills in a personal title on WeChat's page; WeChat takes them back to redirect_url.
    page = await browser.go(page.url, { method: 'POST', form: { action: 'authorize', kind: 'user', title: '李四', phone: '13800000000' } });
    expect(page.url).toBe(`${env.app.url}/h5/oa/orders/H5-1?back=1`);
    expect(page.text).toContain('订单详情');
    await eventually(async () => (await browser.go(`${env.app.url}/h5/oa/orders/H5-1`)).text.includes('data-status="ISSUED"'), 'H5 page shows ISSUED', 20_000);

    const { request, invoice } = await issuedBy('H5-1');
    expect(request).toMatchObject({ account: 'oa', appid: OA.appid, source: 'web', openid: oaAlice });
    expect(invoice).toMatchObject({ appid: OA.appid, wxopenid: oaAlice }); // makeoutinvoice with the OA's token
    const invoicePage = await browser.go(`${env.app.url}/h5/oa/orders/H5-1/invoice`);
    expect(invoicePage.text).toContain('打开发票 PDF');
    expect(invoicePage.text).toContain(String(invoice.fphm));
  });

  it('native app through the channel API: auth_url for WXInvoiceAuthInsertReq, onResp on WeChat’s page, push via the OA, polled and called back', async () => {
    const carol = openidFor(APP.appid, 'carol');
    await importOrder('APP-1', carol);
    const receiver = await startCallbackReceiver();
    try {
      expect((await channel('POST', '/invoices', { orderNo: 'APP-1', account: 'app', source: 'app' }, 'not-a-key-0123456789abcdefgh')).status).toBe(401);
      expect((await channel('POST', '/invoices', { orderNo: 'APP-1', account: 'app', source: 'wxa' })).status).toBe(400);
      expect((await channel('POST', '/invoices', { orderNo: 'APP-1', account: 'oa', source: 'app' })).json).toMatchObject({ error: { code: 'ACCOUNT_NOT_CONFIGURED' } });
      const created = await channel('POST', '/invoices', { orderNo: 'APP-1', account: 'app', source: 'app', openid: carol, callbackUrl: receiver.url });
      expect(created.status).toBe(201);
      const { requestId, authUrl } = created.json as { requestId: string; authUrl: string };
      expect(authUrl.startsWith(`${env.sandbox.url}/sandbox/auth?`)).toBe(true);
      expect(created.json).not.toHaveProperty('appid'); // getauthurl answers no appid for source app: valid, kept

      // The app hands authUrl to the WeChat SDK; the buyer authorizes; WeChat returns to the app.
      const browser = new CookieBrowser();
      const page = await browser.go(`${authUrl}&openid=${carol}`, { method: 'POST', form: { action: 'authorize', kind: 'user', title: '陈卡罗' } });
      expect(page.text).toContain('id="onresp"');
      expect(page.text).toContain(`&quot;errCode&quot;:0`);
      expect((await channel('POST', `/invoices/${requestId}/refresh`)).status).toBe(200);

      const status = await eventually(async () => {
        const { json } = await channel('GET', `/invoices/${requestId}`);
        return json.status === 'ISSUED' ? json : undefined;
      }, 'APP-1 ISSUED via the channel API', 20_000);
      expect(status).toMatchObject({ requestId, orderNo: 'APP-1', account: 'app', source: 'app' });
      const { invoice } = await issuedBy('APP-1');
      expect(invoice).toMatchObject({ appid: APP.appid, wxopenid: carol });
      // The app's pushes went to the Official Account's URL (verified with the OA's keys).
      const deliveries = (await env.sandboxApi('GET', '/pushes')).json;
      expect(JSON.stringify(deliveries)).toContain('/wechat/push/oa');
      await eventually(async () => receiver.received.some((c) => c.requestId === requestId && c.status === 'ISSUED'), 'callback ISSUED', 20_000);
    } finally {
      await receiver.close();
    }
  });

  it('plain mobile web (wap): the back end does not know the buyer; WeChat’s push names them; ISSUED', async () => {
    await importOrder('WAP-1', 'merchant-site-user-0001');
    const created = await channel('POST', '/invoices', { orderNo: 'WAP-1', account: 'oa', source: 'wap', redirectUrl: 'https://shop.example/orders/WAP-1' });
    expect(created.status).toBe(201);
    const dave = openidFor(OA.appid, 'dave');
    const authorized = await env.sandboxApi('POST', '/authorize', {
      auth_url: created.json.authUrl,
      openid: dave,
      action: 'authorize',
      user_field: { title: '戴夫' },
    });
    expect(authorized.status).toBe(200);
    const { request, invoice } = await issuedBy('WAP-1');
    expect(request).toMatchObject({ account: 'oa', source: 'wap', openid: dave });
    expect(invoice).toMatchObject({ appid: OA.appid, wxopenid: dave });
  });

  it('Mini Program unchanged beside the other accounts', async () => {
    const buyer = await env.login('mallory');
    await importOrder('MP-1', buyer.openid);
    const link = await env.mp(buyer.token, 'POST', '/orders/MP-1/invoice', { type: 1 });
    expect(link.status).toBe(200);
    expect(link.json.appid).toMatch(/^wx/);
    expect(String(link.json.authUrl)).toMatch(/^pages\/auth\/auth\?/);
    await env.sandboxApi('POST', '/authorize', { auth_url: link.json.authUrl, openid: buyer.openid, action: 'authorize', user_field: { title: '马洛丽' } });
    const { request, invoice } = await issuedBy('MP-1');
    expect(request).toMatchObject({ account: 'default', appid: TEST_ENV.WECHAT_APPID, source: 'wxa' });
    expect(invoice).toMatchObject({ appid: TEST_ENV.WECHAT_APPID });
  });

  it('a push is opened only with the keys of the account its URL names', async () => {
    const seal = (token: string, appid: string, aesKey: string, orderId: string) =>
      sealPush(authorizeEvent(orderId), {
        mode: 'safe',
        format: 'xml',
        token,
        appid,
        aesKey: decodeAesKey(aesKey),
        timestamp: String(Math.floor(Date.now() / 1000)),
        nonce: String(crypto.randomInt(1e9)),
      });
    const post = (path: string, sealed: ReturnType<typeof sealPush>) =>
      fetch(`${env.app.url}${path}?${new URLSearchParams(sealed.query).toString()}`, { method: 'POST', headers: { 'content-type': sealed.contentType }, body: sealed.body }).then(
        async (res) => ({ status: res.status, text: await res.text() }),
      );
    const forOa = seal(OA.token ?? '', OA.appid, OA.aesKey ?? '', 'PUSH-X-1');
    expect(await post('/wechat/push', forOa)).toMatchObject({ status: 401 });
    expect((await post('/wechat/push/app', forOa)).status).toBe(404); // an app has no push URL of its own
    expect((await post('/wechat/push/nobody', forOa)).status).toBe(404);
    expect(await post('/wechat/push/oa', forOa)).toEqual({ status: 200, text: 'success' });
    const forMp = seal(TEST_ENV.WECHAT_TOKEN, TEST_ENV.WECHAT_APPID, MP_AES, 'PUSH-X-2');
    expect(await post('/wechat/push/oa', forMp)).toMatchObject({ status: 401 });
    expect(await post('/wechat/push', forMp)).toEqual({ status: 200, text: 'success' });
  });

  it('a request whose account leaves the configuration waits for it, never going to another account', async () => {
    const frank = openidFor(OA.appid, 'frank');
    await importOrder('STRAND-1', frank);
    const created = await channel('POST', '/invoices', { orderNo: 'STRAND-1', account: 'oa', source: 'web', openid: frank, redirectUrl: 'https://shop.example/x' });
    const requestId = String(created.json.requestId);
    // A process on the same database configured without the Official Account (a config change).
    const { config } = env.app.container;
    const without = await startTestApp({
      mongodbUri: config.MONGODB_URI,
      env: { WECHAT_API_BASE: env.sandbox.url, INVOICE_S_PAPPID: config.INVOICE_S_PAPPID, FPQQLSH_PREFIX: config.FPQQLSH_PREFIX },
    });
    try {
      const stored = await without.container.repositories.requests.findById(requestId);
      if (!stored) throw new Error('request not stored');
      await expect(stepFor(without.container.lifecycle, stored)).rejects.toMatchObject({ code: 'ACCOUNT_NOT_CONFIGURED' });
      expect(await without.container.repositories.requests.findById(requestId)).toMatchObject({ status: 'AUTH_PENDING', account: 'oa', appid: OA.appid });
    } finally {
      await without.close();
    }
    // Where the account is configured, it goes on with that account.
    await env.sandboxApi('POST', '/authorize', { auth_url: created.json.authUrl, openid: frank, action: 'authorize', user_field: { title: '弗兰克' } });
    const { invoice } = await issuedBy('STRAND-1');
    expect(invoice).toMatchObject({ appid: OA.appid, wxopenid: frank });
  });

  it('post-payment (receipt=Y): an authorization before its order is kept, issued once the order comes; one whose order never comes is listed', async () => {
    const linked = await env.admin('PUT', '/settings/pay-mch', { mchid: MCHID, s_pappid: env.sPappid });
    expect(linked.status).toBe(200);
    expect((await env.sandboxApi('GET', `/merchant?appid=${OA.appid}`)).json).toMatchObject({ paymch_info: { mchid: MCHID } });

    const amount = orderFor('x', 'x').amount;
    const noReceipt = await env.sandboxApi('POST', '/payments', { mchid: MCHID, out_trade_no: 'PAY-0', total_fee: amount, user: 'erin' });
    expect(noReceipt.status).toBe(201);
    expect((await env.sandboxApi('POST', '/payments/invoice', { mchid: MCHID, out_trade_no: 'PAY-0' })).status).toBe(409);

    for (const no of ['PAY-1', 'PAY-2']) {
      const paid = await env.sandboxApi('POST', '/payments', { mchid: MCHID, out_trade_no: no, total_fee: amount, user: 'erin', receipt: 'Y' });
      expect(paid.json.invoiceUrl).toContain('/sandbox/pay/invoice?');
      expect((await env.sandboxApi('POST', '/payments/invoice', { mchid: MCHID, out_trade_no: no, user_field: { title: '艾琳' } })).status).toBe(200);
    }
    const kept = await eventually(async () => {
      const { json } = await env.admin('GET', '/post-payment?state=waiting');
      const list = json.authorizations as { orderId: string }[];
      return list.filter((a) => a.orderId.startsWith('PAY-')).length === 2 ? list : undefined;
    }, 'both post-payment authorizations kept', 10_000);
    expect(kept.find((a) => a.orderId === 'PAY-1')).toMatchObject({ account: 'oa', appid: OA.appid, openid: openidFor(OA.appid, 'erin') });

    await importOrder('PAY-1', openidFor(OA.appid, 'erin'));
    const { request, invoice } = await issuedBy('PAY-1');
    expect(request).toMatchObject({ account: 'oa', wxOrderId: 'PAY-1', type: 1 });
    expect(invoice).toMatchObject({ appid: OA.appid, ddh: 'PAY-1' });
    // Importing the order again changes nothing: still one request, one invoice.
    await importOrder('PAY-1', openidFor(OA.appid, 'erin'));
    expect(((await env.admin('GET', '/invoices?orderNo=PAY-1')).json.invoices as unknown[]).length).toBe(1);

    const unmatched = await eventually(async () => {
      const { json } = await env.admin('GET', '/post-payment?state=unmatched');
      return (json.authorizations as { orderId: string; expired: boolean }[]).find((a) => a.orderId === 'PAY-2');
    }, 'PAY-2 listed as unmatched', 20_000);
    expect(unmatched).toMatchObject({ status: 'waiting', expired: true });
    await importOrder('PAY-2', openidFor(OA.appid, 'erin'));
    expect(await adminRequest('PAY-2')).toBeUndefined(); // past the window: left for ops, not issued
  });
});

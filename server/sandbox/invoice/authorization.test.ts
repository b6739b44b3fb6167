import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox } from '..';
import { eventually } from '../../test/support/eventually';
import { Caller, machine, merchantApp, startReceiver, userOf, type Json, type Receiver } from './test-kit';

const APPID = 'wx4444444444444444';
const OTHER_APPID = 'wx5555555555555555';
const SETTINGS = { workerPollMs: 30, pushTimeoutMs: 1000, invoiceIssueDelayMs: 50 };

describe('sandbox: authorization (getauthurl, the authorization page, getauthdata, rejectinsert)', () => {
  let sb: Sandbox;
  let receiver: Receiver;
  let wx: Caller;
  let other: Caller;
  let s_pappid: string;
  const alice = userOf(APPID, 'alice');
  const bob = userOf(APPID, 'bob');

  beforeAll(async () => {
    receiver = await startReceiver(APPID);
    sb = await createSandbox({ mongodbUri: testDatabaseUri(), apps: [merchantApp(APPID, receiver.url), merchantApp(OTHER_APPID)], settings: SETTINGS });
    wx = await new Caller(sb, merchantApp(APPID)).login();
    other = await new Caller(sb, merchantApp(OTHER_APPID)).login();
    s_pappid = await wx.onboard();
  });
  afterAll(async () => {
    await sb?.close();
    await receiver?.close();
  });

  const authorize = (body: Json) => machine(sb, 'POST', '/authorize', body);
  const authData = (order_id: string, caller = wx) => caller.invoice('getauthdata', { s_pappid, order_id });
  const pushFor = (orderId: string) =>
    eventually(
      () => receiver.pushes.find((p) => p.message.kind === 'user_authorize_invoice' && (p.message.succOrderId === orderId || p.message.failOrderId === orderId)),
      `the push for ${orderId}`,
      5000,
    );

  describe('getauthurl', () => {
    it('returns the authorization Mini Program and a path-style auth_url for wxa', async () => {
      const timestamp = Math.floor(Date.now() / 1000);
      const answer = await wx.authUrl(s_pappid, 'wxa-1', { timestamp, type: 0 });
      expect(answer).toEqual({ errcode: 0, errmsg: 'ok', appid: 'wx9db2c16d0633c2e7', auth_url: expect.stringMatching(/^pages\/auth\/auth\?/) });
      const params = new URLSearchParams(String(answer.auth_url).split('?')[1]);
      expect(Object.fromEntries(params)).toEqual({
        s_pappid,
        appid: APPID,
        num: '1',
        o1: 'wxa-1',
        m1: '15900',
        t1: String(timestamp),
        source: 'wxa',
        type: '0',
        signature: expect.stringMatching(/^[0-9a-f]{40}$/),
      });
    });

    it('returns a page on the sandbox for web, wap and app, carrying what finds the authorization', async () => {
      for (const source of ['web', 'wap', 'app']) {
        const answer = await wx.authUrl(s_pappid, `page-${source}`, { source, redirect_url: 'https://merchant.example/done' });
        expect(answer).toEqual({ errcode: 0, errmsg: 'ok', auth_url: expect.stringContaining(`${sb.url}/sandbox/auth?`) });
        const found = await machine(sb, 'GET', `/authorizations?auth_url=${encodeURIComponent(String(answer.auth_url))}`);
        expect(found.json.authorizations).toEqual([expect.objectContaining({ order_id: `page-${source}`, source, redirect_url: 'https://merchant.example/done', status: 'pending' })]);
      }
    });

    it('answers the same authorization when the same order is requested again', async () => {
      const first = await wx.authUrl(s_pappid, 'again-1', { money: 100 });
      const second = await wx.authUrl(s_pappid, 'again-1', { money: 250 });
      const sig = (a: Json) => new URLSearchParams(String(a.auth_url).split('?')[1]).get('signature');
      expect(sig(second)).toBe(sig(first));
      expect(new URLSearchParams(String(second.auth_url).split('?')[1]).get('m1')).toBe('250');
      const listed = await machine(sb, 'GET', `/authorizations?appid=${APPID}&order_id=again-1`);
      expect(listed.json.authorizations).toHaveLength(1);
    });

    it('refuses a ticket that is not the app\'s valid wx_card ticket with 40097', async () => {
      expect(await wx.authUrl(s_pappid, 'tk-1', { ticket: 'made-up' })).toMatchObject({ errcode: 40097 });
      expect(await wx.authUrl(s_pappid, 'tk-1', { ticket: other.ticket })).toMatchObject({ errcode: 40097 });
      expect(await wx.authUrl(s_pappid, 'tk-1', { ticket: undefined })).toMatchObject({ errcode: 40097 });
    });

    it('refuses bad parameters with 72031: unknown s_pappid, milliseconds, money, source, type', async () => {
      const cases: Json[] = [
        { s_pappid: 'd3hhYmNk' },
        { order_id: '' },
        { timestamp: Date.now() },
        { money: '159' },
        { money: 1.5 },
        { source: 'h5' },
        { type: 3 },
        { redirect_url: 'javascript:alert(1)' },
      ];
      for (const extra of cases) {
        expect({ extra, answer: await wx.authUrl(s_pappid, 'bad-1', extra) }).toMatchObject({ extra, answer: { errcode: 72031 } });
      }
    });

    it('needs the contact (72063) and, for type 1, the auth fields (72029)', async () => {
      await other.invoice('seturl');
      expect(await other.authUrl(s_pappid, 'o-1')).toMatchObject({ errcode: 72063 });
      await other.invoice('setbizattr?action=set_contact', { contact: { phone: '1', time_out: 60 } });
      expect(await other.authUrl(s_pappid, 'o-1', { type: 1 })).toMatchObject({ errcode: 72029 });
      expect(await other.authUrl(s_pappid, 'o-1', { type: 0 })).toMatchObject({ errcode: 0 });
    });
  });

  describe('the user authorizes', () => {
    it('type 0: getauthdata goes from "never auth" to "auth success", and the push arrives signed', async () => {
      expect(await authData('t0-1')).toMatchObject({ errcode: 72038, errmsg: expect.stringMatching(/^invoice order never auth/) });
      const { auth_url } = await wx.authUrl(s_pappid, 't0-1', { source: 'web', redirect_url: 'https://merchant.example/done' });
      expect(await authData('t0-1')).toEqual({ errcode: 0, errmsg: 'ok', invoice_status: 'never auth' });
      expect(await authData('t0-1', other)).toMatchObject({ errcode: 72038 });

      const before = Math.floor(Date.now() / 1000);
      const done = await authorize({ auth_url, openid: alice, action: 'authorize' });
      expect(done.json).toMatchObject({ changed: true, authorization: { status: 'authorized', openid: alice } });
      const data = await authData('t0-1');
      expect(data).toEqual({ errcode: 0, errmsg: 'ok', invoice_status: 'auth success', auth_time: expect.any(Number) });
      expect(data.auth_time).toBeGreaterThanOrEqual(before);

      const push = await pushFor('t0-1');
      expect(push.message).toEqual({
        kind: 'user_authorize_invoice',
        toUserName: merchantApp(APPID).originalId,
        fromUserName: alice,
        createTime: data.auth_time,
        succOrderId: 't0-1',
        authorizeAppId: APPID,
        source: 'web',
      });
      expect(receiver.rejected).toEqual([]);
    });

    it('an edited auth_url is refused, and a repeated authorization changes nothing', async () => {
      const { auth_url } = await wx.authUrl(s_pappid, 't0-2');
      expect((await authorize({ auth_url: String(auth_url).replace(/signature=[0-9a-f]+/, `signature=${'0'.repeat(40)}`), openid: alice, action: 'authorize' })).status).toBe(403);
      expect((await authorize({ auth_url, openid: alice, action: 'authorize' })).json).toMatchObject({ changed: true });
      expect((await authorize({ auth_url, openid: alice, action: 'authorize' })).json).toMatchObject({ changed: false });
      expect(await authorize({ auth_url, openid: bob, action: 'authorize' })).toMatchObject({ status: 409, json: { error: { code: 'AUTHORIZED_BY_ANOTHER_USER' } } });
      expect(await authorize({ auth_url, openid: alice, action: 'decline' })).toMatchObject({ status: 409, json: { error: { code: 'ALREADY_AUTHORIZED' } } });
      expect(await authorize({ auth_url, openid: 'short', action: 'authorize' })).toMatchObject({ status: 400 });
    });

    it('type 1: the title is checked against set_auth_field and returned as user_auth_info', async () => {
      await wx.authUrl(s_pappid, 't1-1', { type: 1 });
      const base = { s_pappid, order_id: 't1-1', openid: alice, action: 'authorize' };
      const user = { title: 'Dhxhhx', phone: '5554545', email: 'dhxhxhhx@qq.cind', custom_field: [{ key: 'fld1', value: 'ABCD' }] };
      expect(await authorize(base)).toMatchObject({ status: 400 });
      expect(await authorize({ ...base, user_field: { ...user, phone: '' } })).toMatchObject({ status: 400, json: { error: { code: 'FIELD_REQUIRED' } } });
      expect(await authorize({ ...base, user_field: { ...user, custom_field: [] } })).toMatchObject({ status: 400, json: { error: { code: 'FIELD_REQUIRED' } } });
      expect(await authorize({ ...base, user_field: { ...user, custom_field: [{ key: 'nope', value: 'x' }] } })).toMatchObject({ status: 400 });
      expect(await authorize({ ...base, user_field: user, biz_field: { title: 'x' } })).toMatchObject({ status: 400 });
      expect((await authorize({ ...base, user_field: user })).status).toBe(200);
      expect(await authData('t1-1')).toEqual({
        errcode: 0,
        errmsg: 'ok',
        invoice_status: 'auth success',
        auth_time: expect.any(Number),
        user_auth_info: { user_field: user },
      });
    });

    it('type 1 company title: fields not on the page are refused', async () => {
      await wx.authUrl(s_pappid, 't1-2', { type: 1 });
      const base = { s_pappid, order_id: 't1-2', openid: bob, action: 'authorize' };
      const biz = { title: 'xxCompany', tax_no: '6464646766', addr: 'xxBuilding', phone: '1557548768', bank_type: 'xxBank', bank_no: '545454646' };
      expect(await authorize({ ...base, biz_field: { ...biz, email: 'a@b.c' } })).toMatchObject({ status: 400 });
      expect((await authorize({ ...base, biz_field: biz })).status).toBe(200);
      expect((await authData('t1-2')).user_auth_info).toEqual({ biz_field: biz });
    });

    it('a type 0 page takes no title', async () => {
      await wx.authUrl(s_pappid, 't0-3');
      expect(await authorize({ s_pappid, order_id: 't0-3', openid: alice, action: 'authorize', user_field: { title: 'x' } })).toMatchObject({ status: 400 });
    });

    it('declining: "auth fail" and a push with FailOrderId; the user may still authorize later', async () => {
      await wx.authUrl(s_pappid, 'dec-1', { source: 'app' });
      expect((await authorize({ s_pappid, order_id: 'dec-1', openid: bob, action: 'decline' })).status).toBe(200);
      expect(await authData('dec-1')).toMatchObject({ errcode: 0, invoice_status: 'auth fail', auth_time: expect.any(Number) });
      const push = await pushFor('dec-1');
      expect(push.message).toMatchObject({ failOrderId: 'dec-1', source: 'app' });
      expect(push.message).not.toHaveProperty('succOrderId');
      expect((await authorize({ s_pappid, order_id: 'dec-1', openid: bob, action: 'authorize' })).json).toMatchObject({ changed: true });
      expect(await authData('dec-1')).toMatchObject({ invoice_status: 'auth success' });
    });

    it('404 for an order no auth URL was requested for, unless it is a post-payment authorization', async () => {
      expect(await authorize({ s_pappid, order_id: 'pp-1', openid: alice, action: 'authorize' })).toMatchObject({ status: 404 });
      const pp = { s_pappid, order_id: 'pp-1', openid: alice, action: 'authorize', postPayment: true, money: 990, source: 'wxa', user_field: { title: 'Alice', phone: '1', email: 'a@b.c', custom_field: [{ key: 'fld1', value: 'v' }] } };
      expect(await authorize(pp)).toMatchObject({ status: 409, json: { error: { code: 'PAY_MCH_NOT_SET' } } });
      await wx.invoice('setbizattr?action=set_pay_mch', { paymch_info: { mchid: '1230000109', s_pappid } });
      expect(await authorize({ ...pp, type: 0 })).toMatchObject({ status: 400 });
      expect(await authorize(pp)).toMatchObject({ status: 200, json: { authorization: { postPayment: true, type: 1, money: 990, appid: APPID } } });
      expect(await authData('pp-1')).toMatchObject({ invoice_status: 'auth success', user_auth_info: { user_field: { title: 'Alice' } } });
      expect((await pushFor('pp-1')).message).toMatchObject({ succOrderId: 'pp-1', source: 'wxa' });
    });
  });

  describe('rejectinsert', () => {
    it('needs an order a user acted on (72038) and a reason (72031); afterwards the order is dead (72035)', async () => {
      await wx.authUrl(s_pappid, 'rej-1');
      const reject = (extra: Json = {}) => wx.invoice('rejectinsert', { s_pappid, order_id: 'rej-1', reason: 'refund', url: 'https://merchant.example', ...extra });
      expect(await reject()).toMatchObject({ errcode: 72038 });
      expect(await reject({ order_id: 'never-seen' })).toMatchObject({ errcode: 72038 });
      await authorize({ s_pappid, order_id: 'rej-1', openid: alice, action: 'authorize' });
      expect(await reject({ reason: '' })).toMatchObject({ errcode: 72031 });
      expect(await reject()).toEqual({ errcode: 0, errmsg: 'ok' });
      expect(await reject()).toMatchObject({ errcode: 72035 });
      expect(await authData('rej-1')).toMatchObject({ errcode: 72035, errmsg: expect.stringMatching(/^biz reject insert/) });
      expect(await wx.authUrl(s_pappid, 'rej-1')).toMatchObject({ errcode: 72035 });
      expect(await authorize({ s_pappid, order_id: 'rej-1', openid: alice, action: 'authorize' })).toMatchObject({ status: 409, json: { error: { code: 'ORDER_REJECTED' } } });
      const listed = await machine(sb, 'GET', `/authorizations?appid=${APPID}&order_id=rej-1`);
      expect(listed.json.authorizations).toEqual([expect.objectContaining({ status: 'rejected', reject: expect.objectContaining({ reason: 'refund', url: 'https://merchant.example' }) })]);
    });
  });
});

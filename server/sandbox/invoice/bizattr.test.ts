import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox } from '..';
import { Caller, machine, merchantApp, SAMPLE_AUTH_FIELD } from './test-kit';

const APP = merchantApp('wx2222222222222222');
const OTHER = merchantApp('wx3333333333333333');

describe('sandbox: seturl and setbizattr', () => {
  let sb: Sandbox;
  let wx: Caller;
  beforeAll(async () => {
    sb = await createSandbox({ mongodbUri: testDatabaseUri(), apps: [APP, OTHER] });
    wx = await new Caller(sb, APP).login();
  });
  afterAll(async () => sb?.close());

  it('seturl issues one s_pappid per app, in an invoice_url shaped like the seed', async () => {
    const first = await wx.invoice('seturl');
    expect(first).toEqual({ errcode: 0, errmsg: 'ok', invoice_url: expect.stringMatching(/^https:\/\/mp\.weixin\.qq\.com\/bizmall\/authinvoice\?action=list&s_pappid=d3[A-Za-z0-9]+$/) });
    expect(await wx.invoice('seturl')).toEqual(first);
    const other = await new Caller(sb, OTHER).login();
    expect((await other.invoice('seturl')).invoice_url).not.toBe(first.invoice_url);

    const merchant = await machine(sb, 'GET', `/merchant?appid=${APP.appid}`);
    expect(merchant.json).toMatchObject({ registered: true, invoice_url: first.invoice_url, merchantCode: expect.stringMatching(/^[0-9A-Z]{6}$/) });
    expect((await machine(sb, 'GET', '/merchant?appid=wx0000000000000000')).status).toBe(404);
  });

  it('checks the access_token and the method like every WeChat endpoint', async () => {
    const anonymous = new Caller(sb, APP);
    expect(await anonymous.invoice('seturl')).toMatchObject({ errcode: 41001 });
    anonymous.token = 'made-up';
    expect(await anonymous.invoice('seturl')).toMatchObject({ errcode: 40001 });
    expect(await wx.get(`/card/invoice/seturl?access_token=${wx.token}`)).toMatchObject({ errcode: 43002 });
    expect(await wx.invoice('seturl', 'not json')).toMatchObject({ errcode: 47001 });
  });

  it('get_auth_field fails with 72029 until set_auth_field, then returns what was set', async () => {
    expect(await wx.invoice('setbizattr?action=get_auth_field')).toMatchObject({ errcode: 72029, errmsg: expect.stringMatching(/^invoice never set auth field rid: /) });
    expect(await wx.invoice('setbizattr?action=set_auth_field', { auth_field: { user_field: { show_phone: 2 }, biz_field: {} } })).toMatchObject({ errcode: 72031 });
    expect(await wx.invoice('setbizattr?action=set_auth_field', { auth_field: { user_field: {} } })).toMatchObject({ errcode: 72031 });
    expect(await wx.invoice('setbizattr?action=set_auth_field', { auth_field: SAMPLE_AUTH_FIELD })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await wx.invoice('setbizattr?action=get_auth_field', {})).toEqual({ errcode: 0, errmsg: 'ok', auth_field: SAMPLE_AUTH_FIELD });
  });

  it('get_pay_mch fails with 72028 until set_pay_mch; mchid must be digits (72030), s_pappid known (72031)', async () => {
    const s_pappid = String(new URL(String((await wx.invoice('seturl')).invoice_url)).searchParams.get('s_pappid'));
    expect(await wx.invoice('setbizattr?action=get_pay_mch')).toMatchObject({ errcode: 72028 });
    expect(await wx.invoice('setbizattr?action=set_pay_mch', { paymch_info: { mchid: 'abc', s_pappid } })).toMatchObject({ errcode: 72030 });
    expect(await wx.invoice('setbizattr?action=set_pay_mch', { paymch_info: { mchid: '1234', s_pappid: 'wxabcd' } })).toMatchObject({ errcode: 72031 });
    expect(await wx.invoice('setbizattr?action=set_pay_mch', { paymch_info: { mchid: '1234', s_pappid } })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await wx.invoice('setbizattr?action=get_pay_mch', {})).toEqual({ errcode: 0, errmsg: 'ok', paymch_info: { mchid: '1234', s_pappid } });
  });

  it('get_contact fails with 72063 until set_contact; time_out must be an integer', async () => {
    expect(await wx.invoice('setbizattr?action=get_contact')).toMatchObject({ errcode: 72063, errmsg: expect.stringMatching(/^biz contact is empty/) });
    expect(await wx.invoice('setbizattr?action=set_contact', { contact: { phone: '88888888', time_out: '12345' } })).toMatchObject({ errcode: 72031 });
    expect(await wx.invoice('setbizattr?action=set_contact', { contact: { phone: '', time_out: 12345 } })).toMatchObject({ errcode: 72031 });
    expect(await wx.invoice('setbizattr?action=set_contact', { contact: { phone: '88888888', time_out: 12345 } })).toEqual({ errcode: 0, errmsg: 'ok' });
    expect(await wx.invoice('setbizattr?action=get_contact', {})).toEqual({ errcode: 0, errmsg: 'ok', contact: { phone: '88888888', time_out: 12345 } });
  });

  it('answers 40097 to an unknown action', async () => {
    expect(await wx.invoice('setbizattr?action=set_everything', {})).toMatchObject({ errcode: 40097 });
    expect(await wx.invoice('setbizattr', {})).toMatchObject({ errcode: 40097 });
  });
});

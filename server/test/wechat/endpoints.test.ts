/**
 * Every endpoint once, over real HTTP against the fake WeChat: the request goes out exactly as the
 * documents show it (method, path, query, JSON body), and the answer comes back typed.
 */
import { WeChatTransportError } from '../../src/wechat/errors';
import { useTestDatabase } from '../harness/database';
import { AUTH_MINI_PROGRAM_APPID, type RecordedRequest } from '../support/fake-wechat';
import { useFakeWeChat } from '../support/wechat-setup';
import {
  CLEAR_OUT_INVOICE_SAMPLE,
  GET_AUTH_DATA_BIZ_SAMPLE,
  MAKE_OUT_INVOICE_SAMPLE,
  SET_AUTH_FIELD_SAMPLE,
  TEST_SECRET,
} from '../support/wechat-seeds';

describe('WeChat client: one typed call per endpoint', () => {
  const db = useTestDatabase();
  const wechat = useFakeWeChat(db);

  /** The requests that reached `path` (and `action`), in order. */
  function sent(path: string, action?: string): RecordedRequest[] {
    return wechat().fake.requests.filter((r) => r.path === path && (action === undefined || r.query.action === action));
  }

  function only(path: string, action?: string): RecordedRequest {
    const matching = sent(path, action);
    expect(matching).toHaveLength(1);
    return matching[0] as RecordedRequest;
  }

  /** A business call carries the access_token WeChat issued, and nothing else unless asked. */
  function expectTokenQuery(request: RecordedRequest, extra: Record<string, string> = {}) {
    expect(request.query).toEqual({ access_token: wechat().fake.issuedTokens[0], ...extra });
  }

  it('POST /cgi-bin/stable_token (the default) with the documented JSON body', async () => {
    const { fake, appid } = wechat();
    const token = await wechat().client().credentials.accessToken();
    const request = only('/cgi-bin/stable_token');
    expect(request.method).toBe('POST');
    expect(request.contentType).toMatch(/^application\/json/);
    expect(request.body).toEqual({ grant_type: 'client_credential', appid, secret: TEST_SECRET, force_refresh: false });
    expect(token).toBe(fake.issuedTokens[0]);
    expect(fake.count('/cgi-bin/token')).toBe(0);
  });

  it('GET /cgi-bin/token when selected, with grant_type, appid and secret in the query', async () => {
    const { fake, appid } = wechat();
    const token = await wechat().client({ tokenSource: 'token' }).credentials.accessToken();
    const request = only('/cgi-bin/token');
    expect(request.method).toBe('GET');
    expect(request.query).toEqual({ grant_type: 'client_credential', appid, secret: TEST_SECRET });
    expect(token).toBe(fake.issuedTokens[0]);
    expect(fake.count('/cgi-bin/stable_token')).toBe(0);
  });

  it('GET /cgi-bin/ticket/getticket?type=wx_card with the access_token', async () => {
    const { fake } = wechat();
    const ticket = await wechat().client().credentials.wxCardTicket();
    const request = only('/cgi-bin/ticket/getticket');
    expect(request.method).toBe('GET');
    expectTokenQuery(request, { type: 'wx_card' });
    expect(ticket).toBe(fake.issuedTickets[0]);
  });

  it('GET /sns/jscode2session with appid, secret, js_code and grant_type', async () => {
    const { appid } = wechat();
    const session = await wechat().client().login.code2Session('081aBcDe0xyz');
    const request = only('/sns/jscode2session');
    expect(request.method).toBe('GET');
    expect(request.query).toEqual({ appid, secret: TEST_SECRET, js_code: '081aBcDe0xyz', grant_type: 'authorization_code' });
    expect(session.openid).toMatch(/^o/);
    expect(session.session_key.length).toBeGreaterThan(0);
    expect(wechat().fake.tokenFetches()).toBe(0);
  });

  it('POST /card/invoice/seturl with {}', async () => {
    const answer = await wechat().client().invoice.setUrl();
    const request = only('/card/invoice/seturl');
    expect(request.method).toBe('POST');
    expectTokenQuery(request);
    expect(request.body).toEqual({});
    expect(answer.invoice_url).toBe('https://mp.weixin.qq.com/bizmall/authinvoice?action=list&s_pappid=d3JCEfhGLW+q0iGP+o9');
  });

  it('POST /card/invoice/getauthurl with the documented sample fields and the current wx_card ticket', async () => {
    const { fake } = wechat();
    const answer = await wechat().client().invoice.getAuthUrl({
      s_pappid: 'wxabcd',
      order_id: '1234',
      money: 11,
      timestamp: 1474875876,
      source: 'web',
      redirect_url: 'https://mp.weixin.qq.com',
      type: 1,
    });
    const request = only('/card/invoice/getauthurl');
    expectTokenQuery(request);
    expect(request.body).toEqual({
      s_pappid: 'wxabcd',
      order_id: '1234',
      money: 11,
      timestamp: 1474875876,
      source: 'web',
      redirect_url: 'https://mp.weixin.qq.com',
      ticket: fake.issuedTickets[0],
      type: 1,
    });
    expect(answer.auth_url).toMatch(/^https:\/\//);
    expect(answer.appid).toBeUndefined();
  });

  it('getauthurl with source "wxa" answers the Mini Program appid and a path-style auth_url', async () => {
    const answer = await wechat()
      .client()
      .invoice.getAuthUrl({ s_pappid: 'wxabcd', order_id: 'o-77', money: 1999, timestamp: 1700000000, source: 'wxa', type: 0 });
    expect(answer.appid).toBe(AUTH_MINI_PROGRAM_APPID);
    expect(answer.auth_url).toMatch(/^pages\/auth\/auth\?s_pappid=wxabcd&appid=wx[0-9a-f]{16}&num=1&o1=o-77&m1=1999&t1=1700000000&source=wxa&type=0&/);
    expect(only('/card/invoice/getauthurl').body).not.toHaveProperty('redirect_url');
  });

  it('getauthurl refuses a millisecond timestamp before sending anything', async () => {
    const call = wechat()
      .client()
      .invoice.getAuthUrl({ s_pappid: 'wxabcd', order_id: '1', money: 1, timestamp: Date.now(), source: 'wxa', type: 1 });
    await expect(call).rejects.toThrow(RangeError);
    expect(wechat().fake.count('/card/invoice/getauthurl')).toBe(0);
  });

  it('POST /card/invoice/getauthdata: a personal title (user_field) with its custom_field', async () => {
    const answer = await wechat().client().invoice.getAuthData({ s_pappid: 'wx123456', order_id: '123456' });
    const request = only('/card/invoice/getauthdata');
    expectTokenQuery(request);
    expect(request.body).toEqual({ s_pappid: 'wx123456', order_id: '123456' });
    expect(answer.invoice_status).toBe('auth success');
    expect(answer.auth_time).toBe(1480342498);
    expect(answer.user_auth_info?.user_field).toEqual({
      title: 'Dhxhhx ',
      phone: '5554545',
      email: 'dhxhxhhx@qq.cind',
      custom_field: [{ key: 'field1', value: 'ABCD' }],
    });
    expect(answer.user_auth_info?.biz_field).toBeUndefined();
  });

  it('getauthdata: a company title (biz_field) with its custom_field', async () => {
    wechat().fake.enqueue('/card/invoice/getauthdata', { reply: GET_AUTH_DATA_BIZ_SAMPLE });
    const answer = await wechat().client().invoice.getAuthData({ s_pappid: 'wx123456', order_id: '123456' });
    expect(answer.user_auth_info?.user_field).toBeUndefined();
    expect(answer.user_auth_info?.biz_field).toEqual(GET_AUTH_DATA_BIZ_SAMPLE.user_auth_info.biz_field);
    expect(answer.user_auth_info?.biz_field?.custom_field?.[0]?.value).toBe('EFGH');
  });

  it('POST /card/invoice/rejectinsert with s_pappid, order_id, reason and url', async () => {
    const body = { s_pappid: 'd3JCEfhGLW+q0iGP+o9', order_id: '111229', reason: '1234', url: 'http://xxx.com' };
    const answer = await wechat().client().invoice.rejectInsert(body);
    const request = only('/card/invoice/rejectinsert');
    expectTokenQuery(request);
    expect(request.body).toEqual(body);
    expect(answer).toMatchObject({ errcode: 0, errmsg: 'ok' });
  });

  it('setbizattr set_auth_field / get_auth_field: action in the query, the documented body, then {}', async () => {
    const client = wechat().client();
    await client.invoice.setAuthField(SET_AUTH_FIELD_SAMPLE);
    const answer = await client.invoice.getAuthField();
    const set = only('/card/invoice/setbizattr', 'set_auth_field');
    expectTokenQuery(set, { action: 'set_auth_field' });
    expect(set.body).toEqual(SET_AUTH_FIELD_SAMPLE);
    const get = only('/card/invoice/setbizattr', 'get_auth_field');
    expectTokenQuery(get, { action: 'get_auth_field' });
    expect(get.body).toEqual({});
    expect(answer.auth_field?.user_field?.custom_field).toEqual([{ is_require: 1, key: 'field1' }]);
    expect(answer.auth_field?.biz_field?.show_bank_no).toBe(1);
  });

  it('setbizattr set_pay_mch / get_pay_mch with paymch_info', async () => {
    const client = wechat().client();
    await client.invoice.setPayMch({ paymch_info: { mchid: '1234', s_pappid: 'wxabcd' } });
    const answer = await client.invoice.getPayMch();
    const set = only('/card/invoice/setbizattr', 'set_pay_mch');
    expectTokenQuery(set, { action: 'set_pay_mch' });
    expect(set.body).toEqual({ paymch_info: { mchid: '1234', s_pappid: 'wxabcd' } });
    expect(only('/card/invoice/setbizattr', 'get_pay_mch').body).toEqual({});
    expect(answer.paymch_info).toEqual({ mchid: '1234', s_pappid: 'wxabcd' });
  });

  it('setbizattr set_contact / get_contact with contact {phone, time_out}', async () => {
    const client = wechat().client();
    await client.invoice.setContact({ contact: { phone: '88888888', time_out: 12345 } });
    const answer = await client.invoice.getContact();
    const set = only('/card/invoice/setbizattr', 'set_contact');
    expectTokenQuery(set, { action: 'set_contact' });
    expect(set.body).toEqual({ contact: { phone: '88888888', time_out: 12345 } });
    expect(only('/card/invoice/setbizattr', 'get_contact').body).toEqual({});
    expect(answer.contact).toEqual({ phone: '88888888', time_out: 12345 });
  });

  it('POST /card/invoice/makeoutinvoice wraps the invoice in {"invoiceinfo": ...}', async () => {
    const answer = await wechat().client().invoice.makeOutInvoice(MAKE_OUT_INVOICE_SAMPLE);
    const request = only('/card/invoice/makeoutinvoice');
    expectTokenQuery(request);
    expect(request.body).toEqual({ invoiceinfo: MAKE_OUT_INVOICE_SAMPLE });
    expect(answer).toMatchObject({ errcode: 0, errmsg: 'sucesss' });
  });

  it('POST /card/invoice/clearoutinvoice wraps the offset in {"invoiceinfo": ...}', async () => {
    await wechat().client().invoice.clearOutInvoice(CLEAR_OUT_INVOICE_SAMPLE);
    const request = only('/card/invoice/clearoutinvoice');
    expectTokenQuery(request);
    expect(request.body).toEqual({ invoiceinfo: CLEAR_OUT_INVOICE_SAMPLE });
  });

  it('POST /card/invoice/queryinvoceinfo (sic) answers the invoice inside invoicedetail', async () => {
    const answer = await wechat().client().invoice.queryInvoiceInfo({ fpqqlsh: 'test20160511000440', nsrsbh: '110109500321654' });
    const request = only('/card/invoice/queryinvoceinfo');
    expectTokenQuery(request);
    expect(request.body).toEqual({ fpqqlsh: 'test20160511000440', nsrsbh: '110109500321654' });
    expect(answer.invoicedetail).toEqual({
      fpqqlsh: 'test20160511000440',
      fpdm: '088978450417',
      fphm: '21590001',
      jym: '59004166725791147047',
      kprq: '20171204172159',
      pdfurl: 'http://weixin.com',
    });
  });

  it('accepts errcode as a string, as the seturl document types it', async () => {
    wechat().fake.enqueue('/card/invoice/seturl', { reply: { errcode: '0', errmsg: 'ok', invoice_url: 'https://x/?s_pappid=abc' } });
    await expect(wechat().client().invoice.setUrl()).resolves.toMatchObject({ invoice_url: 'https://x/?s_pappid=abc' });
  });

  it('an errcode-0 answer lacking a documented field is a bad_response, not undefined downstream', async () => {
    wechat().fake.enqueue('/card/invoice/getauthurl', { reply: { errcode: 0, errmsg: 'ok' } });
    const call = wechat()
      .client()
      .invoice.getAuthUrl({ s_pappid: 'wxabcd', order_id: '1', money: 1, timestamp: 1700000000, source: 'wxa', type: 1 });
    await expect(call).rejects.toMatchObject({ code: 'WECHAT_TRANSPORT_ERROR', failure: 'bad_response' });
    await expect(call).rejects.toThrow(/auth_url/);
    await expect(call).rejects.toBeInstanceOf(WeChatTransportError);
  });

  it('uses a base URL with a path prefix (a sandbox mounted under /wechat)', async () => {
    const { fake } = wechat();
    const client = wechat().client({ baseUrl: `${fake.baseUrl}/wechat/` });
    // The fake serves at the root, so it refuses the prefixed path; what matters is the path it saw.
    await expect(client.login.code2Session('c')).rejects.toMatchObject({ code: 'WECHAT_API_ERROR' });
    expect(fake.requests[0]?.path).toBe('/wechat/sns/jscode2session');
  });
});

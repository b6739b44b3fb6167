import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox } from '..';
import { eventually } from '../../test/support/eventually';
import { authorizedOrder, Caller, machine, merchantApp, merchantCodeOf, sampleInvoice, startReceiver, userOf, type Json, type Receiver } from '../invoice/test-kit';

const APPID = 'wx5151515151515151';
const NSRSBH = '110109500321654';

/**
 * The behaviour switches (what WeChat's documents leave open) and the strictness the documents
 * imply, each seen from a merchant's side of the API.
 */
describe('sandbox: behaviour switches and documented strictness', () => {
  let sb: Sandbox;
  let receiver: Receiver;
  let wx: Caller;
  let s_pappid: string;
  let code: string;
  const alice = userOf(APPID, 'alice');
  let n = 0;
  const next = () => `BH${(n += 1)}`;

  const behave = async (body: Json) => {
    const answer = await fetch(`${sb.url}/sandbox/api/behaviour`, { method: 'PUT', body: JSON.stringify(body) });
    expect(answer.status).toBe(200);
  };

  beforeAll(async () => {
    receiver = await startReceiver(APPID);
    sb = await createSandbox({ mongodbUri: testDatabaseUri(), apps: [merchantApp(APPID, receiver.url)], settings: { invoiceIssueDelayMs: 60, workerPollMs: 30 } });
    wx = await new Caller(sb, merchantApp(APPID)).login();
    s_pappid = await wx.onboard();
    code = await merchantCodeOf(sb, APPID);
  });
  afterEach(async () => behave({}));
  afterAll(async () => {
    await sb?.close();
    await receiver?.close();
  });

  const issue = async (ddh: string, extra: Json = {}) => {
    await authorizedOrder(wx, s_pappid, ddh, alice);
    return wx.invoice('makeoutinvoice', { invoiceinfo: sampleInvoice(code, { wxopenid: alice, ddh, fpqqlsh: `${code}${ddh}`, ...extra }) });
  };
  const query = (ddh: string) => wx.invoice('queryinvoceinfo', { fpqqlsh: `${code}${ddh}`, nsrsbh: NSRSBH });
  const settled = (ddh: string) =>
    eventually(async () => {
      const [invoice] = (await machine(sb, 'GET', `/invoices?ddh=${ddh}`)).json.invoices as Json[];
      return invoice && invoice.status !== 'processing' ? invoice : undefined;
    }, `invoice ${ddh} settled`, 8000);

  it('refuses a switch it does not know, and shows the defaults', async () => {
    const bad = await fetch(`${sb.url}/sandbox/api/behaviour`, { method: 'PUT', body: JSON.stringify({ nonsense: 1 }) });
    expect(bad.status).toBe(400);
    const shown = (await (await fetch(`${sb.url}/sandbox/api/behaviour`)).json()) as Json;
    expect(shown).toMatchObject({ outcomeQuery: 'errcodes', processingErrcode: 73107, failedErrcode: 73000, ticketRejectedErrcode: 40097, customFieldKeyMax: 5 });
  });

  it('queryinvoceinfo: errcodes by default; errcode 0 with empty numbers under outcomeQuery empty-success; the codes are switches too', async () => {
    const ddh = next();
    expect(await issue(ddh, { ghfmc: 'SANDBOX_FAIL buyer' })).toMatchObject({ errcode: 0 });
    await settled(ddh);
    expect(await query(ddh)).toMatchObject({ errcode: 73000 });
    await behave({ failedErrcode: 73102 });
    expect(await query(ddh)).toMatchObject({ errcode: 73102 });
    await behave({ outcomeQuery: 'empty-success' });
    expect(await query(ddh)).toMatchObject({ errcode: 0, invoicedetail: { fpdm: '', fphm: '', jym: '', kprq: '' } });
    await behave({ unknownFpqqlshErrcode: 73100 });
    expect(await query('NEVERSENT')).toMatchObject({ errcode: 73100 });
  });

  it('an fpqqlsh sent again after a failure: a new round by default, refused under fpqqlshAfterFailure refused', async () => {
    const ddh = next();
    await issue(ddh, { ghfmc: 'SANDBOX_FAIL buyer' });
    await settled(ddh);
    await behave({ fpqqlshAfterFailure: 'refused' });
    expect(await wx.invoice('makeoutinvoice', { invoiceinfo: sampleInvoice(code, { wxopenid: alice, ddh, fpqqlsh: `${code}${ddh}` }) })).toMatchObject({ errcode: 73106 });
    await behave({});
    expect(await wx.invoice('makeoutinvoice', { invoiceinfo: sampleInvoice(code, { wxopenid: alice, ddh, fpqqlsh: `${code}${ddh}` }) })).toMatchObject({ errcode: 0 });
  });

  it('kplx: a wrong one is refused; a missing one only when required (73004)', async () => {
    expect(await issue(next(), { kplx: '1' })).toMatchObject({ errcode: 72031 });
    await behave({ kplx: 'required' });
    expect(await issue(next())).toMatchObject({ errcode: 73004 });
    expect(await issue(next(), { kplx: '0' })).toMatchObject({ errcode: 0 });
  });

  it('result pushes: none at all under resultPushes never', async () => {
    await behave({ resultPushes: 'never' });
    const ddh = next();
    await issue(ddh);
    await settled(ddh);
    // Results are announced in the order they finish: once a later invoice's push is queued, this
    // one's announcement (none) is past.
    await behave({});
    const sentinel = next();
    await issue(sentinel);
    await eventually(async () => ((await machine(sb, 'GET', `/pushes?fpqqlsh=${code}${sentinel}`)).json.deliveries as Json[]).length > 0, 'the later push', 8000);
    expect((await machine(sb, 'GET', `/pushes?fpqqlsh=${code}${ddh}`)).json.deliveries).toEqual([]);
  });

  it('a stale ticket is refused with ticketRejectedErrcode (40097 by default)', async () => {
    const stale = (extra: Json = {}) => wx.authUrl(s_pappid, next(), { ticket: 'not-a-ticket', ...extra });
    expect(await stale()).toMatchObject({ errcode: 40097 });
    await behave({ ticketRejectedErrcode: 72031 });
    expect(await stale()).toMatchObject({ errcode: 72031 });
  });

  it('getauthdata words a declined authorization as declinedStatus', async () => {
    await behave({ declinedStatus: 'auth ng' });
    const order = next();
    const { auth_url } = await wx.authUrl(s_pappid, order);
    await machine(sb, 'POST', '/authorize', { auth_url, openid: alice, action: 'decline' });
    expect(await wx.invoice('getauthdata', { s_pappid, order_id: order })).toMatchObject({ errcode: 0, invoice_status: 'auth ng' });
  });

  it('account scope: 48001 for an app not enabled for invoicing, 72015 on unified invoicing without a package', async () => {
    await behave({ appidsWithoutInvoicing: [APPID] });
    expect(await wx.authUrl(s_pappid, next())).toMatchObject({ errcode: 48001 });
    await behave({ appidsWithoutInvoicingPackage: [APPID] });
    const ddh = next();
    expect(await issue(ddh)).toMatchObject({ errcode: 72015 });
    expect(await wx.invoice('getauthdata', { s_pappid, order_id: ddh })).toMatchObject({ errcode: 0 });
  });

  it('redirect_url is required for web and wap, not for wxa', async () => {
    expect(await wx.authUrl(s_pappid, next(), { source: 'web' })).toMatchObject({ errcode: 72031 });
    expect(await wx.authUrl(s_pappid, next(), { source: 'wap' })).toMatchObject({ errcode: 72031 });
    expect(await wx.authUrl(s_pappid, next(), { source: 'web', redirect_url: 'https://merchant.example/' })).toMatchObject({ errcode: 0 });
    expect(await wx.authUrl(s_pappid, next(), { source: 'wxa' })).toMatchObject({ errcode: 0 });
  });

  it('custom-field keys of more than 5 characters are refused (the limit is a switch)', async () => {
    const fields = (key: string) => ({ auth_field: { user_field: { show_title: 1, custom_field: [{ key }] }, biz_field: { show_title: 1 } } });
    expect(await wx.invoice('setbizattr?action=set_auth_field', fields('会员卡号码'))).toMatchObject({ errcode: 0 });
    expect(await wx.invoice('setbizattr?action=set_auth_field', fields('field1'))).toMatchObject({ errcode: 72031 });
    await behave({ customFieldKeyMax: 10 });
    expect(await wx.invoice('setbizattr?action=set_auth_field', fields('field1'))).toMatchObject({ errcode: 0 });
  });

  it('the authorization page closes when the contact time_out has passed since the auth URL’s timestamp', async () => {
    // onboard() set time_out 12345 s: a URL stamped earlier than that has timed out.
    const old = await wx.authUrl(s_pappid, next(), { timestamp: Math.floor(Date.now() / 1000) - 12_400 });
    expect(old).toMatchObject({ errcode: 0 });
    const late = await machine(sb, 'POST', '/authorize', { auth_url: old.auth_url, openid: alice, action: 'authorize' });
    expect(late).toMatchObject({ status: 409, json: { error: { code: 'AUTHORIZATION_EXPIRED' } } });
    const fresh = await wx.authUrl(s_pappid, next());
    expect((await machine(sb, 'POST', '/authorize', { auth_url: fresh.auth_url, openid: alice, action: 'authorize' })).status).toBe(200);
  });
});

describe('sandbox: s_pappid with + / = (behaviour sPappid base64-specials)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox({ mongodbUri: testDatabaseUri(), apps: [merchantApp(APPID)], behaviour: { sPappid: 'base64-specials' }, settings: { workerPollMs: 30 } });
  });
  afterAll(async () => sb?.close());

  it('seturl gives it raw in invoice_url, and getauthurl takes it as written', async () => {
    const wx = await new Caller(sb, merchantApp(APPID)).login();
    const url = String((await wx.invoice('seturl')).invoice_url);
    const raw = url.slice(url.indexOf('s_pappid=') + 's_pappid='.length);
    expect(raw).toMatch(/\+.*\/.*=$/);
    await wx.invoice('setbizattr?action=set_contact', { contact: { phone: '88888888', time_out: 3600 } });
    expect(await wx.authUrl(raw, 'SP-1')).toMatchObject({ errcode: 0 });
    // What a form decoder makes of it ("+" → " ") is another s_pappid: refused.
    expect(await wx.authUrl(new URL(url).searchParams.get('s_pappid') ?? '', 'SP-2')).toMatchObject({ errcode: 72031 });
  });
});

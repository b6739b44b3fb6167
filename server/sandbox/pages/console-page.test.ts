import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox } from '..';
import { eventually } from '../../test/support/eventually';
import { AES_KEY, Caller, machine, merchantApp, PUSH_TOKEN, resultPush, sampleInvoice, startReceiver, userOf, type Json, type Receiver, merchantCodeOf } from '../invoice/test-kit';

/** The console (GET /sandbox): a demo's state at a glance, escaped, without secrets. */

const APPID = 'wx9393939393939393';
const QUIET = 'wx9494949494949494';

describe('sandbox: the console page (/sandbox)', () => {
  let sb: Sandbox;
  let receiver: Receiver;
  let wx: Caller;
  let s_pappid: string;
  let code: string;
  const alice = userOf(APPID, 'alice');
  const orderId = 'C-1<script>alert(1)</script>';
  let fpqqlsh: string;

  beforeAll(async () => {
    receiver = await startReceiver(APPID, 'safe');
    sb = await createSandbox({
      mongodbUri: testDatabaseUri(),
      apps: [merchantApp(APPID, receiver.url, 'safe'), merchantApp(QUIET)],
      settings: { workerPollMs: 30, invoiceIssueDelayMs: 30, pushTimeoutMs: 1000 },
    });
    wx = await new Caller(sb, merchantApp(APPID)).login();
    s_pappid = await wx.onboard();
    code = await merchantCodeOf(sb, APPID);

    // A demo: a type 1 authorization with a company title, a blue invoice for it, a fault.
    const { auth_url } = await wx.authUrl(s_pappid, orderId, { type: 1 });
    const authorized = await machine(sb, 'POST', '/authorize', {
      auth_url,
      openid: alice,
      action: 'authorize',
      biz_field: { title: '某某<公司>', tax_no: '91350100MA2XYZ1234', custom_field: [{ key: 'fld2', value: 'EFGH' }] },
    });
    expect(authorized.status).toBe(200);
    fpqqlsh = `${code}C0000000000001`.slice(0, 20);
    expect(await wx.invoice('makeoutinvoice', { invoiceinfo: sampleInvoice(code, { wxopenid: alice, ddh: orderId, fpqqlsh }) })).toMatchObject({ errcode: 0 });
    await resultPush(receiver, fpqqlsh, 100);
    // Both pushes recorded as delivered (the attempt is written once the merchant has answered).
    await eventually(async () => {
      const { deliveries } = (await machine(sb, 'GET', `/pushes?appid=${APPID}`)).json as { deliveries: Json[] };
      return deliveries.length === 2 && deliveries.every((d) => d.status === 'delivered');
    }, 'both pushes to be delivered', 10_000);
    await fetch(`${sb.url}/sandbox/api/faults`, { method: 'PUT', body: JSON.stringify({ endpoints: { '/card/invoice/makeoutinvoice': { errorRate: 0.5, errcode: 73105 } }, push: { duplicates: 1 } }) });
  });
  afterAll(async () => {
    await sb?.close();
    await receiver?.close();
  });

  it('shows apps, merchant settings, authorizations, invoices with their PDF, pushes with attempts, calls and faults', async () => {
    const res = await fetch(`${sb.url}/sandbox`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await res.text();

    // Apps and merchant settings.
    expect(page).toContain(`data-appid="${APPID}"`);
    expect(page).toContain(`data-appid="${QUIET}"`);
    expect(page).toContain(s_pappid);
    expect(page).toContain(code);
    expect(page).toContain('88888888 · 超时 12345 秒');
    expect(page).toContain('fld1 (必填)');

    // The authorization, with the title entered, escaped.
    expect(page).toContain('C-1&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    expect(page).toContain('title: 某某&lt;公司&gt;');
    expect(page).toContain('custom_field: fld2=EFGH');

    // The invoice and its PDF, which is served.
    const invoices = (await machine(sb, 'GET', `/invoices?fpqqlsh=${fpqqlsh}`)).json.invoices as { pdfurl: string; fphm: string }[];
    const pdfurl = invoices[0]?.pdfurl ?? '';
    expect(pdfurl).toMatch(/\.pdf$/);
    expect(page).toContain(`href="${pdfurl}"`);
    expect(page).toContain(fpqqlsh);
    expect(page).toContain(invoices[0]?.fphm ?? 'no fphm');
    expect((await fetch(pdfurl)).headers.get('content-type')).toBe('application/pdf');

    // Pushes with each attempt.
    expect(page).toContain('user_authorize_invoice');
    expect(page).toContain('cloud_invoice_invoiceresult_event');
    expect(page.match(/#1 · 200 · \d+ ms · <span class="st good">delivered<\/span>/g)).toHaveLength(2);

    // Calls and faults.
    expect(page).toMatch(/<span class="mono">\/card\/invoice\/getauthurl<\/span><\/td><td>1<\/td>/);
    expect(page).toContain('/card/invoice/makeoutinvoice</span></td><td>0.5</td><td>73105</td>');
    expect(page).toContain('每个推送多发 1 份');

    // No secret: app secrets, push token, EncodingAESKey.
    expect(page).not.toContain(merchantApp(APPID).secret);
    expect(page).not.toContain(PUSH_TOKEN);
    expect(page).not.toContain(AES_KEY);
    expect(page).toContain('EncodingAESKey 已设置');
  });

  it('narrows to one app, refreshes itself when asked, and answers on /sandbox/console too', async () => {
    const narrowed = await (await fetch(`${sb.url}/sandbox/console?appid=${QUIET}&refresh=5`)).text();
    expect(narrowed).toContain(`data-appid="${QUIET}"`);
    expect(narrowed).not.toContain(`data-appid="${APPID}"`);
    expect(narrowed).not.toContain(fpqqlsh);
    expect(narrowed).toContain('<meta http-equiv="refresh" content="5">');
    expect(await (await fetch(`${sb.url}/sandbox?refresh=0`)).text()).not.toContain('http-equiv="refresh"');
    // Looking at the console is not a WeChat call.
    const stats = (await machine(sb, 'GET', '/stats')).json.calls as Record<string, number>;
    expect(Object.keys(stats).filter((path) => path.startsWith('/sandbox'))).toEqual([]);
  });
});

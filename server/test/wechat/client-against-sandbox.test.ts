import { testDatabaseUri } from '../harness/database';
import { createMemoryTokenStore, createWeChatClient, WeChatApiError, WeChatOutcomeUnknownError, type MakeOutInvoiceInfo } from '../../src/wechat';
import { createSandbox, type Sandbox } from '../../sandbox';
import { machine, merchantApp, resultPush, sampleInvoice, startReceiver, userOf, type Receiver, merchantCodeOf } from '../../sandbox/invoice/test-kit';

const APPID = 'wx1515151515151515';

/** The merchant server's own WeChat client, unchanged, against the sandbox: the whole invoicing flow. */
describe('sandbox: the merchant WeChat client works against it unchanged', () => {
  let sb: Sandbox;
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await startReceiver(APPID);
    sb = await createSandbox({ mongodbUri: testDatabaseUri(), apps: [merchantApp(APPID, receiver.url)], settings: { invoiceIssueDelayMs: 50, workerPollMs: 30 } });
  });
  afterAll(async () => {
    await sb?.close();
    await receiver?.close();
  });

  it('onboards, gets an auth URL, reads the authorization, issues, queries, offsets', async () => {
    const app = merchantApp(APPID);
    const client = createWeChatClient({ baseUrl: sb.url, appid: APPID, secret: app.secret, tokenStore: createMemoryTokenStore(), retry: { attempts: 1 } });
    const { invoice } = client;
    const s_pappid = new URL((await invoice.setUrl()).invoice_url).searchParams.get('s_pappid') ?? '';
    await invoice.setContact({ contact: { phone: '88888888', time_out: 3600 } });
    await invoice.setAuthField({ auth_field: { user_field: { show_title: 1 }, biz_field: { show_title: 1, show_tax_no: 1, require_tax_no: 1 } } });
    expect((await invoice.getContact()).contact).toEqual({ phone: '88888888', time_out: 3600 });

    const url = await invoice.getAuthUrl({ s_pappid, order_id: 'C-1', money: 15900, timestamp: Math.floor(Date.now() / 1000), source: 'wxa', type: 1 });
    expect(url.appid).toBe('wx9db2c16d0633c2e7');
    const alice = userOf(APPID, 'alice');
    await machine(sb, 'POST', '/authorize', { auth_url: url.auth_url, openid: alice, action: 'authorize', biz_field: { title: 'ACME Ltd', tax_no: '91440300MA5FXXXX1X' } });
    expect(await invoice.getAuthData({ s_pappid, order_id: 'C-1' })).toMatchObject({
      invoice_status: 'auth success',
      user_auth_info: { biz_field: { title: 'ACME Ltd', tax_no: '91440300MA5FXXXX1X' } },
    });

    const code = await merchantCodeOf(sb, APPID);
    const info = sampleInvoice(code, { wxopenid: alice, ddh: 'C-1', fpqqlsh: `${code}C1`, ghfmc: 'ACME Ltd' }) as unknown as MakeOutInvoiceInfo;
    await invoice.makeOutInvoice(info);
    await resultPush(receiver, `${code}C1`, 100);
    const issued = await invoice.queryInvoiceInfo({ fpqqlsh: `${code}C1`, nsrsbh: info.nsrsbh });
    await invoice.clearOutInvoice({ wxopenid: alice, fpqqlsh: `${code}C1R`, nsrsbh: info.nsrsbh, nsrmc: info.nsrmc, yfpdm: issued.invoicedetail.fpdm, yfphm: issued.invoicedetail.fphm });
    await resultPush(receiver, `${code}C1R`, 100);

    // The client's error classes see the sandbox's codes: 72038 is permanent, 73107 outcome-unknown.
    await expect(invoice.getAuthData({ s_pappid, order_id: 'never' })).rejects.toMatchObject({ errcode: 72038 });
    await expect(invoice.getAuthData({ s_pappid, order_id: 'never' })).rejects.toBeInstanceOf(WeChatApiError);
    // C-1 was offset, so the order takes a new invoice; 73105 leaves its outcome unknown to the client.
    await expect(invoice.makeOutInvoice({ ...info, fpqqlsh: `${code}C2`, ghfmc: 'SANDBOX_TIMEOUT' })).rejects.toBeInstanceOf(WeChatOutcomeUnknownError);
  });
});

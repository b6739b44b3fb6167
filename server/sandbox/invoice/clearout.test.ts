import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox } from '..';
import { authorizedOrder, Caller, machine, merchantApp, resultPush, sampleInvoice, startReceiver, userOf, type Json, type Receiver, merchantCodeOf } from './test-kit';

const APPID = 'wx7777777777777777';
const NSRSBH = '110109500321654';

describe('sandbox: clearoutinvoice (offsetting a blue invoice with a red one)', () => {
  let sb: Sandbox;
  let receiver: Receiver;
  let wx: Caller;
  let s_pappid: string;
  let code: string;
  const alice = userOf(APPID, 'alice');
  const bob = userOf(APPID, 'bob');

  beforeAll(async () => {
    receiver = await startReceiver(APPID);
    sb = await createSandbox({ mongodbUri: testDatabaseUri(), apps: [merchantApp(APPID, receiver.url)], settings: { invoiceIssueDelayMs: 60, workerPollMs: 30 } });
    wx = await new Caller(sb, merchantApp(APPID)).login();
    s_pappid = await wx.onboard();
    code = await merchantCodeOf(sb, APPID);
  });
  afterAll(async () => {
    await sb?.close();
    await receiver?.close();
  });

  const query = async (suffix: string) => wx.invoice('queryinvoceinfo', { fpqqlsh: `${code}${suffix}`, nsrsbh: NSRSBH });
  /** An issued blue invoice of alice for `ddh`: its fpdm and fphm. */
  const issuedBlue = async (ddh: string, suffix: string): Promise<{ fpdm: string; fphm: string }> => {
    await authorizedOrder(wx, s_pappid, ddh, alice);
    const sent = await wx.invoice('makeoutinvoice', { invoiceinfo: sampleInvoice(code, { wxopenid: alice, ddh, fpqqlsh: `${code}${suffix}` }) });
    if (sent.errcode !== 0) throw new Error(JSON.stringify(sent));
    await resultPush(receiver, `${code}${suffix}`, 100);
    const { fpdm, fphm } = (await query(suffix)).invoicedetail as { fpdm: string; fphm: string };
    return { fpdm, fphm };
  };
  const clearOut = (suffix: string, blue: { fpdm: string; fphm: string }, extra: Json = {}) =>
    wx.invoice('clearoutinvoice', {
      invoiceinfo: { wxopenid: alice, fpqqlsh: `${code}${suffix}`, nsrsbh: NSRSBH, nsrmc: 'Baiwang electronic test1', yfpdm: blue.fpdm, yfphm: blue.fphm, ...extra },
    });

  it('issues a red invoice of its own, asynchronously, and marks the blue one offset', async () => {
    const blue = await issuedBlue('R-100', 'B100');
    expect(await clearOut('R100', blue)).toEqual({ errcode: 0, errmsg: 'sucesss' });
    const push = await resultPush(receiver, `${code}R100`, 100);
    expect(push.message).toMatchObject({ fromUserName: alice, nsrsbh: NSRSBH });

    const red = await query('R100');
    expect(red).toMatchObject({ errcode: 0, invoicedetail: { fpqqlsh: `${code}R100`, fphm: expect.stringMatching(/^\d{8}$/) } });
    expect((red.invoicedetail as Json).fphm).not.toBe(blue.fphm);

    const invoices = (await machine(sb, 'GET', '/invoices?ddh=R-100')).json.invoices as Json[];
    expect(invoices).toEqual([
      expect.objectContaining({ kind: 'blue', offset: true, offsetBy: `${code}R100`, fphm: blue.fphm }),
      expect.objectContaining({ kind: 'red', status: 'issued', jshj: '-159', hjje: '-135.9', hjse: '-23.1', offsets: { fpqqlsh: `${code}B100`, ...blue } }),
    ]);

    // Sent again: idempotent. A second offset of the same blue invoice: 72024.
    expect(await clearOut('R100', blue)).toEqual({ errcode: 0, errmsg: 'sucesss' });
    expect(await clearOut('R101', blue)).toMatchObject({ errcode: 72024, errmsg: expect.stringMatching(/^invoice status error/) });
    // Offset, the order is free for a corrected blue invoice under a new fpqqlsh.
    expect(await wx.invoice('makeoutinvoice', { invoiceinfo: sampleInvoice(code, { wxopenid: alice, ddh: 'R-100', fpqqlsh: `${code}B101`, ghfmc: 'Corrected' }) })).toMatchObject({ errcode: 0 });
    // The red invoice's fpqqlsh is not free for a blue one.
    expect(await wx.invoice('makeoutinvoice', { invoiceinfo: sampleInvoice(code, { wxopenid: alice, ddh: 'R-100', fpqqlsh: `${code}R100` }) })).toMatchObject({ errcode: 73106 });
  });

  it('refuses what does not identify an issued blue invoice of this user and seller', async () => {
    const blue = await issuedBlue('R-200', 'B200');
    expect(await clearOut('R200', { fpdm: '1234', fphm: blue.fphm })).toMatchObject({ errcode: 72043 });
    expect(await clearOut('R200', { fpdm: blue.fpdm, fphm: '99999999' })).toMatchObject({ errcode: 72043 });
    expect(await clearOut('R200', blue, { wxopenid: bob })).toMatchObject({ errcode: 72037 });
    expect(await clearOut('R200', blue, { nsrsbh: '110109500321655' })).toMatchObject({ errcode: 73101 });
    expect(await clearOut('R200', blue, { fpqqlsh: 'ZZZZZZ1' })).toMatchObject({ errcode: 73110 });
    expect(await clearOut('R200', blue, { yfpdm: '' })).toMatchObject({ errcode: 72031 });
    expect(await clearOut('R200', blue, { nsrmc: '' })).toMatchObject({ errcode: 73007 });
    expect(await clearOut('R200', blue, { wxopenid: '' })).toMatchObject({ errcode: 73001 });
    expect(await clearOut('B200', blue)).toMatchObject({ errcode: 73106 });
  });

  it('a red invoice that fails frees the blue one for another offset', async () => {
    const blue = await issuedBlue('R-300', 'B300');
    expect(await clearOut('R300', blue, { nsrmc: 'SANDBOX_FAIL' })).toMatchObject({ errcode: 0 });
    await resultPush(receiver, `${code}R300`, 2);
    expect(await query('R300')).toMatchObject({ errcode: 73000 });
    expect(await clearOut('R301', blue)).toMatchObject({ errcode: 0 });
    await resultPush(receiver, `${code}R301`, 100);
    expect((await machine(sb, 'GET', `/invoices?fpqqlsh=${code}B300`)).json.invoices).toEqual([expect.objectContaining({ offset: true, offsetBy: `${code}R301` })]);
  });
});

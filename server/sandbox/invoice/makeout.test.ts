import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, type Sandbox } from '..';
import { authorizedOrder, Caller, machine, merchantApp, resultPush, sampleInvoice, startReceiver, userOf, type Json, type Receiver, merchantCodeOf } from './test-kit';

const APPID = 'wx6666666666666666';
/** The issuing delay: a minute, which never passes in real time here; the tests move the sandbox's clock past it. */
const DELAY_MS = 60_000;

describe('sandbox: makeoutinvoice and queryinvoceinfo', () => {
  let sb: Sandbox;
  let receiver: Receiver;
  let wx: Caller;
  let s_pappid: string;
  let code: string;
  const alice = userOf(APPID, 'alice');
  const bob = userOf(APPID, 'bob');

  beforeAll(async () => {
    receiver = await startReceiver(APPID);
    sb = await createSandbox({
      mongodbUri: testDatabaseUri(),
      apps: [merchantApp(APPID, receiver.url)],
      settings: { invoiceIssueDelayMs: DELAY_MS, workerPollMs: 30 },
    });
    wx = await new Caller(sb, merchantApp(APPID)).login();
    s_pappid = await wx.onboard();
    code = await merchantCodeOf(sb, APPID);
  });
  afterAll(async () => {
    await sb?.close();
    await receiver?.close();
  });

  /** An invoice for `ddh`, by alice unless said otherwise; fpqqlsh = merchant code + suffix. */
  const invoice = (ddh: string, suffix: string, overrides: Json = {}) =>
    sampleInvoice(code, { wxopenid: alice, ddh, fpqqlsh: `${code}${suffix}`, ...overrides });
  const makeOut = (info: unknown) => wx.invoice('makeoutinvoice', { invoiceinfo: info });
  const query = (fpqqlsh: string, nsrsbh = '110109500321654') => wx.invoice('queryinvoceinfo', { fpqqlsh, nsrsbh });
  /** The platform's issuing delay passes. */
  const issuingDelayPasses = () => sb.clock.advance(DELAY_MS);

  it('checks every field with the code of the error table (on an order nobody authorized: 72038 once all pass)', async () => {
    const blank: [string, number][] = [
      ['wxopenid', 73001],
      ['ddh', 73002],
      ['fpqqlsh', 73003],
      ['nsrsbh', 73016],
      ['nsrmc', 73007],
      ['nsrdz', 73008],
      ['nsrdh', 73009],
      ['ghfmc', 73010],
      ['kpr', 73011],
      ['jshj', 73012],
      ['hjje', 73013],
      ['hjse', 73014],
      ['hylx', 73015],
      ['nsrbank', 72031],
      ['nsrbankid', 72031],
    ];
    for (const [field, errcode] of blank) {
      expect({ field, answer: await makeOut(invoice('nobody', 'F0001', { [field]: '' })) }).toMatchObject({ field, answer: { errcode } });
    }
    expect(await makeOut(invoice('nobody', 'F0001', { wxopenid: 'not-an-openid' }))).toMatchObject({ errcode: 73001 });
    expect(await makeOut(invoice('nobody', 'F0001', { kpr: undefined }))).toMatchObject({ errcode: 73011 });
    expect(await makeOut(invoice('nobody', 'F0001', { jshj: 159 }))).toMatchObject({ errcode: 72031 });
    expect(await makeOut(invoice('nobody', 'F0001', { hylx: '2' }))).toMatchObject({ errcode: 72031 });
    expect(await makeOut(invoice('nobody', 'F0001', { invoicedetail_list: '[]' }))).toEqual({ errcode: 1, errmsg: '' });
    expect(await makeOut(invoice('nobody', 'F0001', { invoicedetail_list: [] }))).toMatchObject({ errcode: 72031 });
    expect(await makeOut(invoice('nobody', `F${'0'.repeat(14)}`))).toMatchObject({ errcode: 72031 });
    expect(await wx.invoice('makeoutinvoice', invoice('nobody', 'F0001'))).toMatchObject({ errcode: 72031 });
    expect(await makeOut(invoice('nobody', 'F0001', { hylx: undefined }))).toMatchObject({ errcode: 72038 });
    expect(await makeOut(invoice('nobody', 'F0001'))).toMatchObject({ errcode: 72038, errmsg: expect.stringMatching(/^invoice order never auth/) });
  });

  it('checks that the money adds up, in WeChat\'s decimal strings (72031)', async () => {
    const line = (sampleInvoice(code).invoicedetail_list as Json[])[0] as Json;
    const withLine = (changes: Json, totals: Json = {}) => invoice('nobody', 'M0001', { ...totals, invoicedetail_list: [{ ...line, ...changes }] });
    const wrong: [string, Json][] = [
      ['jshj is not hjje + hjse', invoice('nobody', 'M0001', { jshj: '159.01' })],
      ['hjje is not the sum of xmje', withLine({ xmje: '135.8', xmdj: '135.8', se: '23.09' }, { hjje: '135.9', hjse: '23.09', jshj: '158.99' })],
      ['se is not xmje × sl', withLine({ se: '23.2' }, { hjse: '23.2', jshj: '159.1' })],
      ['xmsl × xmdj is not xmje', withLine({ xmdj: '130' })],
      ['three decimals', invoice('nobody', 'M0001', { jshj: '159.000', hjje: '135.900' })],
      ['rate 17%', withLine({ sl: '17%' })],
      ['spbm of 18 digits', withLine({ spbm: '109041801000000000' })],
      ['a discount line alone', withLine({ fphxz: '1' })],
    ];
    for (const [why, info] of wrong) expect({ why, answer: await makeOut(info) }).toMatchObject({ why, answer: { errcode: 72031 } });

    // A discounted line with its discount, tax split per line: passes the money checks.
    const pair = invoice('nobody', 'M0001', {
      jshj: '90.00',
      hjje: '79.65',
      hjse: '10.35',
      invoicedetail_list: [
        { fphxz: '2', spbm: '1090418010000000000', xmmc: 'Kettle', xmsl: '2', xmdj: '44.25', xmje: '88.50', sl: '0.13', se: '11.50' },
        { fphxz: '1', spbm: '1090418010000000000', xmmc: 'Kettle', xmsl: '', xmdj: '', xmje: '-8.85', sl: '0.13', se: '-1.15' },
      ],
    });
    expect(await makeOut(pair)).toMatchObject({ errcode: 72038 });
  });

  it('needs the merchant code as fpqqlsh prefix (73110) and an order wxopenid authorized (72038)', async () => {
    await authorizedOrder(wx, s_pappid, 'A-100', alice);
    expect(await makeOut(invoice('A-100', 'X1', { fpqqlsh: `ZZZZZZ${Date.now()}` }))).toMatchObject({ errcode: 73110, errmsg: expect.stringMatching(/^fpqqlsh first 6 byte not cmp/) });
    expect(await makeOut(invoice('A-100', 'X1', { wxopenid: bob }))).toMatchObject({ errcode: 72038 });
  });

  it('issues asynchronously: 0 "sucesss", then the result push, then queryinvoceinfo has the numbers and a PDF', async () => {
    await authorizedOrder(wx, s_pappid, 'A-200', alice);
    expect(await makeOut(invoice('A-200', 'B200'))).toEqual({ errcode: 0, errmsg: 'sucesss' });
    // Before the delay has passed it is processing, and nothing is pushed.
    expect(await query(`${code}B200`)).toMatchObject({ errcode: 73107 });
    expect(receiver.pushes.filter((p) => p.message.kind === 'cloud_invoice_invoiceresult_event')).toEqual([]);

    issuingDelayPasses();
    const push = await resultPush(receiver, `${code}B200`);
    expect(push.message).toEqual({
      kind: 'cloud_invoice_invoiceresult_event',
      toUserName: merchantApp(APPID).originalId,
      fromUserName: alice,
      createTime: expect.any(Number),
      fpqqlsh: `${code}B200`,
      nsrsbh: '110109500321654',
      status: 100,
    });

    const answer = await query(`${code}B200`);
    expect(answer).toEqual({
      errcode: 0,
      errmsg: 'Invoice data obtained successfully',
      invoicedetail: {
        fpqqlsh: `${code}B200`,
        fpdm: expect.stringMatching(/^0\d{11}$/),
        fphm: expect.stringMatching(/^\d{8}$/),
        jym: expect.stringMatching(/^\d{20}$/),
        kprq: expect.stringMatching(/^20\d{12}$/),
        pdfurl: expect.stringMatching(new RegExp(`^${sb.url}/sandbox/pdf/[0-9a-f]{32}\\.pdf$`)),
      },
    });
    const detail = answer.invoicedetail as Record<string, string>;
    expect(detail.fpdm?.slice(1, 5)).toBe('1101'); // the region of the seller's taxpayer ID

    const pdf = await fetch(String(detail.pdfurl));
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = Buffer.from(await pdf.arrayBuffer()).toString('latin1');
    expect(text.startsWith('%PDF-1.4')).toBe(true);
    for (const value of [detail.fpdm, detail.fphm, '135.9', '23.1']) expect(text).toContain(`(${String(value)})`);

    const listed = await machine(sb, 'GET', `/invoices?ddh=A-200`);
    const [issued] = listed.json.invoices as Json[];
    expect(issued).toMatchObject({ kind: 'blue', status: 'issued', result: 100, fpdm: detail.fpdm, fphm: detail.fphm, pdfurl: detail.pdfurl });
    expect(new Date(String(issued?.issuedAt)).getTime() - new Date(String(issued?.createdAt)).getTime()).toBeGreaterThanOrEqual(DELAY_MS);
  });

  it('the same fpqqlsh again is idempotent; another fpqqlsh for the order 73108; the fpqqlsh for another order 73106', async () => {
    await authorizedOrder(wx, s_pappid, 'A-300', alice);
    expect(await makeOut(invoice('A-300', 'C300'))).toMatchObject({ errcode: 0 });
    issuingDelayPasses();
    await resultPush(receiver, `${code}C300`, 100);
    const before = await query(`${code}C300`);
    expect(await makeOut(invoice('A-300', 'C300'))).toEqual({ errcode: 0, errmsg: 'sucesss' });
    expect(await query(`${code}C300`)).toEqual(before);
    expect((await machine(sb, 'GET', '/invoices?ddh=A-300')).json.invoices).toHaveLength(1);

    expect(await makeOut(invoice('A-300', 'C301'))).toMatchObject({ errcode: 73108, errmsg: expect.stringMatching(/^This ddh with other fpqqlsh already exist/) });
    await authorizedOrder(wx, s_pappid, 'A-301', alice);
    expect(await makeOut(invoice('A-301', 'C300'))).toMatchObject({ errcode: 73106 });
  });

  it('queryinvoceinfo: 73003/73016 when empty, 72031 for an unknown fpqqlsh, 73101 for another seller', async () => {
    expect(await wx.invoice('queryinvoceinfo', { nsrsbh: '110109500321654' })).toMatchObject({ errcode: 73003 });
    expect(await wx.invoice('queryinvoceinfo', { fpqqlsh: `${code}C300` })).toMatchObject({ errcode: 73016 });
    expect(await query(`${code}NOPE`)).toMatchObject({ errcode: 72031 });
    expect(await query(`${code}C300`, '110109500321655')).toMatchObject({ errcode: 73101 });
  });

  it('the seller is pinned by the first invoice: another nsrsbh is 73101', async () => {
    await authorizedOrder(wx, s_pappid, 'A-400', alice);
    expect(await makeOut(invoice('A-400', 'D400', { nsrsbh: '91440300MA5FXXXX1X' }))).toMatchObject({ errcode: 73101 });
    expect((await machine(sb, 'GET', `/merchant?appid=${APPID}`)).json.nsrsbh).toBe('110109500321654');
  });

  it('a SANDBOX_FAIL buyer fails (push status 2, query 73000); the same fpqqlsh fixed and sent again is issued', async () => {
    await authorizedOrder(wx, s_pappid, 'A-500', alice);
    expect(await makeOut(invoice('A-500', 'E500', { ghfmc: 'SANDBOX_FAIL Ltd' }))).toMatchObject({ errcode: 0 });
    issuingDelayPasses();
    await resultPush(receiver, `${code}E500`, 2);
    expect(await query(`${code}E500`)).toMatchObject({ errcode: 73000 });
    expect(await makeOut(invoice('A-500', 'E501'))).toMatchObject({ errcode: 73108 });
    expect(await makeOut(invoice('A-500', 'E500', { ghfmc: 'Fixed Ltd' }))).toMatchObject({ errcode: 0 });
    issuingDelayPasses();
    await resultPush(receiver, `${code}E500`, 100);
    expect(await query(`${code}E500`)).toMatchObject({ errcode: 0 });
    expect((await machine(sb, 'GET', '/invoices?ddh=A-500')).json.invoices).toEqual([expect.objectContaining({ round: 2, ghfmc: 'Fixed Ltd', status: 'issued' })]);
  });

  it('a SANDBOX_TIMEOUT buyer is answered 73105 but issued all the same', async () => {
    await authorizedOrder(wx, s_pappid, 'A-600', alice);
    expect(await makeOut(invoice('A-600', 'G600', { ghfmc: 'SANDBOX_TIMEOUT Ltd' }))).toMatchObject({ errcode: 73105 });
    issuingDelayPasses();
    await resultPush(receiver, `${code}G600`, 100);
    expect(await makeOut(invoice('A-600', 'G600', { ghfmc: 'SANDBOX_TIMEOUT Ltd' }))).toEqual({ errcode: 0, errmsg: 'sucesss' });
  });

  it('a rejected order cannot be invoiced (72035)', async () => {
    await authorizedOrder(wx, s_pappid, 'A-700', alice);
    expect(await wx.invoice('rejectinsert', { s_pappid, order_id: 'A-700', reason: 'wrong title' })).toMatchObject({ errcode: 0 });
    expect(await makeOut(invoice('A-700', 'H700'))).toMatchObject({ errcode: 72035 });
  });

  it('an order with an issued invoice cannot be rejected (72024)', async () => {
    expect(await wx.invoice('rejectinsert', { s_pappid, order_id: 'A-200', reason: 'refund' })).toMatchObject({ errcode: 72024 });
  });
});

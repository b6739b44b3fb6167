import { testDatabaseUri } from '../../test/harness/database';
import { createSandbox, sandboxClock, type Sandbox } from '..';
import { eventually } from '../../test/support/eventually';
import { authorizedOrder, Caller, machine, merchantApp, resultPush, sampleInvoice, startReceiver, userOf, type Json, type Receiver, merchantCodeOf } from './test-kit';

const APPID = 'wx1414141414141414';

describe('sandbox: a restart loses nothing', () => {
  let first: Sandbox | undefined;
  let second: Sandbox | undefined;
  let receiver: Receiver;
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await receiver?.close();
  });

  it('an invoice still processing and a push still in flight are finished by the next sandbox on the database', async () => {
    const mongodbUri = testDatabaseUri();
    receiver = await startReceiver(APPID);
    const apps = [merchantApp(APPID, receiver.url)];
    // An issuing delay of a minute: the invoice is certainly still processing when the first one stops.
    first = await createSandbox({ mongodbUri, apps, settings: { invoiceIssueDelayMs: 60_000, pushTimeoutMs: 5000, workerPollMs: 30 } });
    const wx = await new Caller(first, merchantApp(APPID)).login();
    const s_pappid = await wx.onboard();
    const code = await merchantCodeOf(first, APPID);
    const alice = userOf(APPID, 'alice');

    receiver.answer({ delayMs: 3000 }); // slow but inside the timeout: the push is in flight when the sandbox stops
    await authorizedOrder(wx, s_pappid, 'S-1', alice);
    const info = { invoiceinfo: sampleInvoice(code, { wxopenid: alice, ddh: 'S-1', fpqqlsh: `${code}S1` }) };
    expect(await wx.invoice('makeoutinvoice', info)).toEqual({ errcode: 0, errmsg: 'sucesss' });
    const query = { fpqqlsh: `${code}S1`, nsrsbh: '110109500321654' };
    expect(await wx.invoice('queryinvoceinfo', query)).toMatchObject({ errcode: 73107, errmsg: expect.stringMatching(/^Fpqqlsh is processing/) });
    expect(await wx.invoice('makeoutinvoice', info)).toMatchObject({ errcode: 73107 });
    await eventually(() => receiver.requests.length >= 1, 'the authorization push to be in flight', 5000);
    await first.close();
    first = undefined;

    receiver.answer({ body: 'success' });
    // The next sandbox comes up after the delay has passed.
    second = await createSandbox({ mongodbUri, apps, settings: { workerPollMs: 30 }, clock: sandboxClock(60_000) });
    const again = new Caller(second, merchantApp(APPID));
    again.token = wx.token; // tokens live in the database too

    await resultPush(receiver, `${code}S1`, 100);
    expect(await again.invoice('queryinvoceinfo', query)).toMatchObject({ errcode: 0, invoicedetail: { fpqqlsh: `${code}S1` } });
    expect((await machine(second, 'GET', '/invoices?ddh=S-1')).json.invoices).toHaveLength(1);

    const sb = second;
    const auth = await eventually(async () => {
      const found = (await machine(sb, 'GET', '/pushes?order_id=S-1&event=user_authorize_invoice')).json as { deliveries: Json[]; attempts: Json[] };
      return found.deliveries[0]?.status === 'delivered' ? found : undefined;
    });
    // The attempt the first sandbox abandoned is not counted; the second one delivered it.
    expect(auth.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered' })]);
    expect(receiver.pushes.filter((p) => p.message.kind === 'user_authorize_invoice')).toHaveLength(2);
  });
});

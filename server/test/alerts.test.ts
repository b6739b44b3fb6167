/**
 * Alerts against a real local HTTP receiver: one per incident however often it is raised,
 * retried with back-off while the receiver fails, recorded for ops; generic JSON and the WeCom
 * group-robot format; raised by reconcile mismatches and by WeChat errors over the threshold.
 */
import { startDelivery, type RunningDelivery } from '../src/notify/delivery';
import { startTestApp, type TestApp } from './support/app';
import { eventually } from './support/eventually';
import { orderFor, startLifecycleEnv, type LifecycleEnv } from './support/lifecycle-env';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver';

interface AlertView {
  id: string;
  status: string;
  attempts: number;
  log: { outcome: string }[];
  payload: Record<string, string>;
}

describe('alerts in generic JSON, from a running server', () => {
  let receiver: WebhookReceiver;
  let env: LifecycleEnv;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    // The scale makes the alert outbox's first retry 20 ms instead of 2 s.
    env = await startLifecycleEnv({ serverEnv: { ALERT_WEBHOOK_URL: `${receiver.url}/hooks/fapiao`, WORKER_TIME_SCALE: '0.01' }, deliver: true });
  });
  afterAll(async () => {
    await env?.close();
    await receiver?.close();
  });

  const alertsFor = async (kind: string) =>
    ((await env.admin('GET', '/outbox/alerts?limit=500')).json.alerts as AlertView[]).filter((a) => a.payload.kind === kind);
  const delivered = (incident: string) => receiver.received.filter((r) => r.body.incident === incident && r.status === 200);

  it('a request needing attention is alerted once, retried while the receiver fails, and recorded', async () => {
    receiver.answerNext([
      { status: 500, body: 'oops' },
      { status: 503, body: 'later' },
    ]);
    await env.app.container.alerts.needsAttention({ requestId: 'req-attention-1', orderNo: 'ORDER-A1', reason: 'outcome unknown for 2 hours' });
    await env.app.container.alerts.needsAttention({ requestId: 'req-attention-1', orderNo: 'ORDER-A1', reason: 'still unknown' });
    const [alert] = await eventually(async () => {
      const found = await alertsFor('needs_attention');
      return found.length === 1 && found[0]?.status === 'sent' ? found : undefined;
    }, 'the alert to be delivered', 15_000);
    expect(alert).toMatchObject({ id: 'needs_attention:req-attention-1', attempts: 3, payload: { orderNo: 'ORDER-A1', requestId: 'req-attention-1' } });
    expect(alert?.log.map((entry) => entry.outcome)).toEqual(['retry', 'retry', 'sent']);
    const hits = receiver.received.filter((r) => r.body.incident === 'needs_attention:req-attention-1');
    expect(hits.map((h) => h.status)).toEqual([500, 503, 200]);
    expect(hits[2]).toMatchObject({
      path: '/hooks/fapiao',
      body: { kind: 'needs_attention', orderNo: 'ORDER-A1', text: 'outcome unknown for 2 hours', title: expect.stringContaining('ORDER-A1') },
    });
    expect(hits[2]?.headers['content-type']).toBe('application/json');
  });

  it('a request the lifecycle flags for a human (issuing failed) raises its alert, and the gauge counts it', async () => {
    const buyer = await env.login('flagged');
    const orderNo = `AF${Date.now().toString(36)}`;
    expect((await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo))).status).toBe(201);
    const requested = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type: 1 });
    // The sandbox's invoicing platform fails an invoice whose title starts with SANDBOX_FAIL.
    await env.sandboxApi('POST', '/authorize', { auth_url: (requested.json as { authUrl: string }).authUrl, openid: buyer.openid, action: 'authorize', user_field: { title: 'SANDBOX_FAIL 周九' } });
    const hook = await eventually(async () => receiver.received.find((r) => r.status === 200 && r.body.kind === 'needs_attention' && r.body.orderNo === orderNo), 'the attention alert', 30_000);
    const id = String(((await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string }[])[0]?.id);
    expect(hook.body).toMatchObject({ requestId: id, text: expect.stringContaining('ISSUE_FAILED') });
    expect(String(hook.body.incident)).toMatch(new RegExp(`^needs_attention:${id}:\\d+$`));
    const gauge = await env.app.container.metrics.registry.getSingleMetricAsString('fapiao_invoice_requests_needing_attention');
    expect(Number(/needing_attention (\d+)/.exec(gauge)?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('reconcile finding a mismatch raises one alert for the request, however often ops reconcile', async () => {
    const buyer = await env.login('alerts');
    const orderNo = `AL${Date.now().toString(36)}`;
    expect((await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo))).status).toBe(201);
    const requested = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type: 1 });
    await env.sandboxApi('POST', '/authorize', { auth_url: (requested.json as { authUrl: string }).authUrl, openid: buyer.openid, action: 'authorize', user_field: { title: '钱七' } });
    await eventually(async () => (await env.mp(buyer.token, 'GET', `/orders/${orderNo}/invoice`)).json.status === 'ISSUED', 'ISSUED', 20_000);
    const id = String(((await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string }[])[0]?.id);
    // Our record of the invoice number is corrupted: WeChat has another one.
    await env.app.container.db.model('InvoiceRequest').updateOne({ _id: id }, { $set: { 'invoice.fphm': '00000000' } });
    for (let i = 0; i < 2; i += 1) {
      const reconciled = await env.admin('POST', `/invoices/${id}/reconcile`);
      expect(reconciled.json).toMatchObject({ verdict: 'mismatch' });
    }
    const incident = `reconcile_mismatch:${id}:ISSUED`;
    await eventually(async () => delivered(incident).length === 1, 'the mismatch alert', 15_000);
    expect(delivered(incident)[0]?.body).toMatchObject({ kind: 'reconcile_mismatch', orderNo, requestId: id, text: expect.stringContaining('00000000') });
    expect((await alertsFor('reconcile_mismatch')).filter((a) => a.id === incident)).toHaveLength(1);
  });

  it('the alert list is for admins only', async () => {
    const res = await fetch(`${env.app.url}/api/admin/outbox/alerts`);
    expect(res.status).toBe(401);
  });
});

describe('alerts in the WeCom group-robot format', () => {
  let receiver: WebhookReceiver;
  let app: TestApp;
  let delivery: RunningDelivery;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    app = await startTestApp({
      env: {
        ALERT_WEBHOOK_URL: `${receiver.url}/cgi-bin/webhook/send?key=robot-key`,
        ALERT_WEBHOOK_FORMAT: 'wecom',
        ALERT_WECHAT_ERRORS: '3',
        ALERT_WECHAT_WINDOW_S: '600',
        WORKER_TIME_SCALE: '0.01',
        // Nothing listens here: every exchange with "WeChat" fails.
        WECHAT_API_BASE: 'http://127.0.0.1:9',
        WECHAT_TIMEOUT_MS: '1000',
      },
    });
    delivery = startDelivery(app.container.outboxes[0]!, { idleMs: 30, leaseMs: 5_000, log: app.container.logger });
  });
  afterAll(async () => {
    await delivery?.stop();
    await app?.close();
    await receiver?.close();
  });

  it('sends a markdown message, and retries while the robot answers a non-zero errcode', async () => {
    receiver.answerNext([{ status: 200, body: '{"errcode":45009,"errmsg":"api freq out of limit"}' }]);
    await app.container.alerts.needsAttention({ requestId: 'req-wecom-1', orderNo: 'ORDER-W1', reason: '开票失败，需要人工处理' });
    await eventually(async () => receiver.received.filter((r) => r.status === 200).length >= 2, 'the second attempt', 15_000);
    const [first, second] = receiver.received;
    expect(first?.path).toBe('/cgi-bin/webhook/send?key=robot-key');
    expect(second?.body).toEqual(first?.body);
    expect(second?.body).toMatchObject({ msgtype: 'markdown', markdown: { content: expect.stringContaining('ORDER-W1') } });
    expect(String((second?.body.markdown as { content: string }).content)).toContain('开票失败，需要人工处理');
    // The robot has answered; the outbox records the delivery just after.
    const stored = await eventually(async () => {
      const message = await app.container.repositories.alertOutbox.findById('needs_attention:req-wecom-1');
      return message?.status === 'sent' ? message : undefined;
    }, 'the delivery to be recorded', 10_000);
    expect(stored).toMatchObject({ status: 'sent', attempts: 2 });
    expect(stored?.log[0]).toMatchObject({ outcome: 'retry', detail: 'WeCom robot answered errcode 45009' });
  });

  it('WeChat failing for an endpoint: one alert once the threshold is reached within the window', async () => {
    // Each call is three exchanges with WeChat (the client retries), each one failing.
    for (let i = 0; i < 3; i += 1) await expect(app.container.wechat.invoice.getAuthData({ s_pappid: 'x', order_id: `o${i}` })).rejects.toThrow();
    const alerts = await eventually(async () => {
      const found = receiver.received.filter((r) => String((r.body.markdown as { content?: string } | undefined)?.content ?? '').includes('wechat_errors'));
      return found.length ? found : undefined;
    }, 'the WeChat error alert', 15_000);
    expect(alerts).toHaveLength(1);
    expect(String((alerts[0]?.body.markdown as { content: string }).content)).toContain('cgi-bin/stable_token');
    const stored = (await app.container.repositories.alertOutbox.list({}, 50)).filter((a) => a._id.startsWith('wechat_errors:'));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'sent', payload: { endpoint: 'cgi-bin/stable_token' } });
  });
});

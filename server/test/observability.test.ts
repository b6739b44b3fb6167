/**
 * What ops can follow in production: /metrics scraped during a flow (the counters move as the flow
 * does; an unauthenticated scrape is refused), and log lines carrying the invoice request id and
 * order number, and the HTTP request id that is also returned in X-Request-Id.
 */
import fs from 'node:fs';
import path from 'node:path';
import { eventually } from './support/eventually';
import { orderFor, startLifecycleEnv, type LifecycleEnv } from './support/lifecycle-env';
import { repoRoot } from './support/process';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

let env: LifecycleEnv;
beforeAll(async () => {
  env = await startLifecycleEnv({ serverEnv: { METRICS_TOKEN } });
});
afterAll(async () => env?.close());

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(`${env.app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const series = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    series.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return series;
}

const value = (series: Map<string, number>, name: string) => series.get(name) ?? 0;

function logLines(): Record<string, unknown>[] {
  return env.app.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('/metrics', () => {
  it('refuses a scrape without the metrics token, or with an admin key', async () => {
    const none = await fetch(`${env.app.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const wrong = await fetch(`${env.app.url}/metrics`, { headers: { authorization: 'Bearer key-lifecycle-admin-0123456789' } });
    expect(wrong.status).toBe(401);
  });

  it('moves with a flow: transitions, pushes, WeChat calls by errcode, claim lag, requests by state', async () => {
    const before = await scrape();
    const buyer = await env.login('metrics');
    const orderNo = `M${Date.now().toString(36)}`;
    expect((await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo))).status).toBe(201);
    const requested = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type: 1 });
    expect(requested.status).toBe(200);
    // getauthdata answers "busy" for a while: the failures show under their errcode, and the
    // WeChat client's retry lines are logged inside the worker's step for this request.
    await env.sandboxApi('PUT', '/faults', { endpoints: { '/card/invoice/getauthdata': { errorRate: 1, errcode: -1 } } });
    await env.sandboxApi('POST', '/authorize', { auth_url: (requested.json as { authUrl: string }).authUrl, openid: buyer.openid, action: 'authorize', user_field: { title: '赵六' } });
    await eventually(async () => logLines().some((l) => l.msg === 'WeChat call failed transiently; retrying' && l.orderNo === orderNo), 'a retried getauthdata', 20_000);
    await env.sandboxApi('DELETE', '/faults');
    await eventually(async () => (await env.mp(buyer.token, 'GET', `/orders/${orderNo}/invoice`)).json.status === 'ISSUED', 'ISSUED', 20_000);

    // The sandbox's result push may come after the worker's query already found the invoice.
    const stored = 'fapiao_pushes_total{outcome="stored"}';
    const after = await eventually(async () => {
      const now = await scrape();
      return value(now, stored) - value(before, stored) >= 2 ? now : undefined;
    }, 'the authorization and invoice-result pushes', 15_000);
    const moved = (name: string) => value(after, name) - value(before, name);
    expect(moved('fapiao_invoice_transitions_total{from="AUTH_PENDING",to="AUTHORIZED",event="authorized"}')).toBeGreaterThanOrEqual(1);
    expect(moved('fapiao_invoice_transitions_total{from="AUTHORIZED",to="ISSUING",event="issue_started"}')).toBeGreaterThanOrEqual(1);
    expect(moved('fapiao_invoice_transitions_total{from="ISSUING",to="ISSUED",event="issued"}')).toBeGreaterThanOrEqual(1);
    expect(moved('fapiao_pushes_total{outcome="stored"}')).toBeGreaterThanOrEqual(2); // authorization and invoice result
    expect(moved('fapiao_push_ack_seconds_count{outcome="stored"}')).toBe(moved('fapiao_pushes_total{outcome="stored"}'));
    expect(moved('fapiao_wechat_calls_total{endpoint="card/invoice/getauthdata",errcode="-1"}')).toBeGreaterThanOrEqual(1);
    expect(moved('fapiao_wechat_calls_total{endpoint="card/invoice/makeoutinvoice",errcode="0"}')).toBeGreaterThanOrEqual(1);
    expect(moved('fapiao_wechat_calls_total{endpoint="card/invoice/getauthurl",errcode="0"}')).toBeGreaterThanOrEqual(1);
    expect(moved('fapiao_worker_claim_lag_seconds_count')).toBeGreaterThanOrEqual(2);
    expect(value(after, 'fapiao_invoice_requests{state="ISSUED"}')).toBe(value(before, 'fapiao_invoice_requests{state="ISSUED"}') + 1);
    expect(after.has('fapiao_invoice_requests_needing_attention')).toBe(true);
    expect(after.has('fapiao_outbox_backlog{outbox="email"}')).toBe(true);
    // The first access_token was fetched while the merchant was set up, before this test.
    expect(after.has('fapiao_wechat_credential_refreshes_total{kind="access_token"}')).toBe(true);

    // Every log line about this request names it and its order, the WeChat client's included.
    const requestId = String(((await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string }[])[0]?.id);
    const lines = logLines().filter((l) => l.requestId === requestId || l.orderNo === orderNo);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ requestId, orderNo });
    expect(lines.some((l) => l.endpoint === 'card/invoice/getauthdata')).toBe(true);
  });
});

describe('docs/grafana-dashboard.json', () => {
  it('is a dashboard whose every query names a metric the server exports', async () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(repoRoot, 'docs', 'grafana-dashboard.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const res = await fetch(`${env.app.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    const exported = new Set([...(await res.text()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/fapiao_[a-z_]+/g)].map((m) => m[0])));
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(exported).toContain(name.replace(/_(bucket|count|sum)$/, ''));
  });
});

describe('HTTP request ids', () => {
  it('every HTTP log line has a request id, returned in X-Request-Id; a sane incoming one is kept', async () => {
    const res = await fetch(`${env.app.url}/healthz`);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await fetch(`${env.app.url}/api/mp/orders`, { headers: { 'x-request-id': 'lb-trace-0001' } });
    expect(kept.status).toBe(401);
    expect(kept.headers.get('x-request-id')).toBe('lb-trace-0001');
    const replaced = await fetch(`${env.app.url}/healthz`, { headers: { 'x-request-id': 'has spaces and {json}' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('has spaces and {json}');

    const http = await eventually(async () => {
      const found = logLines().filter((l) => l.msg === 'http');
      return found.some((l) => l.reqId === 'lb-trace-0001') && found.some((l) => l.reqId === id) ? found : undefined;
    }, 'the HTTP log lines', 5_000);
    for (const line of http) expect(line).toEqual(expect.objectContaining({ reqId: expect.any(String), method: expect.any(String), status: expect.any(Number) }));
    expect(http.find((l) => l.reqId === 'lb-trace-0001')).toMatchObject({ method: 'GET', path: '/api/mp/orders', status: 401 });
  });
});

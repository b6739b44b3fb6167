/**
 * A request handed to a human and back, end to end: WeChat refuses to issue (no invoicing package:
 * 72015), the request is flagged with the reason and WeChat's answers, ops find it in the admin API
 * and with `ops invoices list --attention` (and reconcile counts it), fix the cause and retry
 * through the CLI; another is settled by hand with a note. Every action is audited.
 */
import { runCli } from '../../scripts/ops/program';
import { eventually } from './support/eventually';
import { ADMIN_KEY, orderFor, startLifecycleEnv, type LifecycleEnv } from './support/lifecycle-env';

type Json = Record<string, unknown>;

let env: LifecycleEnv;
let seq = 0;

beforeAll(async () => {
  env = await startLifecycleEnv({
    schedule: { limits: { AUTHORIZED: { looks: 6, ageMs: 8_000 }, ISSUING: { looks: 8, ageMs: 8_000 }, OFFSETTING: { looks: 8, ageMs: 8_000 } } },
  });
}, 60_000);
afterAll(async () => env?.close());

async function ops(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { FAPIAO_SERVER: env.app.url, FAPIAO_ADMIN_KEY: ADMIN_KEY },
  });
  return { code, stdout, stderr };
}

async function newRequest(fields: Json, type: 0 | 1 = 1, action: 'authorize' | 'decline' = 'authorize') {
  const n = ++seq; // taken once: `seq` moves on while this call awaits its login
  const buyer = await env.login(`att${n}`);
  const orderNo = `AT${Date.now().toString(36)}${n}`;
  expect((await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo))).status).toBe(201);
  const link = await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type });
  expect(link.status).toBe(200);
  expect((await env.sandboxApi('POST', '/authorize', { auth_url: link.json.authUrl, openid: buyer.openid, action, ...fields })).status).toBe(200);
  return orderNo;
}

async function flagged(orderNo: string): Promise<Json> {
  return eventually(async () => {
    const listed = (await env.admin('GET', '/invoices?attention=true')).json.invoices as Json[];
    return listed.find((r) => r.orderNo === orderNo);
  }, `${orderNo} flagged`, 30_000);
}

describe('needs attention: into it and out again', () => {
  it('72015 → ISSUE_FAILED flagged with the reason → listed by the admin API and the CLI, counted by reconcile → fixed, retried by the CLI → ISSUED', async () => {
    await env.sandboxApi('PUT', '/behaviour', { appidsWithoutInvoicingPackage: [env.app.container.config.WECHAT_APPID] });
    const orderNo = await newRequest({ user_field: { title: '王小明' } });
    const request = await flagged(orderNo);
    expect(request).toMatchObject({
      status: 'ISSUE_FAILED',
      needsAttention: true,
      attention: {
        code: 'ISSUE_FAILED',
        state: 'ISSUE_FAILED',
        reason: expect.stringContaining('72015'),
        answers: expect.arrayContaining([expect.objectContaining({ call: 'makeOutInvoice', errcode: 72015 })]),
      },
    });
    const id = String(request.id);

    const listed = await ops(['invoices', 'list', '--attention']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('72015');
    const shown = await ops(['invoices', 'show', id]);
    expect(shown.stdout).toMatch(/NEEDS ATTENTION\s+ISSUE_FAILED: issuing failed: 72015/);
    expect(shown.stdout).toContain('makeOutInvoice');

    const reconciled = await ops(['invoices', 'reconcile', '--since', '1h', '--json']);
    expect(reconciled.code).toBe(1);
    expect(JSON.parse(reconciled.stdout)).toMatchObject({ attention: expect.any(Number), needsHuman: true });
    expect((JSON.parse(reconciled.stdout) as { attention: number }).attention).toBeGreaterThanOrEqual(1);

    // Ops choose the invoicing package; then retry.
    await env.sandboxApi('DELETE', '/behaviour');
    const retried = await ops(['invoices', 'retry', id]);
    expect(retried.code).toBe(0);
    const issued = await eventually(async () => {
      const r = (await env.admin('GET', `/invoices/${id}`)).json;
      return r.status === 'ISSUED' ? r : undefined;
    }, 'ISSUED after the retry', 30_000);
    expect(issued).toMatchObject({ needsAttention: false, invoice: { fpdm: expect.stringMatching(/^\d+$/) } });
    expect(issued.attention).toBeUndefined();
    expect((issued.audit as Json[]).map((a) => a.action)).toContain('invoice.retry');
    const after = (await env.admin('GET', '/invoices?attention=true')).json.invoices as Json[];
    expect(after.map((r) => r.id)).not.toContain(id);
  });

  it('an authorization WeChat words unknownly, with the push lost → flagged → resolved by hand with a note (audited)', async () => {
    await env.sandboxApi('PUT', '/behaviour', { declinedStatus: 'auth ng' });
    await env.sandboxApi('PUT', '/faults', { push: { dropRate: 1 } });
    try {
      const orderNo = await newRequest({}, 1, 'decline');
      const request = await flagged(orderNo);
      expect(request).toMatchObject({ status: 'AUTH_PENDING', attention: { code: 'UNKNOWN_AUTH_STATUS', reason: expect.stringContaining('auth ng') } });
      const id = String(request.id);
      const noNote = await env.admin('POST', `/invoices/${id}/resolve`, {});
      expect(noNote.status).toBe(400);
      const resolved = await ops(['invoices', 'resolve', id, '--note', 'buyer declined (asked by phone)']);
      expect(resolved.code).toBe(0);
      const after = (await env.admin('GET', `/invoices/${id}`)).json;
      expect(after).toMatchObject({ needsAttention: false });
      expect(after.audit).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'invoice.resolve', detail: { note: 'buyer declined (asked by phone)' } })]));
      // Nothing left to resolve: a second try is refused.
      expect((await env.admin('POST', `/invoices/${id}/resolve`, { note: 'again' })).json).toMatchObject({ error: { code: 'INVALID_STATE_TRANSITION' } });
    } finally {
      await env.sandboxApi('DELETE', '/faults');
      await env.sandboxApi('DELETE', '/behaviour');
    }
  });

  it('admin refuses custom-field keys longer than WeChat’s 5 characters', async () => {
    const put = (key: string) =>
      env.admin('PUT', '/settings/auth-fields', { user_field: { show_title: 1, custom_field: [{ key }] }, biz_field: { show_title: 1 } });
    const refused = await put('member');
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('5 characters') } });
    expect((await put('会员卡号码')).status).toBe(200);
  });
});

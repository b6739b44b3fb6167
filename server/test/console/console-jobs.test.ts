/**
 * The console's server-side jobs over the admin API, against the real server, worker and WeChat
 * sandbox: the journal of every WeChat call made for a request (paged, with the state before and
 * after, no secrets), the invoice list as an Excel workbook (parsed back), and reconciling a
 * period as a stored server job (progress, one run per period, the report, a dead run taken over).
 */
import ExcelJS from 'exceljs';
import { startReconcileRun, type ReconcileRunDeps } from '../../src/domain/reconcile-runs';
import { eventually } from '../support/eventually';
import { seedRequest } from './seed';
import { ADMIN_KEY, orderFor, startLifecycleEnv, type LifecycleEnv } from '../support/lifecycle-env';

const COMPANY = { title: '厦门示例贸易有限公司', tax_no: '91350100M000100Y43', addr: '厦门市思明区示例路 1 号', phone: '0592-1234567', bank_type: '招商银行厦门分行', bank_no: '592900000000001' };

let env: LifecycleEnv;
let buyer: { token: string; openid: string };
let started: Date;
let seq = 0;
const seeded: Record<'issued' | 'failed', { id: string; orderNo: string }> = {} as never;

interface Call {
  at: string;
  api: string;
  errcode: number;
  errmsg: string;
  summary: string;
  by: string;
  stateBefore: string | null;
  stateAfter?: string;
}

const file = async (path: string) => {
  const res = await fetch(`${env.app.url}/api/admin${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
};

beforeAll(async () => {
  env = await startLifecycleEnv();
  started = new Date();
  buyer = await env.login('jobs-buyer');
  seeded.issued = await seedRequest(env, buyer, 'JOB', { biz_field: COMPANY }, 'ISSUED');
  seeded.failed = await seedRequest(env, buyer, 'JOB', { user_field: { title: 'SANDBOX_FAIL 王五' } }, 'ISSUE_FAILED');
});
afterAll(async () => {
  await env?.close();
});

describe('the WeChat calls of one request', () => {
  it('journals every call (buyer, worker, ops) with its state before and after, newest first, paged, and no secret', async () => {
    const all = (await env.admin('GET', `/invoices/${seeded.issued.id}/calls?limit=200`)).json.calls as Call[];
    const apis = all.map((c) => c.api);
    expect(apis).toEqual(expect.arrayContaining(['card/invoice/getauthurl', 'card/invoice/makeoutinvoice', 'card/invoice/queryinvoceinfo']));
    expect([...all].sort((a, b) => b.at.localeCompare(a.at))).toEqual(all);
    expect(all.find((c) => c.api === 'card/invoice/getauthurl')).toMatchObject({ by: 'buyer', errcode: 0, stateBefore: 'AUTH_PENDING', stateAfter: 'AUTH_PENDING' });
    expect(all.find((c) => c.api === 'card/invoice/makeoutinvoice')).toMatchObject({ by: 'worker', errcode: 0, stateBefore: 'AUTHORIZED' });
    expect(all.filter((c) => c.api === 'card/invoice/queryinvoceinfo').map((c) => c.stateAfter)).toContain('ISSUED');
    expect(all.find((c) => c.stateAfter === 'ISSUED' && c.api === 'card/invoice/queryinvoceinfo')?.summary).toMatch(/fpdm=\d+/);

    // Nothing the client holds for WeChat is in the journal: no token, no ticket, no secret.
    const credentials = await env.app.container.db.collection('wechat_credentials').find().toArray();
    const secrets = credentials.map((c) => c.value as string | null).filter((v): v is string => Boolean(v));
    expect(secrets.length).toBeGreaterThan(0);
    const text = JSON.stringify(all);
    for (const secret of [...secrets, process.env.WECHAT_SECRET ?? 'unset-secret']) expect(text).not.toContain(secret);

    // One a page, following nextCursor: the same calls in the same order.
    const paged: Call[] = [];
    let cursor: string | undefined;
    do {
      const page = (await env.admin('GET', `/invoices/${seeded.issued.id}/calls?limit=1${cursor ? `&cursor=${cursor}` : ''}`)).json as { calls: Call[]; nextCursor?: string };
      paged.push(...page.calls);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });

  it('a buyer back from WeChat’s page asks now: that getauthdata is journaled as the buyer’s', async () => {
    const orderNo = `JOB-${Date.now().toString(36)}-${++seq}`;
    expect((await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo))).status).toBe(201);
    expect((await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice`, { type: 1 })).status).toBe(200);
    expect((await env.mp(buyer.token, 'POST', `/orders/${orderNo}/invoice/refresh`)).json).toMatchObject({ status: 'AUTH_PENDING' });
    const [request] = (await env.admin('GET', `/invoices?orderNo=${orderNo}`)).json.invoices as { id: string }[];
    const calls = (await env.admin('GET', `/invoices/${request!.id}/calls`)).json.calls as Call[];
    expect(calls.filter((c) => c.by === 'buyer').map((c) => [c.api, c.stateBefore, c.stateAfter])).toEqual(
      expect.arrayContaining([
        ['card/invoice/getauthdata', 'AUTH_PENDING', 'AUTH_PENDING'],
        ['card/invoice/getauthurl', 'AUTH_PENDING', 'AUTH_PENDING'],
      ]),
    );
  });

  it('an ops rejection is journaled under the admin key, ISSUE_FAILED before, REJECTED after; bad input is a 4xx', async () => {
    expect((await env.admin('POST', `/invoices/${seeded.failed.id}/reject`, { reason: '抬头有误' })).status).toBe(200);
    const calls = (await env.admin('GET', `/invoices/${seeded.failed.id}/calls`)).json.calls as Call[];
    expect(calls[0]).toMatchObject({ api: 'card/invoice/rejectinsert', errcode: 0, by: expect.stringMatching(/^admin:/), stateBefore: 'ISSUE_FAILED', stateAfter: 'REJECTED' });
    // The issue that failed is there too (its result may come by push or by query: either way, the send).
    expect(calls.some((c) => c.api === 'card/invoice/makeoutinvoice' && c.stateBefore === 'AUTHORIZED')).toBe(true);

    expect((await env.admin('GET', '/invoices/ir_0000000000000000/calls')).json).toEqual({ error: { code: 'INVOICE_REQUEST_NOT_FOUND', message: expect.any(String) } });
    for (const bad of ['cursor=abc', 'limit=0', 'limit=201', 'cursor=' + Buffer.from(JSON.stringify([1, 'not-an-object-id'])).toString('base64url')]) {
      const answer = await env.admin('GET', `/invoices/${seeded.failed.id}/calls?${bad}`);
      expect([bad, answer.status, (answer.json.error as { code: string }).code]).toEqual([bad, 400, 'VALIDATION_FAILED']);
    }
  });
});

describe('the invoice list as an Excel workbook', () => {
  it('has zh-CN headers and the amounts in yuan with 2 decimals, made from fen; CSV stays the default', async () => {
    const xlsx = await file(`/invoices/export?format=xlsx&createdAfter=${started.toISOString()}`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('开票申请')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(['申请编号', '订单号', '状态', '状态代码', '金额（元）', '抬头', '税号', '发票代码', '发票号码', '开票日期', '申请时间', '驳回原因', '需处理', '最近错误']);
    const rows = new Map<string, unknown[]>();
    sheet.eachRow((row, n) => n > 1 && rows.set(row.getCell(1).text, (row.values as unknown[]).slice(1)));
    const listed = (await env.admin('GET', `/invoices?createdAfter=${started.toISOString()}`)).json.invoices as { id: string }[];
    expect([...rows.keys()].sort()).toEqual(listed.map((r) => r.id).sort());
    const issued = rows.get(seeded.issued.id)!;
    const stored = (await env.admin('GET', `/invoices/${seeded.issued.id}`)).json as { amount: number; invoice: { fphm: string } };
    expect(issued.slice(1, 4)).toEqual([seeded.issued.orderNo, '已开票', 'ISSUED']);
    expect(typeof issued[4]).toBe('number');
    expect(Math.round((issued[4] as number) * 100)).toBe(stored.amount);
    expect(sheet.getRow([...rows.keys()].indexOf(seeded.issued.id) + 2).getCell(5).numFmt).toBe('0.00');
    expect(issued[5]).toBe(COMPANY.title);
    expect(issued[8]).toBe(stored.invoice.fphm);

    const csv = await file(`/invoices/export?createdAfter=${started.toISOString()}`);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.body.toString('utf8')).toContain(`${seeded.issued.orderNo},已开票,ISSUED,${(stored.amount / 100).toFixed(2)},`);
    expect((await env.admin('GET', '/invoices/export?format=pdf')).json).toEqual({ error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('format') } });
  });
});

describe('reconciling a period as a server job', () => {
  const period = () => ({ from: started.toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

  it('runs to done with progress and a report; a second start of the same period meanwhile is refused', async () => {
    // The run in this process, held at its first request until the test lets it go: it is
    // certainly running when the second start comes.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { lifecycle, repositories } = env.app.container;
    const held: ReconcileRunDeps = {
      runs: repositories.reconcileRuns,
      lifecycle: { ...lifecycle, requests: { ...lifecycle.requests, findById: async (id) => (await gate, lifecycle.requests.findById(id)) } },
      countNeedingAttention: () => repositories.requests.countNeedingAttention(),
      now: () => new Date(),
    };
    const { from, to } = period();
    const { run, finished } = await startReconcileRun(held, new Date(from), new Date(to), 'staff:test');
    expect(run).toMatchObject({ status: 'running', total: 1, done: 0 });

    const second = await env.admin('POST', '/reconcile-runs', { from, to });
    expect([second.status, second.json]).toEqual([409, { error: { code: 'RECONCILE_ALREADY_RUNNING', message: expect.stringContaining(run._id) } }]);
    expect((await env.admin('GET', `/reconcile-runs/${run._id}`)).json).toMatchObject({ status: 'running', done: 0, total: 1 });
    expect((await env.admin('GET', `/reconcile-runs/${run._id}/report`)).json).toMatchObject({ error: { code: 'RECONCILE_RUN_NOT_FINISHED' } });

    release();
    await finished;
    const done = (await env.admin('GET', `/reconcile-runs/${run._id}`)).json;
    expect(done).toMatchObject({ status: 'done', done: 1, total: 1, counts: { ok: 1, mismatch: 0, stuck: 0, moved: 0, unchecked: 0 }, startedBy: 'staff:test', problems: [] });
    const report = await file(`/reconcile-runs/${run._id}/report`);
    expect(report.type).toBe('text/csv; charset=utf-8');
    expect(report.body.toString('utf8').split('\r\n')).toEqual(['\uFEFF结论,申请编号,订单号,状态,说明', expect.stringMatching(new RegExp(`^一致,${seeded.issued.id},${seeded.issued.orderNo},ISSUED,`)), '']);

    // The period is free again: a start over the API runs, and every staff member sees it listed.
    const again = await env.admin('POST', '/reconcile-runs', { from, to });
    expect(again.status).toBe(202);
    const id = String(again.json.id);
    await eventually(async () => (await env.admin('GET', `/reconcile-runs/${id}`)).json.status === 'done', 'the second run to finish', 20_000);
    expect(((await env.admin('GET', '/reconcile-runs')).json.runs as { id: string }[]).map((r) => r.id).slice(0, 2)).toEqual([id, run._id]);
  });

  it('a run whose process died shows as interrupted, and its period can be started again', async () => {
    const { from, to } = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-02T00:00:00.000Z' };
    const db = env.app.container.db;
    const dead = 'rr_00000000000000aa';
    const longAgo = new Date(Date.now() - 3600_000);
    await db.collection('reconcile_runs').insertOne({ _id: dead as never, from: new Date(from), to: new Date(to), status: 'running', startedBy: 'staff:gone', startedAt: longAgo, heartbeatAt: longAgo, total: 5, done: 2, counts: { ok: 2, mismatch: 0, stuck: 0, moved: 0, unchecked: 0 } });
    await db.collection('reconcile_locks').insertOne({ _id: `${from}/${to}` as never, runId: dead, heartbeatAt: longAgo });
    expect((await env.admin('GET', `/reconcile-runs/${dead}`)).json).toMatchObject({ status: 'interrupted', done: 2, total: 5 });
    const fresh = await env.admin('POST', '/reconcile-runs', { from, to });
    expect(fresh).toMatchObject({ status: 202, json: { status: 'running', total: 0 } });
    await eventually(async () => (await env.admin('GET', `/reconcile-runs/${String(fresh.json.id)}`)).json.status === 'done', 'the empty run', 10_000);

    for (const body of [{ from: to, to: from }, { from: '2020-01-01', to: '2026-01-01' }, { from }, { from, to, extra: 1 }]) {
      expect((await env.admin('POST', '/reconcile-runs', body)).status).toBe(400);
    }
    expect((await env.admin('GET', '/reconcile-runs/rr_0000000000000000')).status).toBe(404);
    expect((await env.admin('GET', '/reconcile-runs/nope')).status).toBe(400);
  });
});

/**
 * The merchant console in a real browser (Debian's Chromium, headless, playwright-core) against
 * the real server, its worker and the WeChat sandbox: a seeded flow, then a staff member logs in,
 * reads the dashboard, finds a request by its order number, rejects one, retries one, offsets
 * one, imports a file with bad rows and changes the contact; a viewer is refused the same actions
 * in the page and at the API. Screenshots go to .data/screenshots/console (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../../../scripts/ops/program';
import { startReconcileRun } from '../../src/domain/reconcile-runs';
import { launchChromium } from '../support/chromium';
import { eventually } from '../support/eventually';
import { seedRequest } from './seed';
import { startLifecycleEnv, type LifecycleEnv } from '../support/lifecycle-env';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCREENSHOTS = path.join(ROOT, '.data', 'screenshots', 'console');
const PASSWORD = 'console-test-password';
const COMPANY = { title: '福州示例科技有限公司', tax_no: '91350100M000100Y43', addr: '福州市鼓楼区示例路 8 号', phone: '0591-12345678', bank_type: '招商银行福州分行', bank_no: '591900000000001' };

let env: LifecycleEnv;
let browser: Browser;
let buyer: { token: string; openid: string };
const seeded: Record<'issued' | 'failedA' | 'failedB', { id: string; orderNo: string }> = {} as never;

type Invoice = { id: string; status: string; history: { event: string; by: string }[]; audit?: { actor: string; action: string }[] };
const invoice = async (id: string) => (await env.admin('GET', `/invoices/${id}`)).json as unknown as Invoice;

beforeAll(async () => {
  // The console's build (cached: instant when its sources have not changed).
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-console.js')], { stdio: 'inherit' });
  env = await startLifecycleEnv({ serverEnv: { NODE_ENV: 'test' } });
  for (const [username, role, displayName] of [
    ['op', 'operator', '王操作'],
    ['view', 'viewer', '李查看'],
  ] as const) {
    expect((await env.admin('POST', '/staff', { username, displayName, role, password: PASSWORD })).status).toBe(201);
  }
  buyer = await env.login('console-buyer');
  seeded.issued = await seedRequest(env, buyer, 'CON', { biz_field: COMPANY }, 'ISSUED');
  seeded.failedA = await seedRequest(env, buyer, 'CON', { user_field: { title: 'SANDBOX_FAIL 张三' } }, 'ISSUE_FAILED');
  seeded.failedB = await seedRequest(env, buyer, 'CON', { user_field: { title: 'SANDBOX_FAIL 李四' } }, 'ISSUE_FAILED');
  browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** A fresh browser (its own cookies) at 1280 px (or a tablet), logged in as `username`. */
async function loggedIn(username: string, viewport = { width: 1280, height: 800 }): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // Refusals the test provokes are logged by Chromium as failed loads; anything else is a fault.
    if (m.type() === 'error' && !/status of (400|401|403|404) /.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => {
    if (r.status() === 404) problems.push(`404 ${r.url()}`);
  });
  // Every CSP refusal, with where it came from (Chromium's console line does not say).
  await page.addInitScript({
    content: "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP ' + e.violatedDirective + ' ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber + ' ' + e.sample));",
  });
  await page.goto(`${env.app.url}/console/`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByTestId('whoami').waitFor();
  return { page, problems };
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function openRequest(page: Page, orderNo: string) {
  await page.goto(`${env.app.url}/console/#/invoices`);
  await page.getByTestId('filter-order').fill(orderNo);
  await page.getByTestId('filter-search').click();
  const rows = page.locator('[data-testid="invoice-table"] tbody tr.ant-table-row');
  await eventually(async () => (await rows.count()) === 1 && (await rows.first().textContent())?.includes(orderNo), `the list filtered to ${orderNo}`, 10_000);
  await rows.first().getByRole('link', { name: orderNo }).click();
  await page.getByTestId('invoice-detail').waitFor();
}

async function statusShown(page: Page, text: string) {
  await eventually(async () => {
    await page.getByRole('button', { name: /刷\s*新/ }).click();
    return (await page.getByTestId('detail-status').textContent()) === text;
  }, `the page to show ${text}`, 20_000);
}

describe('the merchant console in Chromium', () => {
  it('an operator logs in, sees the dashboard with the seeded flow, finds, rejects, retries and offsets requests', async () => {
    const { page, problems } = await loggedIn('op');
    await shot(page, '01-dashboard-1280');
    await page.getByTestId('dashboard').waitFor();
    // Today: the three seeded requests, one issued for ¥143.00, two failed and needing attention.
    expect(await page.getByTestId('stat-requests').textContent()).toContain('3');
    expect(await page.getByTestId('stat-issued').textContent()).toContain('¥143.00');
    expect(await page.getByTestId('stat-attention').textContent()).toContain('2');
    expect(await page.getByTestId('failures').textContent()).toContain('2');
    await page.getByTestId('chart-daily').locator('canvas').first().waitFor();

    // Find by order number, open it: order, title, timeline, PDF.
    await openRequest(page, seeded.issued.orderNo);
    expect(await page.getByTestId('detail-status').textContent()).toBe('已开票');
    expect(await page.getByTestId('invoice-detail').textContent()).toContain(COMPANY.title);
    expect(await page.getByTestId('timeline').textContent()).toContain('已开票');
    expect(await page.getByTestId('pdf').getAttribute('src')).toBe(`/api/admin/invoices/${seeded.issued.id}/pdf`);
    // Every WeChat call made for it, newest first: the buyer's getauthurl, the worker's issue and query.
    const calls = page.getByTestId('wechat-calls');
    await eventually(async () => (await calls.locator('tbody tr.ant-table-row').count()) >= 3, 'the WeChat calls table', 10_000);
    const callsText = (await calls.textContent()) ?? '';
    for (const api of ['getauthurl', 'makeoutinvoice', 'queryinvoceinfo']) expect(callsText).toContain(api);
    expect(callsText).toContain('开票中 → 已开票');
    await calls.scrollIntoViewIfNeeded();
    await shot(page, '02-request-issued');

    // Offset: the confirmation says what WeChat will do.
    await page.getByTestId('action-offset').click();
    expect(await page.locator('.ant-modal-confirm').textContent()).toContain('clearoutinvoice');
    await page.getByTestId('confirm-offset').click();
    await statusShown(page, '已红冲');
    await eventually(async () => ((await page.getByTestId('wechat-calls').textContent()) ?? '').includes('clearoutinvoice'), 'the offset call in the table', 10_000);
    const offset = await invoice(seeded.issued.id);
    expect(offset.history).toContainEqual(expect.objectContaining({ event: 'offset_started', by: 'staff:op' }));
    expect(offset.audit).toContainEqual(expect.objectContaining({ actor: 'staff:op', action: 'invoice.offset' }));
    await shot(page, '03-request-offset');

    // Reject one that failed, with a reason the buyer will see.
    await openRequest(page, seeded.failedA.orderNo);
    await page.getByTestId('action-reject').click();
    expect(await page.locator('.ant-modal').textContent()).toContain('rejectinsert');
    await page.getByTestId('reject-reason').fill('抬头有误，请重新申请');
    await shot(page, '04-reject-confirm');
    await page.getByTestId('confirm-reject').click();
    await statusShown(page, '已驳回');
    expect((await invoice(seeded.failedA.id)).audit).toContainEqual(expect.objectContaining({ actor: 'staff:op', action: 'invoice.reject' }));

    // Retry the other (the sandbox fails this title again, so it ends ISSUE_FAILED once more).
    await openRequest(page, seeded.failedB.orderNo);
    await page.getByTestId('action-retry').click();
    expect(await page.locator('.ant-modal-confirm').textContent()).toContain('makeoutinvoice');
    await page.getByTestId('confirm-retry').click();
    await eventually(async () => (await invoice(seeded.failedB.id)).history.some((h) => h.event === 'retry' && h.by === 'staff:op'), 'the retry by staff:op', 15_000);
    expect((await invoice(seeded.failedB.id)).audit).toContainEqual(expect.objectContaining({ actor: 'staff:op', action: 'invoice.retry' }));
    // Reconcile below lists what is ISSUING; the retry must have failed again first, or it may leave
    // ISSUING between the listing and its own reconcile (a 409 the page would show).
    await eventually(async () => (await invoice(seeded.failedB.id)).status === 'ISSUE_FAILED', 'the retried request to fail again', 15_000);

    // The list as an Excel workbook, parsed back: zh-CN headers, money in yuan from fen.
    await page.goto(`${env.app.url}/console/#/invoices`);
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await xlsx.path());
    const sheet = workbook.getWorksheet('开票申请')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1, 6)).toEqual(['申请编号', '订单号', '状态', '状态代码', '金额（元）']);
    const byId = new Map<string, unknown[]>();
    sheet.eachRow((row, n) => n > 1 && byId.set(row.getCell(1).text, (row.values as unknown[]).slice(1)));
    expect(byId.get(seeded.issued.id)?.slice(1, 5)).toEqual([seeded.issued.orderNo, '已红冲', 'OFFSET', 143]);

    // Reconcile the week on the server (with one more issued request in it): progress, done, then the report to download.
    const another = await seedRequest(env, buyer, 'CON', { biz_field: COMPANY }, 'ISSUED');
    await page.goto(`${env.app.url}/console/#/reconcile`);
    await page.getByTestId('reconcile-run').click();
    await page.getByTestId('reconcile-progress').waitFor();
    await eventually(async () => (await page.getByTestId('reconcile-status').textContent()) === '已完成', 'the reconcile run to finish', 30_000);
    expect(await page.getByTestId('reconcile-progress').textContent()).toMatch(/^(\d+) \/ \1$/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('reconcile-report').click()]);
    const report = fs.readFileSync(await download.path(), 'utf8');
    expect(report).toContain('结论,申请编号,订单号,状态,说明');
    const [latest] = (await env.admin('GET', '/reconcile-runs?limit=1')).json.runs as { total: number; startedBy: string; status: string }[];
    expect(latest).toMatchObject({ status: 'done', startedBy: 'staff:op' });
    expect(report.trim().split('\r\n')).toHaveLength(1 + latest!.total);
    expect(report).toContain(`一致,${another.id},${another.orderNo},ISSUED,`);
    // A reload (or a colleague) sees the same run, finished.
    await page.reload();
    await eventually(async () => (await page.getByTestId('reconcile-status').textContent()) === '已完成', 'the run after a reload', 10_000);
    expect(await page.getByTestId('reconcile-runs').locator('tbody tr.ant-table-row').count()).toBeGreaterThanOrEqual(1);
    await shot(page, '05-reconcile');
    expect(problems).toEqual([]);
  });

  it('an operator imports a file with bad rows: the same created / skipped / invalid report as ops orders import', async () => {
    const { page, problems } = await loggedIn('op');
    const o = buyer.openid;
    const csv = [
      'orderNo,openid,amount,name,spbm,quantity,unitPrice,taxRate',
      `IMP-1,${o},143.00,办公椅,1050201010000000000,2,56.50,13%`,
      `IMP-1,${o},143.00,订书机,1080212990000000000,3,10.00,13%`,
      `IMP-2,${o},10.00,咖啡豆,1030307010000000000,1,10.00,13%`,
      `IMP-BAD-1,${o},99.00,键盘,1090511030000000000,1,56.50,13%`,
      `IMP-BAD-2,${o},10.00,咖啡豆,12345,1,10.00,13%`,
    ].join('\n');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fapiao-import-')), 'orders.csv');
    fs.writeFileSync(file, csv);
    await page.goto(`${env.app.url}/console/#/orders`);
    await page.locator('[data-testid="orders-upload"] input[type=file]').setInputFiles(file);
    await page.locator('[data-testid="import-summary"], [data-testid="import-error"]').first().waitFor();
    expect(await page.locator('[data-testid="import-error"]').allTextContents()).toEqual([]);
    const number = async (id: string) => Number((await page.getByTestId(id).locator('.ant-statistic-content-value').textContent())?.trim());
    expect([await number('import-created'), await number('import-skipped'), await number('import-invalid')]).toEqual([2, 0, 2]);
    const invalid = (await page.getByTestId('import-invalid-rows').textContent()) ?? '';
    expect(invalid).toContain('IMP-BAD-1');
    expect(invalid).toContain('line 5');
    expect(invalid).toContain('spbm');
    await shot(page, '06-orders-import');

    // The CLI on the same file now: every good order skipped, the same rows invalid for the same reasons.
    let stdout = '';
    const code = await runCli(['orders', 'import', file, '--json', '--server', env.app.url], {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: () => true },
      env: { FAPIAO_ADMIN_KEY: 'key-lifecycle-admin-0123456789' },
    });
    expect(code).toBe(5);
    const cli = JSON.parse(stdout) as { created: number; skipped: number; invalid: { where: string; reason: string }[] };
    expect({ created: cli.created, skipped: cli.skipped }).toEqual({ created: 0, skipped: 2 });
    await page.locator('[data-testid="orders-upload"] input[type=file]').setInputFiles(file);
    await eventually(async () => (await number('import-skipped')) === 2, 'the second import', 10_000);
    const rowsShown = await page.getByTestId('import-invalid-rows').locator('tbody tr').allTextContents();
    expect(rowsShown).toHaveLength(cli.invalid.length);
    cli.invalid.forEach((row, i) => expect(rowsShown[i]).toContain(row.reason));
    expect(problems).toEqual([]);
  });

  it('an operator changes the contact; WeChat has it, and the audit log names them', async () => {
    const { page, problems } = await loggedIn('op');
    await page.goto(`${env.app.url}/console/#/settings`);
    await page.getByTestId('checklist').waitFor();
    await page.getByTestId('contact-phone').fill('0591-66668888');
    await page.getByTestId('contact-save').click();
    await eventually(async () => ((await env.admin('GET', '/settings/contact')).json.value as { phone?: string } | null)?.phone === '0591-66668888', 'the new contact at WeChat', 10_000);
    expect((await env.admin('GET', '/settings/contact')).json).toMatchObject({ updatedBy: 'staff:op' });
    expect(await page.getByTestId('auth-preview').textContent()).toContain('税号');
    await page.getByText('最近由 员工 op').waitFor();
    await shot(page, '07-settings');
    expect(problems).toEqual([]);
  });

  it('a viewer sees everything but is refused the actions, in the page and at the API; tablet width works', async () => {
    const { page, problems } = await loggedIn('view', { width: 820, height: 1180 });
    await page.getByTestId('dashboard').waitFor();
    await shot(page, '08-dashboard-tablet-viewer');
    expect(await page.getByRole('menuitem', { name: /员工账号/ }).count()).toBe(0);
    await openRequest(page, seeded.failedB.orderNo);
    await eventually(async () => (await page.getByTestId('detail-status').textContent()) === '开票失败', 'ISSUE_FAILED again', 20_000);
    for (const action of ['action-reject', 'action-retry', 'action-offset', 'action-reconcile']) expect(await page.getByTestId(action).isDisabled()).toBe(true);
    await shot(page, '09-request-viewer');
    // Straight at the API from the page, with the session's own CSRF token: the server refuses.
    const answer = await page.evaluate(async (id) => {
      const session = (await (await fetch('/api/admin/session')).json()) as { csrfToken: string };
      const res = await fetch(`/api/admin/invoices/${id}/retry`, { method: 'POST', headers: { 'x-csrf-token': session.csrfToken } });
      return { status: res.status, body: (await res.json()) as { error: { code: string } } };
    }, seeded.failedB.id);
    expect(answer).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: expect.any(String) } } });
    expect((await invoice(seeded.failedB.id)).history.filter((h) => h.by === 'staff:view')).toEqual([]);
    await page.goto(`${env.app.url}/console/#/orders`);
    expect(await page.locator('[data-testid="orders-upload"] input[type=file]').isDisabled()).toBe(true);

    // A colleague's reconcile, running on the server (held at its first request until the test
    // lets it go): the viewer's page shows it in progress, then follows it to the end.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { lifecycle, repositories } = env.app.container;
    const { run, finished } = await startReconcileRun(
      {
        runs: repositories.reconcileRuns,
        lifecycle: { ...lifecycle, requests: { ...lifecycle.requests, findById: async (id) => (await gate, lifecycle.requests.findById(id)) } },
        countNeedingAttention: () => repositories.requests.countNeedingAttention(),
        now: () => new Date(),
      },
      new Date(Date.now() - 3600_000),
      new Date(Date.now() + 60_000),
      'staff:op',
    );
    expect(run.total).toBeGreaterThan(0);
    await page.goto(`${env.app.url}/console/#/reconcile`);
    await eventually(async () => (await page.getByTestId('reconcile-status').textContent()) === '进行中', 'the running run on the page', 10_000);
    expect(await page.getByTestId('reconcile-progress').textContent()).toBe(`0 / ${run.total}`);
    expect(await page.getByTestId('reconcile-run').isDisabled()).toBe(true);
    expect(await page.getByTestId('reconcile-report').isDisabled()).toBe(true);
    await shot(page, '10-reconcile-running-viewer');
    release();
    await finished;
    await eventually(async () => (await page.getByTestId('reconcile-status').textContent()) === '已完成', 'the page to follow the run to its end', 10_000);
    expect(await page.getByTestId('reconcile-progress').textContent()).toBe(`${run.total} / ${run.total}`);
    expect(problems).toEqual([]);
  });
});

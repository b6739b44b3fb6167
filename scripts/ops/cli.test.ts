/**
 * The ops CLI as merchant ops use it: a separate process (scripts/ops/cli.ts) against real server
 * processes (server/src/main.ts) and the WeChat sandbox, on real databases. One merchant goes from
 * nothing to issuing, then through a day's work and a reconciliation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openidFor, type Sandbox } from '../../server/sandbox';
import { testDatabaseUri } from '../../server/test/harness/database';
import { TEST_ENV } from '../../server/test/support/app';
import { eventually } from '../../server/test/support/eventually';
import { spawnTs, type Spawned } from '../../server/test/support/process';
import { startServerProcess } from '../../server/test/support/server-process';
import { pointSandboxPushesAt, startTestSandbox } from '../../server/test/support/test-sandbox';
import { freePort } from '../mongo/free-port';
import { runCli } from './program';

const ADMIN_KEY = 'key-ops-cli-admin-0123456789abcdef';
const APPID = TEST_ENV.WECHAT_APPID;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let sandbox: Sandbox;
let serverUrl: string;
let serverPort: number;
let server: Spawned | undefined;
let databaseUri: string;
let tmp: string;
let merchant: { sPappid: string; merchantCode: string };
const started = new Date();
const tag = Date.now().toString(36);

/** Runs `ops <args>` as its own process; the key comes from the environment, as ops have it. */
async function ops(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawnTs('scripts/ops/cli.ts', { FAPIAO_SERVER: serverUrl, FAPIAO_ADMIN_KEY: ADMIN_KEY, ...env }, args);
  let stdout = '';
  let stderr = '';
  child.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const { code } = await child.exited;
  return { code, stdout, stderr };
}

/** The same CLI entry (runCli) in this process, for output that needs no server. */
async function inProcess(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
  });
  return { code, stdout, stderr };
}

async function opsJson<T>(args: string[]): Promise<T> {
  const run = await ops([...args, '--json']);
  if (run.code !== 0) throw new Error(`ops ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

async function startServer(opts: { worker: boolean }): Promise<void> {
  server = await startServerProcess({ mongodbUri: databaseUri, port: serverPort, sandboxUrl: sandbox.url, merchant, adminKey: ADMIN_KEY, worker: opts.worker });
}

async function stopServer(): Promise<void> {
  if (!server) return;
  server.child.kill('SIGTERM');
  await server.exited;
  server = undefined;
}

async function call(base: string, method: string, urlPath: string, token?: string, body?: unknown) {
  const res = await fetch(`${base}${urlPath}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

let loginSeq = 0;
async function login(name: string): Promise<{ token: string; openid: string }> {
  const { json } = await call(serverUrl, 'POST', '/api/mp/session', undefined, { code: `${name}.${tag}${++loginSeq}` });
  return { token: String(json.token), openid: String(json.openid) };
}

/** The buyer applies for a type 1 invoice on their order; returns the server's answer. */
async function applyType1(token: string, orderNo: string) {
  return call(serverUrl, 'POST', `/api/mp/orders/${orderNo}/invoice`, token, { type: 1 });
}

async function requestsOf(orderNo: string): Promise<{ id: string; status: string }[]> {
  return (await call(serverUrl, 'GET', `/api/admin/invoices?orderNo=${orderNo}`, ADMIN_KEY)).json.invoices as { id: string; status: string }[];
}

async function waitForStatus(orderNo: string, status: string): Promise<{ id: string; status: string }> {
  return eventually(async () => (await requestsOf(orderNo)).find((r) => r.status === status), `order ${orderNo} to reach ${status}`, 30_000);
}

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

/** A buyer with an order imported through the CLI (JSON), who applies and authorizes as given. */
async function buyerWithInvoice(name: string, userTitle: string): Promise<{ orderNo: string; token: string }> {
  const buyer = await login(name);
  const orderNo = `${name}-${tag}`;
  const file = write(`${name}.json`, JSON.stringify([{ orderNo, openid: buyer.openid, amount: 11300, items: [{ name: '服务费', spbm: '3040201990000000000', quantity: 1, unitPrice: 11300, taxRate: '0.13' }] }]));
  expect((await ops(['orders', 'import', file])).code).toBe(0);
  const link = await applyType1(buyer.token, orderNo);
  expect(link.status).toBe(200);
  const authorized = await call(sandbox.url, 'POST', '/sandbox/api/authorize', undefined, {
    auth_url: link.json.authUrl,
    openid: buyer.openid,
    action: 'authorize',
    user_field: { title: userTitle },
  });
  expect(authorized.status).toBe(200);
  return { orderNo, token: buyer.token };
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fapiao-ops-'));
  // A merchant WeChat knows nothing about yet: no seturl, no contact, no auth fields.
  sandbox = await startTestSandbox({ originalId: 'gh_fapiaoops0001', settings: { invoiceIssueDelayMs: 200, pushTimeoutMs: 1_000 } });
  databaseUri = testDatabaseUri();
  serverPort = await freePort();
  serverUrl = `http://127.0.0.1:${serverPort}`;
  await call(sandbox.url, 'PUT', '/sandbox/api/faults', undefined, {});
  await pointSandboxPushesAt(sandbox, `${serverUrl}/wechat/push`);
  // Before seturl there is no s_pappid yet: the server starts with a placeholder, enough for seturl.
  merchant = { sPappid: 'not-registered-yet', merchantCode: 'NOTSET' };
  await startServer({ worker: false });
}, 60_000);

afterAll(async () => {
  if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  await sandbox?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('help and errors a script can rely on', () => {
  it('--help for the tool and for every command reads well and exits 0', async () => {
    const root = await ops(['--help']);
    expect(root.code).toBe(0);
    for (const text of ['settings', 'platform', 'orders', 'invoices', 'FAPIAO_SERVER', 'FAPIAO_ADMIN_KEY', 'Exit codes:', '72063', '72029']) expect(root.stdout).toContain(text);
    expect(root.stderr).toBe('');
    // Every command's help, through the same entry point in this process (a process each is slow).
    const commands = [
      ['settings', 'show'],
      ['settings', 'contact'],
      ['settings', 'auth-fields'],
      ['settings', 'pay-mch'],
      ['platform', 'seturl'],
      ['orders', 'import'],
      ['invoices', 'list'],
      ['invoices', 'show'],
      ['invoices', 'reject'],
      ['invoices', 'retry'],
      ['invoices', 'offset'],
      ['invoices', 'reconcile'],
    ];
    const helps: Record<string, string> = {};
    for (const command of commands) {
      const { code, stdout } = await inProcess([...command, '--help']);
      expect([command.join(' '), code]).toEqual([command.join(' '), 0]);
      expect(stdout).toMatch(new RegExp(`^Usage: ops ${command.join(' ')} `));
      helps[command.join(' ')] = stdout;
    }
    expect(helps['orders import']).toContain('orderNo,openid,amount,createdAt,name,spbm,quantity,unitPrice,taxRate');
    expect(helps['settings auth-fields']).toContain('require_tax_no');
    expect(helps['settings contact']).toContain('72063');
    expect(helps['invoices reconcile']).toContain('Exit codes: 0 all agree; 1 something needs a human');
    expect((await inProcess(['invoices'])).stderr).toContain('Usage: ops invoices');
  });

  it('usage errors exit 2, a missing or wrong key 4 (never printed), an unreachable server 3', async () => {
    const unknown = await ops(['invoices', 'lst']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'lst'");
    const missing = await ops(['settings', 'contact', '--phone', '0591-88888888']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--timeout');
    const badWhen = await ops(['invoices', 'list', '--since', 'last tuesday']);
    expect(badWhen.code).toBe(2);
    const both = await inProcess(['invoices', 'list', '--all', '--limit', '5']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('--all and --limit exclude each other')]);
    const page = await inProcess(['invoices', 'reconcile', '--since', '1d', '--page-size', '0']);
    expect([page.code, page.stderr]).toEqual([2, expect.stringContaining('--page-size: "0" is not a whole number from 1 to 500')]);

    const noKey = await ops(['settings', 'show'], { FAPIAO_ADMIN_KEY: '' });
    expect(noKey.code).toBe(4);
    expect(noKey.stderr).toContain('FAPIAO_ADMIN_KEY');
    const wrongKey = 'key-wrong-but-long-enough-000000';
    const refused = await ops(['settings', 'show'], { FAPIAO_ADMIN_KEY: wrongKey });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('UNAUTHENTICATED');
    expect(refused.stdout + refused.stderr).not.toContain(wrongKey);

    // The key may also come from a file (and is not printed either).
    const keyFile = write('admin.key', `${ADMIN_KEY}\n`);
    const fromFile = await ops(['settings', 'show', '--admin-key-file', keyFile, '--json'], { FAPIAO_ADMIN_KEY: '' });
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout + fromFile.stderr).not.toContain(ADMIN_KEY);

    const unreachable = await ops(['settings', 'show', '--server', `http://127.0.0.1:${await freePort()}`]);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach the server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });
});

describe('setup from zero until an auth URL can be issued', () => {
  it('seturl → server with that s_pappid → contact → auth fields → pay merchant; WeChat refuses auth URLs until each is done', async () => {
    const registered = await opsJson<{ invoiceUrl: string; sPappid: string }>(['platform', 'seturl']);
    expect(registered.sPappid).toMatch(/^\S{8,}$/);
    expect(registered.invoiceUrl).toContain(`s_pappid=${registered.sPappid}`);
    const text = await ops(['platform', 'seturl']);
    expect(text.stdout).toContain(`INVOICE_S_PAPPID=${registered.sPappid}`);
    const identity = (await call(sandbox.url, 'GET', `/sandbox/api/merchant?appid=${APPID}`)).json;
    expect(identity.s_pappid).toBe(registered.sPappid);
    merchant = { sPappid: registered.sPappid, merchantCode: String(identity.merchantCode) };
    await stopServer();
    await startServer({ worker: true });

    const before = await ops(['settings', 'show']);
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/Contact\s+not set/);
    expect(before.stdout).toContain('[ ] contact');
    expect(before.stdout).toContain('ops settings contact --phone');

    const buyer = await login('setup');
    const orderNo = `setup-${tag}`;
    const orders = write('setup.json', JSON.stringify([{ orderNo, openid: buyer.openid, amount: 5650, items: [{ name: '办公椅', spbm: '1050201010000000000', quantity: 1, unitPrice: 5650, taxRate: '0.13' }] }]));
    expect((await ops(['orders', 'import', orders])).code).toBe(0);
    const noContact = await applyType1(buyer.token, orderNo);
    expect([noContact.status, String((noContact.json.error as { message: string }).message)]).toEqual([502, expect.stringContaining('72063')]);

    // Validation errors name the field and exit 5.
    const tooShort = await ops(['settings', 'contact', '--phone', '0591-88888888', '--timeout', '5']);
    expect(tooShort.code).toBe(5);
    expect(tooShort.stderr).toContain('timeOut: Too small');
    expect(tooShort.stderr).toContain('hint: timeOut is --timeout');
    const contact = await ops(['settings', 'contact', '--phone', '0591-88888888', '--timeout', '2h']);
    expect(contact.code).toBe(0);
    expect(contact.stdout).toContain('buyers have 2h to authorize');
    expect(contact.stdout).toContain('Next: ops settings auth-fields');
    const noAuthFields = await applyType1(buyer.token, orderNo);
    expect([noAuthFields.status, String((noAuthFields.json.error as { message: string }).message)]).toEqual([502, expect.stringContaining('72029')]);

    const typo = write('typo.yaml', 'user_field:\n  show_titel: true\nbiz_field:\n  show_title: true\n');
    const refused = await ops(['settings', 'auth-fields', typo]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/user_field.*show_titel/);
    const fields = write(
      'auth-fields.yaml',
      [
        'user_field:',
        '  show_title: true',
        '  show_phone: true',
        '  show_email: true',
        'biz_field:',
        '  show_title: true',
        '  show_tax_no: true',
        '  require_tax_no: true',
        '  show_addr: true',
        '  show_phone: true',
        '  show_bank_type: true',
        '  show_bank_no: true',
        '  custom_field:',
        '    - { key: 工号, is_require: 0, notice: 报销用 }',
        '',
      ].join('\n'),
    );
    const set = await ops(['settings', 'auth-fields', fields]);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/tax_no 税号\s+–\s+shown, required/);
    expect(set.stdout).toContain('authorization URLs can be issued');

    const payMch = await ops(['settings', 'pay-mch', '--mchid', '1230000109', '--s-pappid', merchant.sPappid]);
    expect(payMch.code).toBe(0);

    const after = await opsJson<{ contact: { value: { timeOut: number } }; authFields: { value: { biz_field: Record<string, unknown> } }; payMch: { value: { mchid: string }; updatedBy: string } }>([
      'settings',
      'show',
    ]);
    expect(after.contact.value.timeOut).toBe(7200);
    expect(after.authFields.value.biz_field).toMatchObject({ require_tax_no: 1, custom_field: [{ key: '工号', is_require: 0, notice: '报销用' }] });
    expect(after.payMch.value.mchid).toBe('1230000109');
    expect(after.payMch.updatedBy).toMatch(/^admin:key-[0-9a-f]{8}$/);
    const shown = await ops(['settings', 'show']);
    expect(shown.stdout).toContain('[x] contact');
    expect(shown.stdout).toContain('[x] auth fields');

    const link = await applyType1(buyer.token, orderNo);
    expect(link.status).toBe(200);
    expect(String(link.json.authUrl)).toMatch(/^pages\/auth\/auth\?/);
    // About fifteen CLI processes and a server restart: over a minute on a busy machine.
  }, 180_000);
});

describe('daily work', () => {
  it('imports 1,000 orders from a CSV export; bad rows are reported with the reason and not imported; a second run skips them all', async () => {
    const header = 'Order No,OpenID,Amount,Created At,Item Name,SPBM,Qty,Unit Price,Tax Rate,Warehouse';
    const rows: string[] = [header];
    const buyers = Array.from({ length: 20 }, (_, i) => openidFor(APPID, `imp${i}`));
    for (let i = 0; i < 1000; i++) {
      const orderNo = `I${tag}-${String(i).padStart(4, '0')}`;
      const openid = buyers[i % buyers.length] ?? '';
      if (i % 2 === 0) {
        rows.push(`${orderNo},${openid},113.00,2026-05-01 10:00:00,"办公椅, 黑色",1050201010000000000,2,56.50,13%,WH1`);
      } else {
        rows.push(`${orderNo},${openid},143.00,2026-05-01 10:00:00,办公椅,1050201010000000000,2,56.50,13%,WH1`);
        rows.push(`${orderNo},${openid},143.00,2026-05-01 10:00:00,订书机,1080212990000000000,3,10.00,0.13,WH2`);
      }
    }
    const bad = openidFor(APPID, 'impbad');
    const firstBadLine = rows.length + 1;
    rows.push(`B${tag}-spbm,${bad},56.50,,办公椅,105020101000000000,1,56.50,13%,WH1`); // 18 digits
    rows.push(`B${tag}-sum,${bad},99.00,,办公椅,1050201010000000000,1,56.50,13%,WH1`); // lines do not add up
    rows.push(`B${tag}-price,${bad},56.50,,办公椅,1050201010000000000,1,56.505,13%,WH1`); // 3 decimals
    rows.push(`B${tag}-openid,not an openid!,56.50,,办公椅,1050201010000000000,1,56.50,13%,WH1`);
    rows.push(`B${tag}-mixed,${bad},56.50,,办公椅,1050201010000000000,1,56.50,13%,WH1`);
    rows.push(`B${tag}-mixed,${buyers[0]},56.50,,订书机,1080212990000000000,1,56.50,13%,WH1`); // two buyers
    const file = write('orders.csv', `${rows.join('\n')}\n`);

    const first = await ops(['orders', 'import', file, '--json', '--progress']);
    expect(first.code).toBe(5);
    const summary = JSON.parse(first.stdout) as { orders: number; created: number; skipped: number; invalid: { where: string; orderNo: string; reason: string }[] };
    expect(summary).toMatchObject({ orders: 1005, created: 1000, skipped: 0 });
    const reasons = Object.fromEntries(summary.invalid.map((i) => [i.orderNo, `${i.where}: ${i.reason}`]));
    expect(Object.keys(reasons).sort()).toEqual([`B${tag}-mixed`, `B${tag}-openid`, `B${tag}-price`, `B${tag}-spbm`, `B${tag}-sum`].sort());
    expect(reasons[`B${tag}-spbm`]).toBe(`line ${firstBadLine}: spbm: must be the 19-digit tax classification code`);
    expect(reasons[`B${tag}-sum`]).toMatch(/add up|amount/i);
    expect(reasons[`B${tag}-price`]).toContain('unitPrice');
    expect(reasons[`B${tag}-openid`]).toContain('openid');
    expect(reasons[`B${tag}-mixed`]).toContain('openid differs');
    // Progress went to stderr (forced here), never into the JSON on stdout.
    expect(first.stderr).toContain('1005/1005');
    expect(first.stderr).toContain('note: ignoring columns Warehouse');

    const again = await ops(['orders', 'import', file]);
    expect(again.code).toBe(5);
    expect(again.stdout).toMatch(/created\s+0\n/);
    expect(again.stdout).toMatch(/skipped\s+1000\s+already there/);
    expect(again.stdout).toMatch(/invalid\s+5\s+not imported/);
    expect(again.stdout).toContain(`B${tag}-spbm`);
    expect(again.stderr).not.toContain('importing ['); // no progress bar without a terminal

    // What the buyers see: an order of two CSV rows as one order of two lines; none of the bad ones.
    const good = await login('imp3');
    const order = await call(serverUrl, 'GET', `/api/mp/orders/I${tag}-0003`, good.token);
    expect(order.json).toMatchObject({ amount: 14300, createdAt: '2026-05-01T02:00:00.000Z', items: [{ name: '办公椅', unitPrice: 5650 }, { name: '订书机', quantity: 3, taxRate: '0.13' }] });
    const even = await login('imp2');
    expect((await call(serverUrl, 'GET', `/api/mp/orders/I${tag}-0002`, even.token)).json).toMatchObject({ amount: 11300, items: [{ name: '办公椅, 黑色' }] });
    const badBuyer = await login('impbad');
    expect((await call(serverUrl, 'GET', '/api/mp/orders', badBuyer.token)).json.orders).toEqual([]);
  }, 120_000);

  it('lists, shows, retries, rejects and offsets invoice requests', async () => {
    const failing = await buyerWithInvoice('failing', 'SANDBOX_FAIL 李四');
    const failed = await waitForStatus(failing.orderNo, 'ISSUE_FAILED');

    const listed = await opsJson<{ id: string; orderNo: string }[]>(['invoices', 'list', '--status', 'issue_failed']);
    expect(listed.map((r) => r.id)).toContain(failed.id);
    const table = await ops(['invoices', 'list', '--status', 'ISSUE_FAILED,ISSUED', '--since', started.toISOString()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^id\s+order no\s+status\s+type\s+amount\s+title\s+created/);
    expect(table.stdout).toMatch(new RegExp(`${failed.id}\\s+${failing.orderNo}\\s+ISSUE_FAILED\\s+1\\s+¥113.00\\s+SANDBOX_FAIL 李四`));
    expect((await ops(['invoices', 'list', '--until', started.toISOString()])).stdout).toContain('No invoice requests match.');

    // Retry by order number: the platform fails it again (same title), then ops reject it.
    const retried = await ops(['invoices', 'retry', failing.orderNo]);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain(`${failed.id} (order ${failing.orderNo}): ISSUE_FAILED → AUTHORIZED`);
    await eventually(async () => {
      const request = await opsJson<{ status: string; attempts: number; history: { to: string }[] }>(['invoices', 'show', failed.id]);
      return request.status === 'ISSUE_FAILED' && request.history.filter((h) => h.to === 'ISSUE_FAILED').length === 2;
    }, 'the second ISSUE_FAILED', 30_000);
    const rejected = await ops(['invoices', 'reject', failed.id, '--reason', '抬头有误，请重新申请']);
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toContain('ISSUE_FAILED → REJECTED');
    const buyerView = await call(serverUrl, 'GET', `/api/mp/orders/${failing.orderNo}/invoice`, failing.token);
    expect(buyerView.json).toMatchObject({ status: 'REJECTED', rejectReason: '抬头有误，请重新申请' });
    const twice = await ops(['invoices', 'reject', failed.id, '--reason', 'again']);
    expect(twice.code).toBe(8);
    expect(twice.stderr).toContain('INVALID_STATE_TRANSITION');

    const shown = await ops(['invoices', 'show', failed.id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Status\s+REJECTED/);
    expect(shown.stdout).toMatch(/Reject reason\s+抬头有误，请重新申请/);
    expect(shown.stdout).toContain('History');
    expect(shown.stdout).toMatch(/ISSUE_FAILED\s+AUTHORIZED\s+retry/);
    expect(shown.stdout).toMatch(/admin:key-[0-9a-f]{8}\s+invoice\.reject/);
    expect((await ops(['invoices', 'show', 'ir_0000000000000000'])).code).toBe(7);

    // After a refund: offset the issued invoice with a red one.
    const paid = await buyerWithInvoice('refunded', '王小明');
    const issued = await waitForStatus(paid.orderNo, 'ISSUED');
    const offset = await ops(['invoices', 'offset', issued.id]);
    expect(offset.code).toBe(0);
    expect(offset.stdout).toContain('ISSUED → OFFSETTING');
    const done = await eventually(async () => {
      const request = await opsJson<{ status: string; invoice?: { fphm: string }; offset?: { invoice?: { fphm: string } } }>(['invoices', 'show', paid.orderNo]);
      return request.status === 'OFFSET' ? request : undefined;
    }, 'OFFSET', 30_000);
    expect(done.offset?.invoice?.fphm).toMatch(/^\d{8}$/);
    expect(done.offset?.invoice?.fphm).not.toBe(done.invoice?.fphm);
    expect((await ops(['invoices', 'offset', issued.id])).code).toBe(8);
  }, 120_000);
});

describe('reconcile', () => {
  it('agrees while WeChat does, then finds the request the sandbox issued behind the server’s back, and exits 1', async () => {
    const agreeing = await Promise.all([buyerWithInvoice('agreeing', '赵六'), buyerWithInvoice('agreeing2', '孙八')]);
    const ok = await Promise.all(agreeing.map((a) => waitForStatus(a.orderNo, 'ISSUED')));
    // One request a page: the ISSUED ones (these two and the earlier test's "escapes" buyer) are
    // checked only if reconcile follows the server's cursor.
    // How many other tests in this file left ISSUED depends on their order: ask the server.
    const listed = await call(serverUrl, 'GET', `/api/admin/invoices?createdAfter=${started.toISOString()}&status=ISSUED&limit=500`, ADMIN_KEY);
    const issuedNow = (listed.json.invoices as unknown[]).length;
    expect(issuedNow).toBeGreaterThanOrEqual(2);
    const clean = await ops(['invoices', 'reconcile', '--since', started.toISOString(), '--page-size', '1']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(new RegExp(`Checked ${issuedNow}: ${issuedNow} ok, 0 mismatch, 0 stuck`));

    // WeChat's answers go missing: no result push, and every query says "still processing".
    await call(sandbox.url, 'PUT', '/sandbox/api/faults', undefined, {
      endpoints: { '/card/invoice/queryinvoceinfo': { errorRate: 1, errcode: 73107 } },
      push: { dropRate: 1 },
    });
    const lost = await buyerWithInvoice('lost', '钱七');
    const issuing = await waitForStatus(lost.orderNo, 'ISSUING');
    await eventually(
      async () => ((await call(sandbox.url, 'GET', `/sandbox/api/invoices?ddh=${lost.orderNo}`)).json.invoices as { status: string }[])[0]?.status === 'issued',
      'the sandbox to issue',
      30_000,
    );
    // The server goes on without its worker; WeChat answers again.
    await stopServer();
    await startServer({ worker: false });
    await call(sandbox.url, 'DELETE', '/sandbox/api/faults');
    expect((await requestsOf(lost.orderNo))[0]?.status).toBe('ISSUING');

    const found = await ops(['invoices', 'reconcile', '--since', started.toISOString(), '--page-size', '1']);
    expect(found.code).toBe(1);
    expect(found.stdout).toMatch(new RegExp(`MISMATCH\\s+${issuing.id}\\s+${lost.orderNo}\\s+ISSUING\\s+WeChat issued \\d+/\\d+ but we were still waiting`));
    expect(found.stdout).toMatch(new RegExp(`Checked ${issuedNow + 1}: ${issuedNow} ok, 1 mismatch, 0 stuck`));
    expect(found.stdout).toContain('Needs a human');
    expect(found.stderr).toContain(`Reconciling ${issuedNow + 1} requests`);

    const report = await ops(['invoices', 'reconcile', '--since', '1d', '--json']);
    expect(report.code).toBe(1);
    const parsed = JSON.parse(report.stdout) as { ok: number; needsHuman: boolean; mismatch: { id: string; wechat: { state: string } }[] };
    expect(parsed).toMatchObject({ ok: issuedNow, needsHuman: true, mismatch: [{ id: issuing.id, wechat: { state: 'issued' } }] });
    expect(ok.map((r) => r.id)).not.toContain(issuing.id);
  }, 120_000);
});

describe('listing more than one page', () => {
  it('list follows the server’s pages: --all gets every request once, --limit the newest few', async () => {
    // Every request this file made before this test, as one server page (more than two pages' worth).
    const reference = await call(serverUrl, 'GET', `/api/admin/invoices?createdAfter=${started.toISOString()}&limit=500`, ADMIN_KEY);
    const expected = (reference.json.invoices as { id: string }[]).map((r) => r.id);
    expect(expected.length).toBeGreaterThanOrEqual(5);

    const all = await opsJson<{ id: string }[]>(['invoices', 'list', '--since', started.toISOString(), '--all', '--page-size', '2']);
    expect(all.map((r) => r.id)).toEqual(expected);

    const newest = await ops(['invoices', 'list', '--since', started.toISOString(), '--limit', '3', '--page-size', '2']);
    expect(newest.code).toBe(0);
    const rows = newest.stdout.split('\n').filter((line) => line.startsWith('ir_'));
    expect(rows.map((line) => line.split(/\s+/)[0])).toEqual(expected.slice(0, 3));
    expect(newest.stdout).toContain('3 requests (the newest; more match: raise --limit or use --all)');

    // By state (at least the two ISSUED ones of the reconcile), one a page.
    const issuedThere = await call(serverUrl, 'GET', `/api/admin/invoices?status=ISSUED&createdAfter=${started.toISOString()}`, ADMIN_KEY);
    const issuedIds = (issuedThere.json.invoices as { id: string }[]).map((r) => r.id);
    expect(issuedIds.length).toBeGreaterThanOrEqual(2);
    const issued = await opsJson<{ id: string }[]>(['invoices', 'list', '--status', 'ISSUED', '--since', started.toISOString(), '--all', '--page-size', '1']);
    expect(issued.map((r) => r.id)).toEqual(issuedIds);
  }, 60_000);
});

// After the reconcile, which counts the requests made before it.
describe('what buyers and order files get wrong', () => {
  it('reports a corrected re-import as a conflict naming the fields, and shows a title’s terminal escapes escaped', async () => {
    // The reconcile left the server without its worker: this one issues.
    await stopServer();
    await startServer({ worker: true });
    const buyer = await login('conflict');
    const order = { orderNo: `C${tag}`, openid: buyer.openid, amount: 11300, items: [{ name: '服务费', spbm: '3040201990000000000', quantity: 1, unitPrice: 11300, taxRate: '0.13' }] };
    expect((await ops(['orders', 'import', write('conflict-1.json', JSON.stringify([order]))])).code).toBe(0);
    const corrected = await ops(['orders', 'import', write('conflict-2.json', JSON.stringify([{ ...order, amount: 22600, items: [{ ...order.items[0], quantity: 2 }] }]))]);
    expect(corrected.code).toBe(8);
    expect(corrected.stdout).toMatch(/conflict\s+1\s+already there with other content/);
    expect(corrected.stdout).toMatch(new RegExp(`C${tag}\\s+.*amount, items\\.0`));

    // A buyer typed terminal control sequences into WeChat's title field (type 1: WeChat's page, not ours).
    const hostile = '\u001b]0;pwned\u0007\u001b[2J恶意买家';
    const { orderNo } = await buyerWithInvoice('escapes', hostile);
    const request = await waitForStatus(orderNo, 'ISSUED');
    for (const args of [['invoices', 'list', '--order', orderNo], ['invoices', 'show', request.id]]) {
      const shown = await ops(args);
      expect(shown.code).toBe(0);
      // eslint-disable-next-line no-control-regex -- no control character may reach the terminal
      expect(shown.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
      expect(shown.stdout).toContain('\\x1b]0;pwned\\x07\\x1b[2J');
    }
    const json = await opsJson<{ title?: { name?: string } }>(['invoices', 'show', request.id]);
    expect(json.title?.name).toBe(hostile); // --json stays JSON, with the text exactly as stored
  }, 120_000);
});

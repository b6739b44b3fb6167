/**
 * The console's session against the real app over HTTP: what a browser (or an attacker's page)
 * can and cannot do with the staff cookie. Production settings (Secure cookie).
 */
import { runCli } from '../../../scripts/ops/program';
import { startTestApp, TEST_ENV, type TestApp } from '../support/app';
import { orderFor } from '../support/orders';

const KEY = TEST_ENV.ADMIN_API_KEYS;
const PASSWORD = 'correct-horse-battery';
let app: TestApp;

async function call(method: string, path: string, opts: { cookie?: string; csrf?: string; origin?: string; body?: unknown; key?: string } = {}) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.cookie ? { cookie: opts.cookie } : {}),
      ...(opts.csrf ? { 'x-csrf-token': opts.csrf } : {}),
      ...(opts.origin ? { origin: opts.origin } : {}),
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
    },
    body: opts.body === undefined ? null : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = { text };
  }
  return { status: res.status, json, headers: res.headers, text };
}

async function login(username: string, password = PASSWORD) {
  const res = await call('POST', '/api/admin/session', { body: { username, password } });
  const setCookie = res.headers.get('set-cookie') ?? '';
  return { ...res, setCookie, cookie: setCookie.split(';')[0] ?? '', csrf: typeof res.json.csrfToken === 'string' ? res.json.csrfToken : '' };
}

beforeAll(async () => {
  app = await startTestApp({ env: { NODE_ENV: 'production', CONSOLE_LOGIN_MAX_FAILURES: '3', CONSOLE_LOGIN_WINDOW_MINUTES: '10' } });
  for (const [username, role] of [
    ['op', 'operator'],
    ['view', 'viewer'],
    ['boss', 'admin'],
    ['victim', 'viewer'],
  ] as const) {
    const added = await call('POST', '/api/admin/staff', { key: KEY, body: { username, displayName: `员工${username}`, role, password: PASSWORD } });
    expect(added.status).toBe(201);
  }
});
afterAll(async () => app?.close());

describe('the console session', () => {
  it('no cookie (and no key) → 401 on the admin API', async () => {
    const res = await call('GET', '/api/admin/invoices');
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect((await call('GET', '/api/admin/invoices', { cookie: 'fapiao_console=forged-token' })).status).toBe(401);
  });

  it('login sets an httpOnly, SameSite=Strict, Secure (production) cookie; the password is not stored in clear', async () => {
    const res = await login('op');
    expect(res.status).toBe(200);
    expect(res.setCookie).toMatch(/^fapiao_console=[^;]{20,};/);
    expect(res.setCookie.toLowerCase()).toContain('httponly');
    expect(res.setCookie.toLowerCase()).toContain('samesite=strict');
    expect(res.setCookie.toLowerCase()).toContain('secure');
    expect(res.json).toMatchObject({ staff: { username: 'op', role: 'operator' }, csrfToken: expect.any(String) });
    const stored = await app.container.repositories.staff.find('op');
    expect(stored?.passwordHash).toMatch(/^\$2[aby]\$10\$/);
    expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    // The session answers who is logged in.
    expect((await call('GET', '/api/admin/session', { cookie: res.cookie })).json).toMatchObject({ staff: { username: 'op' }, csrfToken: res.csrf });
  });

  it('a state-changing request without the CSRF token → 403, and so is one from another site with it', async () => {
    const { cookie, csrf } = await login('op');
    const order = orderFor('oBuyer0000001', 'CSRF-1');
    const without = await call('POST', '/api/admin/orders', { cookie, body: order, origin: 'https://evil.example' });
    expect(without.status).toBe(403);
    expect(without.json).toMatchObject({ error: { code: 'CSRF_FAILED' } });
    expect((await call('POST', '/api/admin/orders', { cookie, body: order })).status).toBe(403);
    expect((await call('POST', '/api/admin/orders', { cookie, body: order, csrf: 'x'.repeat(csrf.length) })).status).toBe(403);
    expect((await call('POST', '/api/admin/orders', { cookie, body: order, csrf, origin: 'https://evil.example' })).status).toBe(403);
    // Nothing was written by the refused requests.
    expect(await app.container.repositories.orders.findByOrderNo('CSRF-1')).toBeNull();
    // With the token, from this site: done, and audited with the staff member's name.
    const done = await call('POST', '/api/admin/orders', { cookie, body: order, csrf, origin: app.url });
    expect(done.status).toBe(201);
    const [entry] = await app.container.repositories.audit.forTarget('order:CSRF-1', 5);
    expect(entry).toMatchObject({ actor: 'staff:op', action: 'order.create' });
    // A login posted from another site is refused too (login CSRF).
    expect((await call('POST', '/api/admin/session', { body: { username: 'op', password: PASSWORD }, origin: 'https://evil.example' })).status).toBe(403);
  });

  it('wrong password ×3 → then 429 with Retry-After, even with the right password; other accounts are unaffected', async () => {
    for (let i = 0; i < 3; i++) {
      const wrong = await login('victim', `wrong-password-${i}`);
      expect(wrong.status).toBe(401);
      expect(wrong.setCookie).toBe('');
    }
    const limited = await login('victim');
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.setCookie).toBe('');
    expect((await login('boss')).status).toBe(200);
    // An unknown username counts the same way: no telling which names exist.
    expect((await login('nobody-here', 'x')).json).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('roles are enforced by the server: a viewer reads but cannot act; only an admin manages staff', async () => {
    const viewer = await login('view');
    expect((await call('GET', '/api/admin/invoices', { cookie: viewer.cookie })).status).toBe(200);
    const refused = await call('POST', '/api/admin/orders', { cookie: viewer.cookie, csrf: viewer.csrf, body: orderFor('oBuyer0000001', 'VIEW-1') });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
    expect((await call('POST', '/api/admin/invoices/ir_0000000000000000/retry', { cookie: viewer.cookie, csrf: viewer.csrf })).status).toBe(403);
    expect((await call('POST', '/api/admin/reconcile-runs', { cookie: viewer.cookie, csrf: viewer.csrf, body: { from: '2026-05-01', to: '2026-05-02' } })).status).toBe(403);
    expect((await call('GET', '/api/admin/reconcile-runs', { cookie: viewer.cookie })).status).toBe(200);
    const op = await login('op');
    expect((await call('GET', '/api/admin/staff', { cookie: op.cookie })).status).toBe(403);
    const boss = await login('boss');
    expect((await call('GET', '/api/admin/staff', { cookie: boss.cookie })).json.staff).toEqual(expect.arrayContaining([expect.objectContaining({ username: 'op', role: 'operator' })]));
    // Disabling an account ends its sessions at once.
    expect((await call('PUT', '/api/admin/staff/view', { cookie: boss.cookie, csrf: boss.csrf, body: { disabled: true } })).status).toBe(200);
    expect((await call('GET', '/api/admin/invoices', { cookie: viewer.cookie })).status).toBe(401);
    const [entry] = await app.container.repositories.audit.forTarget('staff:view', 1);
    expect(entry).toMatchObject({ actor: 'staff:boss', action: 'staff.update', detail: { disabled: true } });
  });

  it('ops staff add makes the first admin with an admin key; the password is read from the environment, or generated and printed once', async () => {
    const run = async (args: string[], env: Record<string, string>) => {
      let stdout = '';
      const code = await runCli([...args, '--server', app.url], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: { FAPIAO_ADMIN_KEY: KEY, ...env } });
      return { code, stdout };
    };
    const given = await run(['staff', 'add', 'first.admin', '--name', '王芳', '--role', 'admin'], { FAPIAO_STAFF_PASSWORD: 'from-the-environment' });
    expect(given.code).toBe(0);
    expect(given.stdout).toContain('first.admin (王芳, admin) added');
    expect(given.stdout).not.toContain('from-the-environment');
    expect((await login('first.admin', 'from-the-environment')).status).toBe(200);
    const generated = await run(['staff', 'add', 'second', '--name', '李四'], {});
    const password = /Password \(shown once\): (\S+)/.exec(generated.stdout)?.[1] ?? '';
    expect((await login('second', password)).json).toMatchObject({ staff: { role: 'viewer' } });
    expect((await run(['staff', 'add', 'second', '--name', '李四'], {})).code).not.toBe(0);
    expect((await run(['staff', 'list'], {})).stdout).toMatch(/first\.admin\s+王芳\s+admin/);
  });

  it('logout ends the session', async () => {
    const { cookie, csrf } = await login('boss');
    expect((await call('DELETE', '/api/admin/session', { cookie, csrf })).status).toBe(200);
    expect((await call('GET', '/api/admin/session', { cookie })).status).toBe(401);
  });

  it('the console page has a strict CSP with a fresh nonce per response', async () => {
    const first = await call('GET', '/console/');
    expect(first.status).toBe(200);
    const csp = first.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(first.text).toContain(`content="${nonce}"`);
    const second = await call('GET', '/console/');
    expect(/'nonce-([^']+)'/.exec(second.headers.get('content-security-policy') ?? '')?.[1]).not.toBe(nonce);
    expect(first.headers.get('x-frame-options')).toBe('DENY');
    expect((await call('GET', '/console')).status).toBe(302);
    expect((await call('GET', '/console/assets/..%2F..%2Fpackage.json')).status).toBe(404);
  });

  it('/openapi.json describes the console’s routes and the staff session', async () => {
    const doc = (await call('GET', '/openapi.json')).json as { paths: Record<string, Record<string, { 'x-staff-role'?: string }>>; components: { securitySchemes: Record<string, unknown> } };
    expect(doc.components.securitySchemes.staffSession).toMatchObject({ in: 'cookie', name: 'fapiao_console' });
    expect(doc.paths['/api/admin/staff']?.post?.['x-staff-role']).toBe('admin');
    expect(doc.paths['/api/admin/invoices/{id}/retry']?.post?.['x-staff-role']).toBe('operator');
    for (const path of ['/api/admin/session', '/api/admin/dashboard', '/api/admin/invoices/export', '/api/admin/invoices/{id}/pdf', '/api/admin/orders/{orderNo}']) expect(doc.paths[path]).toBeDefined();
    // The console's server jobs: a viewer follows them, an operator starts a reconcile.
    expect(doc.paths['/api/admin/invoices/{id}/calls']?.get?.['x-staff-role']).toBe('viewer');
    expect(doc.paths['/api/admin/reconcile-runs']?.post?.['x-staff-role']).toBe('operator');
    expect(doc.paths['/api/admin/reconcile-runs/{runId}']?.get?.['x-staff-role']).toBe('viewer');
    expect(doc.paths['/api/admin/reconcile-runs/{runId}/report']?.get?.['x-staff-role']).toBe('viewer');
    const exported = doc.paths['/api/admin/invoices/export']?.get as unknown as { responses: Record<string, { content: Record<string, unknown> }> };
    expect(Object.keys(exported.responses['200']!.content)).toEqual(['text/csv; charset=utf-8', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet']);
  });
});

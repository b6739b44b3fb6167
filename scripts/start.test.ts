import { testServerUri } from '../server/test/harness/database';
import { spawnTs } from '../server/test/support/process';

describe('npm start (scripts/start.ts)', () => {
  it('brings up the server against the database, prints its URLs, and stops cleanly on Ctrl-C', async () => {
    // MONGODB_URI points the launcher at the test run's database server instead of starting one.
    const start = spawnTs('scripts/start.ts', { MONGODB_URI: testServerUri(), PORT: '0' });
    try {
      const line = await start.waitForLine(/^\s+Server\s+http:\/\//, 60_000);
      const url = line.trim().split(/\s+/)[1] ?? '';
      expect(start.output()).toContain('Fapiao is running.');
      expect(start.output()).toMatch(/Admin API key\s+\S+/);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      // The demo buyer alice logs in (any code "alice.<n>") and sees her seeded orders.
      const login = await fetch(`${url}/api/mp/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `alice.${Date.now()}` }) });
      const { token } = (await login.json()) as { token: string };
      const orders = (await (await fetch(`${url}/api/mp/orders`, { headers: { authorization: `Bearer ${token}` } })).json()) as { orders: { orderNo: string }[] };
      expect(orders.orders.map((o) => o.orderNo).sort()).toEqual(['DEMO-ALICE-1', 'DEMO-ALICE-2', 'DEMO-ALICE-3']);
      const sandboxConsole = /console: (http:\/\/\S+)\)/.exec(start.output())?.[1] ?? '';
      expect((await fetch(sandboxConsole)).status).toBe(200);

      // The merchant console is served, and the printed demo login works.
      const consoleLine = /Console\s+(http:\/\/\S+)\s+log in as admin .* password (\S+)/.exec(start.output());
      expect(consoleLine).not.toBeNull();
      const page = await fetch(consoleLine?.[1] ?? '');
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      const staffLogin = await fetch(`${url}/api/admin/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: consoleLine?.[2] }),
      });
      expect(staffLogin.status).toBe(200);

      start.child.kill('SIGINT');
      expect(await start.exited).toEqual({ code: 0, signal: null });
      expect(start.output()).toContain('info stopped');
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      if (start.child.exitCode === null) start.child.kill('SIGKILL');
    }
  });
});

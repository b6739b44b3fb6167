import type { AddressInfo } from 'node:net';
import http from 'node:http';
import mongoose from 'mongoose';
import type { ErrorBody } from '@fapiao/shared';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createContainer } from '../src/container';
import { AppError } from '../src/errors';
import { createLogger } from '../src/logger';
import { testDatabaseUri } from './harness/database';

/** Starts the real app on a free port against a test database; returns its base URL. */
async function startApp(opts: { shuttingDown?: boolean; extra?: (app: ReturnType<typeof createApp>) => void } = {}) {
  const db = await mongoose.createConnection(testDatabaseUri()).asPromise();
  const config = loadConfig({
    MONGODB_URI: testDatabaseUri(),
    WECHAT_APPID: 'wx0123456789abcdef',
    WECHAT_SECRET: '0123456789abcdef0123456789abcdef',
    WECHAT_TOKEN: 'pushToken123',
    ADMIN_API_KEYS: 'key-aaaaaaaaaaaaaaaaaaaaaaaa',
  });
  const logs: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void logs.push(line) });
  const container = createContainer({ config, logger, db, isShuttingDown: () => opts.shuttingDown ?? false });
  const app = createApp(container);
  opts.extra?.(app);
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    db,
    logs,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await db.close();
    },
  };
}

describe('the HTTP skeleton', () => {
  it('answers /healthz and /readyz while the database is up', async () => {
    const app = await startApp();
    try {
      const health = await fetch(`${app.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready' });
    } finally {
      await app.close();
    }
  });

  it('/readyz answers 503 DATABASE_UNAVAILABLE once the database is gone, while /healthz stays up', async () => {
    const app = await startApp();
    try {
      await app.db.close();
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ error: { code: 'DATABASE_UNAVAILABLE', message: 'The database does not answer' } });
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('/readyz answers 503 SHUTTING_DOWN during shutdown', async () => {
    const app = await startApp({ shuttingDown: true });
    try {
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as ErrorBody).error.code).toBe('SHUTTING_DOWN');
    } finally {
      await app.close();
    }
  });

  it('renders unknown routes and wrong methods as coded JSON errors', async () => {
    const app = await startApp();
    try {
      const missing = await fetch(`${app.url}/nope`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ error: { code: 'ROUTE_NOT_FOUND', message: 'No route for GET /nope' } });
      const wrongMethod = await fetch(`${app.url}/healthz`, { method: 'DELETE' });
      expect(wrongMethod.status).toBe(405);
      expect(((await wrongMethod.json()) as ErrorBody).error.code).toBe('METHOD_NOT_ALLOWED');
    } finally {
      await app.close();
    }
  });

  it('passes AppErrors through and hides the details of unexpected errors, logging them', async () => {
    const app = await startApp({
      extra: (koa) => {
        // Mounted after the app's own routes: only reached for paths they do not answer.
        koa.middleware.splice(1, 0, async (ctx, next) => {
          if (ctx.path === '/app-error') throw new AppError('FORBIDDEN', 'Not your order');
          if (ctx.path === '/bug') throw new Error('secret internal detail');
          await next();
        });
      },
    });
    try {
      const appError = await fetch(`${app.url}/app-error`);
      expect(appError.status).toBe(403);
      expect(await appError.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'Not your order' } });
      const bug = await fetch(`${app.url}/bug`);
      expect(bug.status).toBe(500);
      expect(await bug.json()).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
      expect(app.logs.join('')).toContain('secret internal detail');
    } finally {
      await app.close();
    }
  });
});

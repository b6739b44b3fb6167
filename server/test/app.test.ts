import type { ErrorBody } from '@fapiao/shared';
import { AppError } from '../src/errors';
import { startTestApp } from './support/app';

describe('the HTTP skeleton', () => {
  it('answers /healthz and /readyz while the database is up', async () => {
    const app = await startTestApp();
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
    const app = await startTestApp();
    try {
      await app.container.db.close();
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ error: { code: 'DATABASE_UNAVAILABLE', message: 'The database does not answer' } });
      expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('/readyz answers 503 SHUTTING_DOWN during shutdown', async () => {
    const app = await startTestApp({ shuttingDown: true });
    try {
      const ready = await fetch(`${app.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as ErrorBody).error.code).toBe('SHUTTING_DOWN');
    } finally {
      await app.close();
    }
  });

  it('renders unknown routes and wrong methods as coded JSON errors', async () => {
    const app = await startTestApp();
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
    const app = await startTestApp({
      extra: (koa) => {
        // Mounted right after the request log and the error handler (the first two), before the routes.
        koa.middleware.splice(2, 0, async (ctx, next) => {
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

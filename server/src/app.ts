import Router from '@koa/router';
import Koa from 'koa';
import type { Container } from './container';
import { adminRoutes } from './http/admin/routes';
import { mountRoutes, openApiDocument, type AnyApiRoute } from './http/api-route';
import { authenticators } from './http/auth';
import { errorHandler } from './http/error-handler';
import { healthRoutes } from './http/health/routes';
import { mpRoutes } from './http/mp/routes';
import { metricsRoutes } from './http/metrics/routes';
import { outboxRoutes } from './http/admin/outbox-routes';
import { pushRoutes } from './http/push/routes';
import { REQUEST_ID_HEADER, requestLog } from './http/request-log';

type AppDeps = Pick<Container, 'config' | 'logger' | 'health' | 'push' | 'repositories' | 'lifecycle' | 'wechat' | 'metrics'>;

/**
 * Builds the Koa application from its dependencies. Never listens: main.ts does, and tests call
 * `app.callback()` or listen on port 0.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged below, not printed by Koa
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    deps.logger.error({ err, method: ctx?.method, path: ctx?.path, reqId: ctx?.response.get(REQUEST_ID_HEADER) }, 'request failed');
  });
  app.use(requestLog(deps.logger));
  app.use(errorHandler());

  const now = () => new Date();
  const { repositories, lifecycle } = deps;
  const auth = authenticators({ sessions: repositories.sessions, adminKeys: deps.config.ADMIN_API_KEYS, now });
  const ordersDeps = { orders: repositories.orders, requests: repositories.requests, now };
  const groups: { prefix: string; routes: AnyApiRoute[] }[] = [
    {
      prefix: '/api/mp',
      routes: mpRoutes({
        login: { wechat: deps.wechat, sessions: repositories.sessions, now, sessionTtlMs: deps.config.SESSION_TTL_HOURS * 3600_000 },
        orders: { ...ordersDeps, emailCopy: Boolean(deps.config.SMTP_URL) },
        lifecycle,
      }),
    },
    {
      prefix: '/api/admin',
      routes: adminRoutes({
        orders: ordersDeps,
        lifecycle,
        settings: { invoice: deps.wechat.invoice, settings: repositories.settings, audit: repositories.audit, now },
        audit: repositories.audit,
        now,
      }).concat(outboxRoutes({ emails: repositories.emailOutbox, alerts: repositories.alertOutbox })),
    },
  ];

  const api = new Router();
  for (const group of groups) {
    const router = new Router({ prefix: group.prefix });
    mountRoutes(router, group.routes, auth);
    api.use(router.routes(), router.allowedMethods({ throw: true }));
  }
  const openApi = openApiDocument('Fapiao API', '0.1.0', groups);
  api.get('/openapi.json', (ctx) => {
    ctx.body = openApi;
  });

  const pushes = pushRoutes({
    ...deps.push,
    observe: (outcome, seconds) => {
      deps.metrics.pushes.inc({ outcome });
      deps.metrics.pushAck.observe({ outcome }, seconds);
    },
  });
  const metrics = metricsRoutes({ registry: deps.metrics.registry, token: deps.config.METRICS_TOKEN });
  for (const router of [healthRoutes(deps.health), metrics, pushes, api]) {
    app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  }
  return app;
}

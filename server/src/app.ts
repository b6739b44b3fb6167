import Router from '@koa/router';
import Koa from 'koa';
import type { Container } from './container';
import { dashboardRoutes } from './http/admin/dashboard-routes';
import { invoiceFileRoutes } from './http/admin/invoice-file-routes';
import { adminRoutes } from './http/admin/routes';
import { staffRoutes } from './http/admin/staff-routes';
import { reconcileRunRoutes } from './http/admin/reconcile-run-routes';
import { wechatCallRoutes } from './http/admin/wechat-call-routes';
import { consoleRoutes } from './http/console/routes';
import { mountRoutes, openApiDocument, type AnyApiRoute } from './http/api-route';
import { authenticators } from './http/auth';
import { channelRoutes } from './http/channel/routes';
import { h5Routes } from './http/h5/routes';
import { isDatabaseUnavailable } from './data/unavailable';
import { errorHandler } from './http/error-handler';
import { healthRoutes } from './http/health/routes';
import { mpRoutes } from './http/mp/routes';
import { metricsRoutes } from './http/metrics/routes';
import { outboxRoutes } from './http/admin/outbox-routes';
import { pushRoutes } from './http/push/routes';
import { REQUEST_ID_HEADER, requestLog } from './http/request-log';

type AppDeps = Pick<Container, 'logger' | 'http'>;

/**
 * Mounts every router on a Koa application, each from the dependencies the container built for it
 * (container.ts). Never listens: main.ts does, and tests call `app.callback()` or listen on port 0.
 */
export function createApp({ logger, http }: AppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged below, not printed by Koa
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    logger.error({ err, method: ctx?.method, path: ctx?.path, reqId: ctx?.response.get(REQUEST_ID_HEADER) }, 'request failed');
  });
  app.use(requestLog(logger));
  app.use(errorHandler({ isDatabaseUnavailable }));

  const groups: { prefix: string; routes: AnyApiRoute[] }[] = [
    { prefix: '/api/mp', routes: mpRoutes(http.mp) },
    {
      prefix: '/api/admin',
      routes: [
        ...staffRoutes(http.admin.staff),
        ...dashboardRoutes(http.admin.dashboard),
        // Before /invoices/:id, so "export" is not taken for an id.
        ...invoiceFileRoutes(http.admin.invoiceFiles),
        ...wechatCallRoutes(http.admin.wechatCalls),
        ...reconcileRunRoutes(http.admin.reconcileRuns),
        ...adminRoutes(http.admin.routes),
        ...outboxRoutes(http.admin.outbox),
      ],
    },
    { prefix: '/api/channel', routes: channelRoutes(http.channel) },
  ];
  const auth = authenticators(http.auth);
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

  const routers = [healthRoutes(http.health), metricsRoutes(http.metrics), pushRoutes(http.push), api, h5Routes(http.h5), consoleRoutes(http.consoleDist)];
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  return app;
}

import Router from '@koa/router';
import Koa from 'koa';
import type { Container } from './container';
import { dashboardRoutes } from './http/admin/dashboard-routes';
import { invoiceFileRoutes } from './http/admin/invoice-file-routes';
import { adminRoutes } from './http/admin/routes';
import { staffRoutes } from './http/admin/staff-routes';
import { reconcileRunRoutes } from './http/admin/reconcile-run-routes';
import { wechatCallRoutes } from './http/admin/wechat-call-routes';
import { consoleRoutes, findConsoleDist } from './http/console/routes';
import { AppError } from './errors';
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

type AppDeps = Pick<Container, 'config' | 'logger' | 'health' | 'push' | 'repositories' | 'lifecycle' | 'wechat' | 'accounts' | 'metrics'>;

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
  app.use(errorHandler({ isDatabaseUnavailable }));

  const now = () => new Date();
  const { repositories, lifecycle } = deps;
  const { config } = deps;
  const staff = {
    staff: repositories.staff,
    audit: repositories.audit,
    now,
    sessionTtlMs: config.CONSOLE_SESSION_HOURS * 3600_000,
    maxFailures: config.CONSOLE_LOGIN_MAX_FAILURES,
    failureWindowMs: config.CONSOLE_LOGIN_WINDOW_MINUTES * 60_000,
  };
  const auth = authenticators({
    sessions: repositories.sessions,
    adminKeys: config.ADMIN_API_KEYS,
    channelKeys: config.CHANNEL_API_KEYS,
    defaultAccount: deps.accounts.default.name,
    staff,
    now,
  });
  const ordersDeps = { orders: repositories.orders, requests: repositories.requests, now };
  const sessionTtlMs = deps.config.SESSION_TTL_HOURS * 3600_000;
  const invoiceCallers = deps.accounts.all.map((a) => ({ name: a.name, invoice: a.client.invoice }));
  const payMchAccount = deps.accounts.all.find((a) => a.kind === 'official_account') ?? deps.accounts.default;
  const groups: { prefix: string; routes: AnyApiRoute[] }[] = [
    {
      prefix: '/api/mp',
      routes: mpRoutes({
        login: { sessions: repositories.sessions, now, sessionTtlMs },
        orders: { ...ordersDeps, emailCopy: Boolean(deps.config.SMTP_URL) },
        lifecycle,
      }),
    },
    {
      prefix: '/api/admin',
      routes: [
        ...staffRoutes({ ...staff, cookie: { secure: config.NODE_ENV === 'production' } }),
        ...dashboardRoutes({ requests: repositories.requests, now }),
        // Before /invoices/:id, so "export" is not taken for an id.
        ...invoiceFileRoutes({ requests: repositories.requests, fetchPdf: (url) => fetchPdf(url, config.WECHAT_TIMEOUT_MS) }),
        ...wechatCallRoutes({ requests: repositories.requests, calls: repositories.wechatCalls }),
        ...reconcileRunRoutes({ runs: repositories.reconcileRuns, lifecycle, countNeedingAttention: repositories.requestCounts.needingAttention, now }),
        ...adminRoutes({
        orders: ordersDeps,
        lifecycle,
        settings: {
          invoice: deps.wechat.invoice,
          accounts: invoiceCallers,
          payMchAccount: { name: payMchAccount.name, invoice: payMchAccount.client.invoice },
          settings: repositories.settings,
          audit: repositories.audit,
          now,
        },
        audit: repositories.audit,
        now,
        }),
        ...outboxRoutes({ emails: repositories.emailOutbox, alerts: repositories.alertOutbox }),
      ],
    },
    { prefix: '/api/channel', routes: channelRoutes({ lifecycle }) },
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

  const h5 = h5Routes({
    lifecycle,
    orders: ordersDeps,
    sessions: repositories.sessions,
    sessionTtlMs,
    openBase: deps.config.WECHAT_OPEN_BASE,
    ...(deps.config.PUBLIC_URL ? { publicUrl: deps.config.PUBLIC_URL } : {}),
    now,
    log: deps.logger,
  });
  const pushes = pushRoutes({
    ...deps.push,
    observe: (outcome, seconds) => {
      deps.metrics.pushes.inc({ outcome });
      deps.metrics.pushAck.observe({ outcome }, seconds);
    },
  });
  const metrics = metricsRoutes({ registry: deps.metrics.registry, token: deps.config.METRICS_TOKEN });
  for (const router of [healthRoutes(deps.health), metrics, pushes, api, h5, consoleRoutes(findConsoleDist())]) {
    app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  }
  return app;
}

async function fetchPdf(url: string, timeoutMs: number): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw new AppError('WECHAT_UNAVAILABLE', 'The invoice PDF could not be fetched from WeChat; try again shortly');
  }
  if (!res.ok) throw new AppError('WECHAT_UNAVAILABLE', `WeChat answered ${res.status} for the invoice PDF; try again shortly`);
  return Buffer.from(await res.arrayBuffer());
}

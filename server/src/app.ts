import Router from '@koa/router';
import Koa from 'koa';
import type { Container } from './container';
import { adminRoutes } from './http/admin/routes';
import { mountRoutes, openApiDocument, type AnyApiRoute } from './http/api-route';
import { authenticators } from './http/auth';
import { channelRoutes } from './http/channel/routes';
import { h5Routes } from './http/h5/routes';
import { errorHandler } from './http/error-handler';
import { healthRoutes } from './http/health/routes';
import { mpRoutes } from './http/mp/routes';
import { pushRoutes } from './http/push/routes';

type AppDeps = Pick<Container, 'config' | 'logger' | 'health' | 'push' | 'repositories' | 'lifecycle' | 'wechat' | 'accounts'>;

/**
 * Builds the Koa application from its dependencies. Never listens: main.ts does, and tests call
 * `app.callback()` or listen on port 0.
 */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged below, not printed by Koa
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    deps.logger.error({ err, method: ctx?.method, path: ctx?.path }, 'request failed');
  });
  app.use(errorHandler());

  const now = () => new Date();
  const { repositories, lifecycle } = deps;
  const auth = authenticators({
    sessions: repositories.sessions,
    adminKeys: deps.config.ADMIN_API_KEYS,
    channelKeys: deps.config.CHANNEL_API_KEYS,
    defaultAccount: deps.accounts.default.name,
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
        orders: ordersDeps,
        lifecycle,
      }),
    },
    {
      prefix: '/api/admin',
      routes: adminRoutes({
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
  for (const router of [healthRoutes(deps.health), pushRoutes(deps.push), api, h5]) {
    app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  }
  return app;
}

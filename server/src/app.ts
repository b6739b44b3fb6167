import Koa from 'koa';
import type { Container } from './container';
import { errorHandler } from './http/error-handler';
import { healthRoutes } from './http/health/routes';
import { pushRoutes } from './http/push/routes';

/**
 * Builds the Koa application from its dependencies. Never listens: main.ts does, and tests call
 * `app.callback()` or listen on port 0.
 */
export function createApp(deps: Pick<Container, 'logger' | 'health' | 'push'>): Koa {
  const app = new Koa({ proxy: true });
  app.silent = true; // errors are logged below, not printed by Koa
  app.on('error', (err: unknown, ctx?: Koa.Context) => {
    deps.logger.error({ err, method: ctx?.method, path: ctx?.path }, 'request failed');
  });
  app.use(errorHandler());
  const health = healthRoutes(deps.health);
  app.use(health.routes()).use(health.allowedMethods({ throw: true }));
  const push = pushRoutes(deps.push);
  app.use(push.routes()).use(push.allowedMethods({ throw: true }));
  return app;
}

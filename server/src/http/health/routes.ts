import Router from '@koa/router';
import { AppError } from '../../errors';

export interface HealthDeps {
  /** Resolves when the database answers a ping, rejects otherwise. */
  pingDatabase(): Promise<void>;
  /** True once shutdown has begun: the load balancer should stop sending traffic. */
  isShuttingDown(): boolean;
}

/** /healthz: the process is up. /readyz: it can serve (database reachable, not shutting down). */
export function healthRoutes(deps: HealthDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    if (deps.isShuttingDown()) throw new AppError('SHUTTING_DOWN', 'The server is shutting down');
    try {
      await deps.pingDatabase();
    } catch {
      throw new AppError('DATABASE_UNAVAILABLE', 'The database does not answer');
    }
    ctx.body = { status: 'ready' };
  });
  return router;
}

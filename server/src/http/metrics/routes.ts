import crypto from 'node:crypto';
import Router from '@koa/router';
import type { Registry } from 'prom-client';
import { AppError } from '../../errors';

export interface MetricsRouteDeps {
  registry: Registry;
  token: string | undefined;
}

/**
 * /metrics in Prometheus text format, for a scraper holding METRICS_TOKEN
 * (`Authorization: Bearer <token>`; Prometheus: `authorization: {credentials: …}`). Its own token,
 * not an admin key: a scraper can read counts, nothing else. Without METRICS_TOKEN it is off.
 */
export function metricsRoutes(deps: MetricsRouteDeps): Router {
  const router = new Router();
  const expected = deps.token ? crypto.createHash('sha256').update(deps.token).digest() : undefined;
  router.get('/metrics', async (ctx) => {
    if (!expected) throw new AppError('ROUTE_NOT_FOUND', 'Metrics are off: set METRICS_TOKEN to turn them on');
    const given = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'))?.[1] ?? '';
    if (!crypto.timingSafeEqual(crypto.createHash('sha256').update(given).digest(), expected)) {
      throw new AppError('UNAUTHENTICATED', 'A scrape of /metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    ctx.type = deps.registry.contentType;
    ctx.body = await deps.registry.metrics();
  });
  return router;
}

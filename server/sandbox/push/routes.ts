import Router from '@koa/router';
import type { Context } from 'koa';
import type { SandboxContext } from '../context';

/**
 * GET /sandbox/api/pushes: every push delivery and every attempt at it, oldest first. Filters:
 * appid, event, order_id, fpqqlsh, status (of the delivery).
 */
export function pushRoutes(sb: SandboxContext): Router {
  const router = new Router({ prefix: '/sandbox/api' });
  router.get('/pushes', async (ctx) => {
    const where = given(ctx, { appid: 'appid', event: 'event', orderId: 'order_id', fpqqlsh: 'fpqqlsh', status: 'status' });
    const deliveries = await sb.models.PushDelivery.find(where).sort({ createdAt: 1 }).limit(500).lean();
    const ids = deliveries.map((d) => String(d._id));
    const attempts = await sb.models.PushAttempt.find({ deliveryId: { $in: ids } }).sort({ at: 1 }).limit(2000).lean();
    ctx.body = {
      deliveries: deliveries.map((d) => ({
        id: String(d._id),
        appid: d.appid,
        event: d.event,
        openid: d.openid,
        orderId: d.orderId,
        fpqqlsh: d.fpqqlsh,
        copy: d.copy,
        status: d.status,
        attempts: d.attempts,
        fields: d.fields,
        createdAt: d.createdAt,
      })),
      attempts: attempts.map((a) => ({
        deliveryId: a.deliveryId,
        appid: a.appid,
        event: a.event,
        openid: a.openid,
        orderId: a.orderId,
        fpqqlsh: a.fpqqlsh,
        copy: a.copy,
        attempt: a.attempt,
        at: a.at,
        url: a.url,
        httpStatus: a.httpStatus,
        error: a.error,
        responseSnippet: a.responseSnippet,
        durationMs: a.durationMs,
        outcome: a.outcome,
      })),
    };
  });
  return router;
}

function given(ctx: Context, names: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, query] of Object.entries(names)) {
    const value = ctx.query[query];
    if (typeof value === 'string' && value !== '') out[field] = value;
  }
  return out;
}

import crypto from 'node:crypto';
import type { Middleware } from 'koa';
import { withLogContext, type Logger } from '../logger';

/** The header that carries the request id, both ways. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** An id a proxy or client sent is kept if it is short and plain; anything else is replaced. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * Registered first: gives every HTTP request an id (the caller's X-Request-Id if acceptable, else
 * a new one), returns it in X-Request-Id, puts it (`reqId`) on every log line written while the
 * request is handled, and logs one line per request when it is answered.
 */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const given = ctx.get(REQUEST_ID_HEADER);
    const reqId = ACCEPTABLE_ID.test(given) ? given : crypto.randomUUID();
    ctx.set(REQUEST_ID_HEADER, reqId);
    const started = process.hrtime.bigint();
    await withLogContext({ reqId }, async () => {
      try {
        await next();
      } finally {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // The path only: query strings may carry signatures (pushes) or cursors.
        logger.info({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 }, 'http');
      }
    });
  };
}

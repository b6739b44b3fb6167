import type { Middleware } from 'koa';
import { httpStatusOf, isErrorCode, type ErrorBody, type ErrorCode } from '@fapiao/shared';
import { AppError } from '../errors';

/**
 * Registered first: turns anything thrown below into `{ error: { code, message } }`.
 * AppErrors carry their own code. Errors from Koa middleware (koa-body's 400/413/415, ctx.throw)
 * are mapped by status. Everything else is a bug: answered INTERNAL with a generic message and
 * handed to app.on('error') for logging. `isDatabaseUnavailable` tells the database's own "down or
 * unreachable" errors (the data layer knows its driver's) from bugs.
 */
export function errorHandler(deps: { isDatabaseUnavailable: (err: unknown) => boolean }): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError('ROUTE_NOT_FOUND', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const { code, message, internal } = describe(err, deps.isDatabaseUnavailable);
      ctx.status = httpStatusOf(code);
      ctx.body = { error: { code, message } } satisfies ErrorBody;
      // A body refused halfway (413 on a chunked upload, a broken gzip stream) leaves its rest on the
      // socket, where the client's next request would meet it and be reset: end the connection.
      if (ctx.req.readableDidRead && !ctx.req.complete) ctx.set('Connection', 'close');
      if (internal) ctx.app.emit('error', err, ctx);
    }
  };
}

function describe(err: unknown, isDatabaseUnavailable: (err: unknown) => boolean): { code: ErrorCode; message: string; internal: boolean } {
  if (err instanceof AppError) return { code: err.code, message: err.message, internal: false };
  // Not a bug: the database is down, frozen or unreachable. A 503 tells clients (and WeChat, for a
  // push) to try again; the worker's own database errors are retried by the worker.
  if (isDatabaseUnavailable(err)) return { code: 'DATABASE_UNAVAILABLE', message: 'The database does not answer; try again shortly', internal: false };
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; code?: unknown };
  const status = Number(e.status ?? e.statusCode);
  if (isErrorCode(e.code)) return { code: e.code, message: String(e.message), internal: false };
  if (status === 413) return { code: 'BODY_TOO_LARGE', message: 'Request body is too large', internal: false };
  if (status === 415) return { code: 'MALFORMED_BODY', message: 'Unsupported content type', internal: false };
  if (status === 400) return { code: 'MALFORMED_BODY', message: e.expose ? String(e.message) : 'Malformed request body', internal: false };
  if (status === 401) return { code: 'UNAUTHENTICATED', message: 'Authentication required', internal: false };
  if (status === 403) return { code: 'FORBIDDEN', message: 'Forbidden', internal: false };
  if (status === 404) return { code: 'ROUTE_NOT_FOUND', message: 'Not found', internal: false };
  if (status === 405) return { code: 'METHOD_NOT_ALLOWED', message: 'Method not allowed', internal: false };
  // koa-router answers 501 for a method it has no route for anywhere (TRACE, PROPFIND…): to the
  // client that is a method this resource does not allow, and no server error.
  if (status === 501) return { code: 'METHOD_NOT_ALLOWED', message: 'Method not allowed', internal: false };
  return { code: 'INTERNAL', message: 'Internal server error', internal: true };
}

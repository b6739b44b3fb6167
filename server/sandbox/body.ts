import type { Context, Middleware } from 'koa';
import { readText } from './read-text';
import { fail } from './reply';

const LIMIT_BYTES = 1024 * 1024;

/**
 * WeChat parses a POST body as JSON whatever its Content-Type (SDKs send text/plain, form types
 * or nothing), and answers 47001 when it is not JSON. An empty body reads as {}.
 */
export function wechatJsonBody(): Middleware {
  return async (ctx, next) => {
    if (ctx.method === 'POST' || ctx.method === 'PUT') {
      const text = await readText(ctx.req, LIMIT_BYTES);
      if (text === undefined) fail(47001, 'data format error: body too large');
      try {
        ctx.state.wechatBody = text.trim() ? (JSON.parse(text) as unknown) : {};
      } catch {
        fail(47001);
      }
    }
    await next();
  };
}

/** The parsed JSON body of a POST (see wechatJsonBody). */
export function bodyOf(ctx: Context): unknown {
  return (ctx.state as { wechatBody?: unknown }).wechatBody;
}

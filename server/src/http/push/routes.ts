import Router from '@koa/router';
import type { Context } from 'koa';
import { receivePush, type ReceivePushDeps } from '../../domain/receive-push';
import { AppError } from '../../errors';
import { readText } from '../read-text';

/** WeChat's pushes are a few hundred bytes; anything near this is not from WeChat. */
export const PUSH_BODY_LIMIT_BYTES = 64 * 1024;

export type PushOutcome = 'stored' | 'duplicate' | 'refused';

/** /wechat/push: the URL configured for message push in the WeChat console. */
export function pushRoutes(deps: ReceivePushDeps & { observe?: (outcome: PushOutcome, seconds: number) => void }): Router {
  const router = new Router();
  router.get('/wechat/push', async (ctx) => {
    const answer = await receivePush(deps, { method: 'GET', query: singleValues(ctx), body: '' });
    reply(ctx, answer.body);
  });
  router.post('/wechat/push', async (ctx) => {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const body = await readText(ctx.req, PUSH_BODY_LIMIT_BYTES);
      if (body === undefined) throw new AppError('BODY_TOO_LARGE', `A push body may not exceed ${PUSH_BODY_LIMIT_BYTES} bytes`);
      const answer = await receivePush(deps, { method: 'POST', query: singleValues(ctx), body, contentType: ctx.get('content-type') });
      reply(ctx, answer.body);
      if (answer.kind === 'received') deps.observe?.(answer.duplicate ? 'duplicate' : 'stored', seconds());
    } catch (err) {
      // Refused: a bad signature or body (an AppError); anything else is not the push's fault.
      if (err instanceof AppError) deps.observe?.('refused', seconds());
      throw err;
    }
  });
  return router;
}

/** WeChat wants the bare text back (echostr verbatim, or "success"), not JSON. */
function reply(ctx: Context, text: string): void {
  ctx.type = 'text/plain';
  ctx.body = text;
}

function singleValues(ctx: Context): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(ctx.query).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
}

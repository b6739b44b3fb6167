import Router from '@koa/router';
import type { Context } from 'koa';
import { acceptPush, type PushDeps } from '../../domain/pushes';
import { AppError } from '../../errors';
import { readText } from '../read-text';

/** WeChat's pushes are a few hundred bytes; anything near this is not from WeChat. */
const PUSH_BODY_LIMIT_BYTES = 64 * 1024;

export type PushOutcome = 'stored' | 'duplicate' | 'refused';

/**
 * The URLs configured for message push in each account's WeChat console: /wechat/push/<account>
 * for every account, and /wechat/push for the default one (today's URL). Each is verified with
 * its own account's Token and EncodingAESKey only.
 */
export function pushRoutes(deps: PushDeps & { observe?: (outcome: PushOutcome, seconds: number) => void }): Router {
  const router = new Router();
  for (const path of ['/wechat/push', '/wechat/push/:account']) {
    const accountOf = (ctx: Context) => (ctx.params as { account?: string }).account;
    router.get(path, async (ctx) => {
      const answer = await acceptPush(deps, { method: 'GET', query: singleValues(ctx), body: '' }, accountOf(ctx));
      reply(ctx, answer.body);
    });
    router.post(path, async (ctx) => {
      const account = accountOf(ctx);
      // Unknown account: 404 before the body is read.
      if (account !== undefined && !deps.accounts.byName(account)?.push) throw new AppError('ROUTE_NOT_FOUND', 'No push endpoint for this account');
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        const body = await readText(ctx.req, PUSH_BODY_LIMIT_BYTES);
        if (body === undefined) throw new AppError('BODY_TOO_LARGE', `A push body may not exceed ${PUSH_BODY_LIMIT_BYTES} bytes`);
        const answer = await acceptPush(deps, { method: 'POST', query: singleValues(ctx), body, contentType: ctx.get('content-type') }, account);
        reply(ctx, answer.body);
        if (answer.kind === 'received') deps.observe?.(answer.duplicate ? 'duplicate' : 'stored', seconds());
      } catch (err) {
        // Refused: a bad signature or body (an AppError); anything else is not the push's fault.
        if (err instanceof AppError) deps.observe?.('refused', seconds());
        throw err;
      }
    });
  }
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

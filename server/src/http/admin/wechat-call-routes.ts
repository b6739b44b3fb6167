import { z } from 'zod';
import { listWeChatCalls, type WeChatCallDeps } from '../../domain/admin/wechat-calls';
import { decodePageCursor } from '../../domain/paging';
import { route, type AnyApiRoute } from '../api-route';
import { idParams, wechatCallPage } from '@fapiao/shared/contract';

const cursor = z
  .string()
  .max(300)
  .transform((text, ctx) => {
    const decoded = decodePageCursor(text);
    if (!decoded || !/^[0-9a-f]{24}$/.test(decoded.key)) {
      ctx.addIssue({ code: 'custom', message: 'must be the nextCursor of a previous page, unchanged' });
      return z.NEVER;
    }
    return decoded;
  })
  .describe('nextCursor from the previous page');

/** Every WeChat call made for one request (wechat_calls), for ops: the request page's table. */
export function wechatCallRoutes(deps: WeChatCallDeps): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/invoices/:id/calls',
      summary: 'Every WeChat API call made for the request (worker, ops, buyer), newest first, paged; kept about 400 days',
      auth: 'admin',
      params: idParams,
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: cursor.optional() }).strict(),
      response: wechatCallPage,
      handler: ({ params, query }) => listWeChatCalls(deps, params.id, query.limit, query.cursor),
    }),
  ];
}

import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { bodyOf } from '../body';
import type { SandboxContext } from '../context';
import { problem, renderProblems } from './api-problem';
import { authorizeOrder } from './authorization';
import { parseAuthUrl } from './authurl';
import { isOpenid } from './fields';
import { loadMerchant } from './merchant';
import { authorizationView, invoiceView, merchantView } from './views';

/**
 * The invoicing part of the machine API (/sandbox/api/…), for tests, the authorization page and
 * demos: act as the user on the authorization page, and look at what the sandbox holds.
 */

const authorizeBody = z
  .object({
    auth_url: z.string().min(1).optional(),
    s_pappid: z.string().min(1).optional(),
    order_id: z.string().min(1).optional(),
    appid: z.string().min(1).optional(),
    openid: z.string().refine(isOpenid, 'must be an openid: 28 characters of [A-Za-z0-9_-] (see openidFor)'),
    action: z.enum(['authorize', 'decline']),
    user_field: z.unknown().optional(),
    biz_field: z.unknown().optional(),
    postPayment: z.boolean().optional(),
    money: z.number().int().positive().optional(),
    type: z.number().int().optional(),
    source: z.enum(['app', 'web', 'wap', 'wxa']).optional(),
  })
  .strict();

/** A single-valued query parameter, or undefined. */
function param(ctx: Context, name: string): string | undefined {
  const value = ctx.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Only the filters that were given. */
function filter(entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));
}

export function invoiceMachineRoutes(sb: SandboxContext): Router {
  const router = new Router({ prefix: '/sandbox/api' });
  router.use(renderProblems());

  // The user on the authorization page: {auth_url} or {s_pappid, order_id[, appid]}, openid, action.
  router.post('/authorize', async (ctx) => {
    const parsed = authorizeBody.safeParse(bodyOf(ctx));
    if (!parsed.success) problem(400, 'VALIDATION_FAILED', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    const { authorization, changed } = await authorizeOrder(sb, parsed.data);
    ctx.body = { authorization: authorizationView(sb, authorization, await loadMerchant(sb, authorization.appid)), changed };
  });

  router.get('/authorizations', async (ctx) => {
    const byUrl = param(ctx, 'auth_url');
    const id = byUrl === undefined ? undefined : parseAuthUrl(byUrl);
    if (byUrl !== undefined && !id) problem(400, 'AUTH_URL_INVALID', 'auth_url lacks appid, s_pappid, o1 or signature');
    const where = id
      ? { appid: id.appid, s_pappid: id.s_pappid, order_id: id.order_id }
      : filter({ appid: param(ctx, 'appid'), s_pappid: param(ctx, 's_pappid'), order_id: param(ctx, 'order_id'), status: param(ctx, 'status') });
    const found = await sb.models.Authorization.find(where).sort({ createdAt: 1 }).limit(500).lean();
    const views = [];
    for (const a of found) views.push(authorizationView(sb, a, a.type === 1 ? await loadMerchant(sb, a.appid) : undefined));
    ctx.body = { authorizations: views };
  });

  router.get('/invoices', async (ctx) => {
    const where = filter({
      appid: param(ctx, 'appid'),
      ddh: param(ctx, 'ddh'),
      fpqqlsh: param(ctx, 'fpqqlsh'),
      kind: param(ctx, 'kind'),
      status: param(ctx, 'status'),
    });
    const found = await sb.models.Invoice.find(where).sort({ createdAt: 1 }).limit(500).lean();
    ctx.body = { invoices: found.map((i) => invoiceView(sb, i)) };
  });

  // An app's invoicing identity: s_pappid, merchant code (fpqqlsh prefix), settings.
  router.get('/merchant', async (ctx) => {
    const appid = param(ctx, 'appid');
    if (!appid) problem(400, 'VALIDATION_FAILED', 'appid is required');
    if (!(await sb.models.App.exists({ appid }))) problem(404, 'APP_NOT_FOUND', 'the sandbox has no such app');
    ctx.body = merchantView(appid, await sb.models.Merchant.findOne({ appid }).lean());
  });
  return router;
}

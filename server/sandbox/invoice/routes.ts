import Router from '@koa/router';
import type { Context } from 'koa';
import { bodyOf } from '../body';
import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import { requireAccessToken } from '../platform/credentials';
import { fail } from '../reply';
import { getAuthData, rejectInsert } from './authdata';
import { getAuthUrl } from './authurl';
import { setBizAttr } from './bizattr';
import { clearOutInvoice } from './clearout';
import type { Json } from './fields';
import { makeOutInvoice } from './makeout';
import { invoiceUrlFor, registerPlatform } from './merchant';
import { queryInvoiceInfo } from './query';

/**
 * WeChat's e-invoice endpoints (/card/invoice/*), each behind `?access_token=`. POST only, as on
 * api.weixin.qq.com: a GET answers 43002. The handlers live in their own modules.
 */
export function invoiceRoutes(sb: SandboxContext): Router {
  const router = new Router();
  const post = (path: string, handle: (appid: string, body: unknown, ctx: Context) => Promise<Json>) => {
    router.post(path, async (ctx) => {
      const appid = await requireAccessToken(sb, ctx.query.access_token);
      await assertPermitted(sb, appid, path);
      ctx.body = await handle(appid, bodyOf(ctx), ctx);
    });
    router.get(path, () => fail(43002));
  };

  post('/card/invoice/seturl', async (appid) => ({ errcode: 0, errmsg: 'ok', invoice_url: invoiceUrlFor(await registerPlatform(sb, appid)) }));
  post('/card/invoice/setbizattr', (appid, body, ctx) => setBizAttr(sb, appid, ctx.query.action, body));
  post('/card/invoice/getauthurl', (appid, body) => getAuthUrl(sb, appid, body));
  post('/card/invoice/getauthdata', (appid, body) => getAuthData(sb, appid, body));
  post('/card/invoice/rejectinsert', (appid, body) => rejectInsert(sb, appid, body));
  post('/card/invoice/makeoutinvoice', (appid, body) => makeOutInvoice(sb, appid, body));
  post('/card/invoice/clearoutinvoice', (appid, body) => clearOutInvoice(sb, appid, body));
  post('/card/invoice/queryinvoceinfo', (appid, body) => queryInvoiceInfo(sb, appid, body));
  return router;
}

/**
 * Account scope: the invoice endpoints need an account WeChat enabled for invoicing (else 48001,
 * the first error merchants hit), and unified invoicing needs an invoicing package chosen in the
 * account's backend (else 72015, "no invoicing platform permissions"). Behaviour switches.
 */
async function assertPermitted(sb: SandboxContext, appid: string, path: string): Promise<void> {
  const behaviour = await readBehaviour(sb);
  if (behaviour.appidsWithoutInvoicing.includes(appid)) fail(48001);
  const unified = path === '/card/invoice/makeoutinvoice' || path === '/card/invoice/clearoutinvoice';
  if (unified && behaviour.appidsWithoutInvoicingPackage.includes(appid)) fail(72015);
}

import Koa from 'koa';
import type { SandboxContext } from './context';
import { count } from './control/counters';
import { faultInjection } from './control/faults';
import { controlRoutes } from './control/routes';
import { wechatJsonBody } from './body';
import { invoiceMachineRoutes } from './invoice/machine-routes';
import { paymentRoutes } from './invoice/payments';
import { invoiceRoutes } from './invoice/routes';
import { authPageRoutes } from './pages/auth-page';
import { consolePageRoutes } from './pages/console-page';
import { pdfRoutes } from './pdf/routes';
import { oauthApiRoutes, oauthPageRoutes } from './platform/oauth';
import { platformRoutes } from './platform/routes';
import { pushRoutes } from './push/routes';
import { fail, replyFailure, WeChatFailure } from './reply';

/**
 * The sandbox's Koa app: WeChat's API paths, the machine API under /sandbox/api, and the pages a
 * person uses (the authorization page /sandbox/auth, the console /sandbox).
 */
export function createSandboxApp(sb: SandboxContext, log: (msg: string, err?: unknown) => void): Koa {
  const app = new Koa();
  app.silent = true;
  const control = controlRoutes(sb);
  const platform = platformRoutes(sb);
  const invoiceMachine = invoiceMachineRoutes(sb);
  const pushes = pushRoutes(sb);
  const pdf = pdfRoutes(sb);
  const invoice = invoiceRoutes(sb);
  const authPage = authPageRoutes(sb, log);
  const consolePage = consolePageRoutes(sb);

  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (err instanceof WeChatFailure) return replyFailure(ctx, err);
      log(`sandbox: ${ctx.method} ${ctx.path} failed`, err);
      replyFailure(ctx, new WeChatFailure(-1));
    }
  });
  // The pages read their own form bodies (not JSON) and are not WeChat calls: before both.
  app.use(authPage.routes());
  app.use(consolePage.routes());
  app.use(oauthPageRoutes(sb).routes());
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/sandbox/')) {
      await next();
      return;
    }
    await count(sb.models, `call:${ctx.path}`);
    await next();
    if (ctx.status === 404 && ctx.body === undefined) fail(40066);
  });
  app.use(wechatJsonBody());
  app.use(control.routes());
  app.use(invoiceMachine.routes());
  app.use(paymentRoutes(sb).routes());
  app.use(pushes.routes());
  app.use(pdf.routes());
  app.use(faultInjection(sb));
  app.use(platform.routes());
  app.use(oauthApiRoutes(sb).routes());
  app.use(invoice.routes());
  return app;
}

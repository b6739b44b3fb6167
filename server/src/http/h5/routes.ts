import crypto from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { BuyerIdentity } from '../../domain/buyer';
import { accountForChannel } from '../../domain/channels';
import type { LifecycleDeps } from '../../domain/lifecycle/deps';
import { requestInvoice } from '../../domain/lifecycle/request-invoice';
import { buyerInvoiceStatus, refreshBuyerInvoice } from '../../domain/lifecycle/status';
import { buyerOfSession, loginWithOAuthCode, type BuyerSessions } from '../../domain/login';
import { getBuyerOrder, listBuyerOrders, type OrdersDeps } from '../../domain/orders';
import { AppError } from '../../errors';
import type { Logger } from '../../logger';
import type { WeChatAccount } from '../../wechat/accounts';
import { readText } from '../read-text';
import { sendPage } from './html';
import { applyPage, errorPage, invoicePage, orderPage, ordersPage, titleFromForm, type TitleForm } from './pages';

export interface H5Deps {
  lifecycle: LifecycleDeps;
  orders: OrdersDeps;
  sessions: BuyerSessions;
  sessionTtlMs: number;
  /** WeChat web authorization's base (open.weixin.qq.com, or the sandbox). */
  openBase: string;
  /** The server's public base URL; default: the request's own origin. */
  publicUrl?: string;
  now(): Date;
  log: Logger;
}

const SESSION_COOKIE = 'fapiao_h5';
const STATE_COOKIE = 'fapiao_h5_state';
const MAX_FORM_BYTES = 16 * 1024;
const ORDER_NO = /^[0-9A-Za-z_-]{1,32}$/;

/**
 * The buyer's H5 pages for an Official Account (source web): my orders → order → 申请开票 →
 * WeChat's authorization page → back through redirect_url → status → the PDF. Served under
 * /h5/<account>/, server-rendered (no script), in zh-CN, with the labels, money formatting and
 * tax-number check of shared/. The buyer is known by WeChat web authorization (snsapi_base):
 * /h5/<account>/login sends the browser to WeChat, which comes back to /oauth with a code.
 * The session is an HttpOnly cookie for that account's path; forms carry a token derived from it.
 */
export function h5Routes(deps: H5Deps): Router {
  const router = new Router({ prefix: '/h5/:account' });

  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      sendPage(ctx, err.status, errorPage(err.code, err.message, `/h5/${encodeURIComponent(accountParam(ctx))}/`));
    }
  });

  router.get('/login', (ctx) => {
    const account = h5Account(deps, ctx);
    const state = crypto.randomBytes(16).toString('hex'); // [a-zA-Z0-9], ≤ 128 bytes as WeChat wants
    const next = safeNext(account, typeof ctx.query.next === 'string' ? ctx.query.next : undefined);
    ctx.cookies.set(STATE_COOKIE, `${state}.${encodeURIComponent(next)}`, cookieOptions(ctx, account, 10 * 60_000));
    const redirectUri = `${publicBase(deps, ctx)}/h5/${account.name}/oauth`;
    // WeChat requires this parameter order and the #wechat_redirect fragment.
    const url =
      `${deps.openBase.replace(/\/+$/, '')}/connect/oauth2/authorize?appid=${account.appid}` +
      `&redirect_uri=${encodeURIComponent(redirectUri)}&response_type=code&scope=snsapi_base&state=${state}#wechat_redirect`;
    ctx.redirect(url);
  });

  router.get('/oauth', async (ctx) => {
    const account = h5Account(deps, ctx);
    const [expected, next] = (ctx.cookies.get(STATE_COOKIE) ?? '').split('.');
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    if (!expected || !state || !constantTimeEqual(expected, state)) {
      throw new AppError('UNAUTHENTICATED', '登录已失效，请重新打开页面（state 不匹配）');
    }
    if (!code) throw new AppError('UNAUTHENTICATED', '微信未授权登录，请重新打开页面');
    const session = await loginWithOAuthCode({ account, sessions: deps.sessions, now: () => deps.now(), sessionTtlMs: deps.sessionTtlMs }, code);
    ctx.cookies.set(STATE_COOKIE, null, cookieOptions(ctx, account, 0));
    ctx.cookies.set(SESSION_COOKIE, session.token, cookieOptions(ctx, account, deps.sessionTtlMs));
    ctx.redirect(safeNext(account, next ? decodeURIComponent(next) : undefined));
  });

  router.get('/', async (ctx) => {
    const { account, buyer } = await signedIn(deps, ctx);
    if (!buyer) return;
    const { orders } = await listBuyerOrders(deps.orders, buyer, { limit: 50 });
    sendPage(ctx, 200, ordersPage(account.name, orders));
  });

  router.get('/orders/:orderNo', async (ctx) => {
    const { account, buyer, orderNo } = await signedInForOrder(deps, ctx);
    if (!buyer) return;
    const back = ctx.query.back === '1';
    // Back from WeChat's authorization page (redirect_url): ask WeChat now, as the Mini Program does.
    const status = await statusOf(deps, buyer, orderNo, back);
    const order = await getBuyerOrder(deps.orders, buyer, orderNo);
    sendPage(ctx, 200, orderPage(account.name, order, status, back));
  });

  router.get('/orders/:orderNo/apply', async (ctx) => {
    const { account, buyer, orderNo, token } = await signedInForOrder(deps, ctx);
    if (!buyer) return;
    const order = await getBuyerOrder(deps.orders, buyer, orderNo);
    sendPage(ctx, 200, applyPage(account.name, order, formToken(token), emptyForm()));
  });

  router.post('/orders/:orderNo/apply', async (ctx) => {
    const { account, buyer, orderNo, token } = await signedInForOrder(deps, ctx);
    if (!buyer) return;
    const text = await readText(ctx.req, MAX_FORM_BYTES);
    if (text === undefined) throw new AppError('BODY_TOO_LARGE', `表单不能超过 ${MAX_FORM_BYTES / 1024} KB`);
    const form = new URLSearchParams(text);
    if (!constantTimeEqual(form.get('csrf') ?? '', formToken(token))) throw new AppError('FORBIDDEN', '页面已过期，请返回重新提交');
    const order = await getBuyerOrder(deps.orders, buyer, orderNo);
    const parsed = titleFromForm(form);
    if (parsed.errors.size > 0) return sendPage(ctx, 400, applyPage(account.name, order, formToken(token), parsed));
    const back = `${publicBase(deps, ctx)}/h5/${account.name}/orders/${encodeURIComponent(orderNo)}?back=1`;
    let link;
    try {
      link = await requestInvoice(deps.lifecycle, {
        buyer,
        orderNo,
        type: parsed.type,
        ...(parsed.title ? { title: parsed.title } : {}),
        channel: { account, source: 'web', redirectUrl: back },
      });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      return sendPage(ctx, err.status, applyPage(account.name, order, formToken(token), { ...parsed, alert: err.message }));
    }
    ctx.status = 303;
    ctx.redirect(link.webviewUrl ?? link.authUrl);
  });

  router.get('/orders/:orderNo/invoice', async (ctx) => {
    const { account, buyer, orderNo } = await signedInForOrder(deps, ctx);
    if (!buyer) return;
    const order = await getBuyerOrder(deps.orders, buyer, orderNo);
    const status = await buyerInvoiceStatus(deps.lifecycle, buyer, orderNo);
    sendPage(ctx, 200, invoicePage(account.name, order, status));
  });

  return router;
}

function accountParam(ctx: Context): string {
  return (ctx.params as { account?: string }).account ?? '';
}

/** The path's account: configured, and an Official Account (the H5 channel). */
function h5Account(deps: H5Deps, ctx: Context): WeChatAccount {
  return accountForChannel(deps.lifecycle.accounts, 'web', accountParam(ctx));
}

async function signedIn(deps: H5Deps, ctx: Context): Promise<{ account: WeChatAccount; buyer?: BuyerIdentity; token: string }> {
  const account = h5Account(deps, ctx);
  const token = ctx.cookies.get(SESSION_COOKIE) ?? '';
  const buyer = token ? await buyerOfSession(deps, token, deps.lifecycle.accounts.default.name) : null;
  // A session of another account (another Official Account's cookie path) does not count here.
  if (!buyer || buyer.account !== account.name) {
    if (ctx.method !== 'GET') throw new AppError('UNAUTHENTICATED', '登录已过期，请重新打开页面');
    ctx.redirect(`/h5/${account.name}/login?next=${encodeURIComponent(ctx.originalUrl)}`);
    return { account, token };
  }
  return { account, buyer, token };
}

async function signedInForOrder(deps: H5Deps, ctx: Context) {
  const orderNo = (ctx.params as { orderNo?: string }).orderNo ?? '';
  if (!ORDER_NO.test(orderNo)) throw new AppError('ORDER_NOT_FOUND', `没有订单 ${orderNo.slice(0, 40)}`);
  return { ...(await signedIn(deps, ctx)), orderNo };
}

async function statusOf(deps: H5Deps, buyer: BuyerIdentity, orderNo: string, refresh: boolean) {
  try {
    return refresh ? await refreshBuyerInvoice(deps.lifecycle, buyer, orderNo) : await buyerInvoiceStatus(deps.lifecycle, buyer, orderNo);
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVOICE_REQUEST_NOT_FOUND') return null;
    if (err instanceof AppError && err.code === 'WECHAT_UNAVAILABLE' && refresh) return buyerInvoiceStatus(deps.lifecycle, buyer, orderNo);
    throw err;
  }
}

function emptyForm(): TitleForm {
  return { type: 1, values: new Map(), errors: new Map() };
}

/** Ties a form to the session: a page from another session (or site) cannot post it. */
function formToken(sessionToken: string): string {
  return crypto.createHash('sha256').update(`h5-form\n${sessionToken}`).digest('base64url');
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function publicBase(deps: H5Deps, ctx: Context): string {
  return (deps.publicUrl ?? `${ctx.protocol}://${ctx.host}`).replace(/\/+$/, '');
}

/** Where to go after login: a page of this account's H5 section only (no open redirect). */
function safeNext(account: WeChatAccount, next: string | undefined): string {
  const home = `/h5/${account.name}/`;
  if (!next || !next.startsWith(home) || next.includes('//') || next.includes('\\') || /\/(login|oauth)(\?|$)/.test(next)) return home;
  return next;
}

function cookieOptions(ctx: Context, account: WeChatAccount, maxAge: number) {
  return { path: `/h5/${account.name}/`, httpOnly: true, sameSite: 'lax' as const, secure: ctx.secure, maxAge, overwrite: true };
}


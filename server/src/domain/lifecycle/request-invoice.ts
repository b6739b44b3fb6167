import { canReapply, normalizeTaxNumber, validateTaxNumber } from '@fapiao/shared';
import type { InvoiceRequestDoc, InvoiceTitle } from '../../data/invoice-request/invoice-request.schema';
import type { OrderDoc } from '../../data/order/order.schema';
import { AppError } from '../../errors';
import { newFpqqlsh, newRequestId, wxOrderIdFor } from '../identifiers';
import { DEFAULT_TICKET_REJECTED_ERRCODES } from '../../wechat';
import { askWeChat } from '../wechat-failure';
import type { LifecycleDeps } from './deps';

export interface RequestInvoiceInput {
  openid: string;
  orderNo: string;
  /** 1: WeChat collects the title (default); 0: the buyer gave it in our Mini Program. */
  type: 0 | 1;
  title?: InvoiceTitle | undefined;
}

export interface AuthorizationLink {
  /** The authorization Mini Program's appid, for wx.navigateToMiniProgram. */
  appid: string;
  /** Its page path with the order's authorization parameters. */
  authUrl: string;
  /** Sandbox mode only: the same page as a web page, for a <web-view> in DevTools. */
  webviewUrl?: string;
}

/**
 * The buyer taps 申请开票: start (or resume) an invoice request for their order and hand back
 * WeChat's authorization link. Each attempt gets its own WeChat order_id; the request is stored
 * before WeChat hears of it, and removed again if WeChat refuses, so nothing is half-written.
 */
export async function requestInvoice(deps: LifecycleDeps, input: RequestInvoiceInput): Promise<AuthorizationLink> {
  const title = checkTitle(input);
  const order = await deps.orders.findForBuyer(input.openid, input.orderNo);
  if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${input.orderNo}`);
  const latest = order.latestRequestId ? await deps.requests.findById(order.latestRequestId) : null;

  if (latest?.status === 'AUTH_PENDING') return resumePending(deps, latest, input.type, title);
  if (latest && !canReapply(latest.status)) {
    throw new AppError('INVOICE_ALREADY_REQUESTED', `An invoice for order ${order.orderNo} is already ${latest.status}`);
  }
  const request = await startAttempt(deps, order, input.type, title);
  try {
    return await authorizationLink(deps, request);
  } catch (err) {
    // WeChat refused, so it never knew this order_id: take the attempt back. After a timeout it
    // may have created the authorization: keep the request, and the buyer's retry resumes it
    // with the same order_id.
    const refused = err instanceof AppError && (err.code === 'WECHAT_REJECTED' || err.code === 'AUTH_LINK_UNAVAILABLE');
    if (refused && (await deps.requests.deleteUnseen(request._id))) await deps.orders.restoreLatest(order.orderNo, request._id, latest?._id);
    throw err;
  }
}

function checkTitle(input: RequestInvoiceInput): InvoiceTitle | undefined {
  if (input.type === 1) return undefined;
  const title = input.title;
  if (!title) throw new AppError('VALIDATION_FAILED', 'title: required when type is 0 (the buyer enters the title)');
  if (title.kind === 'personal') return title;
  const taxNumber = normalizeTaxNumber(title.taxNumber ?? '');
  const check = validateTaxNumber(taxNumber);
  if (!check.ok) throw new AppError('TAX_NUMBER_INVALID', `title.taxNumber: ${check.message}`);
  return { ...title, taxNumber };
}

async function startAttempt(deps: LifecycleDeps, order: OrderDoc, type: 0 | 1, title: InvoiceTitle | undefined): Promise<InvoiceRequestDoc> {
  let seen = order.requestCount;
  // An order_id already taken (by a request stored before order_ids had their "."): the attempt
  // number is spent and the next one tried, a few times, rather than failing on the unique index.
  for (let tries = 0; ; tries++) {
    const id = newRequestId();
    const claimed = await deps.orders.claimNextAttempt(order.orderNo, seen, id);
    if (!claimed) throw new AppError('INVOICE_ALREADY_REQUESTED', 'Another request for this order is being made; try again');
    const now = deps.now();
    const request: InvoiceRequestDoc = {
      _id: id,
      orderNo: order.orderNo,
      openid: order.openid,
      wxOrderId: wxOrderIdFor(order.orderNo, claimed.requestCount),
      type,
      amount: order.amount,
      status: 'AUTH_PENDING',
      history: [{ from: null, to: 'AUTH_PENDING', event: 'created', at: now, by: 'buyer' }],
      ...(title ? { title } : {}),
      fpqqlsh: newFpqqlsh(deps.invoicing.fpqqlshPrefix),
      createdAt: now,
      authDeadline: new Date(now.getTime() + (await authWindowMs(deps))),
      nextActionAt: new Date(now.getTime() + deps.schedule.authPollFirstMs),
      attempts: 0,
    };
    try {
      await deps.requests.create(request);
      return request;
    } catch (err) {
      if (!isDuplicateKey(err, 'wxOrderId') || tries >= 3) throw err;
      deps.log.warn({ orderNo: order.orderNo, wxOrderId: request.wxOrderId }, 'WeChat order_id already taken by another request: trying the next attempt number');
      await deps.orders.restoreLatest(order.orderNo, id, order.latestRequestId);
      seen = claimed.requestCount;
    }
  }
}

function isDuplicateKey(err: unknown, field: string): boolean {
  const e = err as { code?: unknown; keyPattern?: Record<string, unknown>; message?: unknown };
  return e.code === 11000 && (e.keyPattern ? field in e.keyPattern : String(e.message).includes(field));
}

/** The buyer asked again before authorizing: same order_id, possibly a new type or title. */
async function resumePending(deps: LifecycleDeps, request: InvoiceRequestDoc, type: 0 | 1, title: InvoiceTitle | undefined): Promise<AuthorizationLink> {
  // A new auth URL restarts WeChat's page timer (contact time_out from the URL's timestamp): so does ours.
  const authDeadline = new Date(deps.now().getTime() + (await authWindowMs(deps)));
  const updated = await deps.requests.updateIn(
    request._id,
    'AUTH_PENDING',
    title ? { $set: { type, title, authDeadline } } : { $set: { type, authDeadline }, $unset: { title: 1 } },
  );
  return authorizationLink(deps, updated ?? request);
}

async function authorizationLink(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<AuthorizationLink> {
  const answer = await askWeChat(() =>
    deps.invoice.getAuthUrl({
      s_pappid: deps.invoicing.sPappid,
      order_id: request.wxOrderId,
      money: request.amount,
      timestamp: Math.floor(deps.now().getTime() / 1000),
      source: 'wxa',
      type: request.type,
    }),
  ).catch((err: unknown) => {
    // The client already replaced the ticket once and sent again (wechat/call.ts): a second refusal
    // that may mean a bad ticket is not the buyer's to fix.
    const errcode = err instanceof AppError ? err.details?.errcode : undefined;
    if (typeof errcode === 'number' && DEFAULT_TICKET_REJECTED_ERRCODES.includes(errcode)) {
      deps.log.error({ requestId: request._id, errcode }, 'getauthurl refused twice, the second time with a fresh wx_card ticket');
      throw new AppError('AUTH_LINK_UNAVAILABLE', 'WeChat’s invoice authorization is not available right now; please try again later', { errcode });
    }
    throw err;
  });
  if (!answer.appid) throw new AppError('WECHAT_REJECTED', 'getauthurl answered without the authorization Mini Program appid');
  const link: AuthorizationLink = { appid: answer.appid, authUrl: answer.auth_url };
  if (deps.invoicing.sandboxBaseUrl) link.webviewUrl = sandboxWebviewUrl(deps.invoicing.sandboxBaseUrl, answer.auth_url, request.openid);
  return link;
}

/** The sandbox serves WeChat's authorization page at /sandbox/auth with the auth_url's query. */
export function sandboxWebviewUrl(base: string, authUrl: string, openid: string): string {
  const query = new URLSearchParams(authUrl.includes('?') ? authUrl.slice(authUrl.indexOf('?') + 1) : '');
  query.set('openid', openid);
  return `${base.replace(/\/+$/, '')}/sandbox/auth?${query.toString()}`;
}

/** The merchant's contact time_out (seconds) bounds how long authorization may take. */
async function authWindowMs(deps: LifecycleDeps): Promise<number> {
  const contact = await deps.settings.get('contact');
  const timeOut = Number(contact?.value.time_out);
  return Number.isFinite(timeOut) && timeOut > 0 ? timeOut * 1000 : deps.schedule.defaultAuthWindowMs;
}

import { canReapply, normalizeTaxNumber, validateTaxNumber, type InvoiceSource } from '@fapiao/shared';
import type { InvoiceRequestDoc, InvoiceTitle } from '../entities/invoice-request';
import type { OrderDoc } from '../entities/order';
import { AppError } from '../../errors';
import type { WeChatAccount } from '../../wechat/accounts';
import type { BuyerIdentity } from '../buyer';
import { newFpqqlsh, newRequestId, wxOrderIdFor } from '../identifiers';
import { DEFAULT_TICKET_REJECTED_ERRCODES } from '../../wechat';
import { askWeChat } from '../wechat-failure';
import { recordingInvoiceApi } from './answers';
import { journalCalls } from './call-journal';
import { sPappidOf } from './channel';
import type { LifecycleDeps } from './deps';
import { isDuplicateKey } from '../../data/mongo-errors';

/** Where the buyer authorizes: the account that asks getauthurl, and WeChat's `source`. */
interface InvoiceChannel {
  account: WeChatAccount;
  source: InvoiceSource;
  /** web (and wap): where WeChat's page sends the buyer afterwards. */
  redirectUrl?: string;
  /** Channel API: the merchant back end's callback URL. */
  callbackUrl?: string;
}

export interface RequestInvoiceInput {
  orderNo: string;
  /** 1: WeChat collects the title (default); 0: the buyer gave it in our Mini Program. */
  type: 0 | 1;
  title?: InvoiceTitle | undefined;
  channel: InvoiceChannel;
  /**
   * The logged-in buyer, who must own the order (Mini Program, H5). Absent when the merchant's
   * back end vouches for the buyer (channel API): then `openid` is what it knows, if anything.
   */
  buyer?: BuyerIdentity;
  openid?: string;
  unionid?: string;
}

export interface AuthorizationLink {
  requestId: string;
  source: InvoiceSource;
  /** wxa only: the authorization Mini Program's appid, for wx.navigateToMiniProgram. */
  appid?: string;
  /** wxa: its page path; web/wap: the page to open; app: WXInvoiceAuthInsertReq's url. */
  authUrl: string;
  /** Sandbox mode only: the same page as a web page (with the acting buyer), for a <web-view> or a browser. */
  webviewUrl?: string;
}

/**
 * The buyer taps 申请开票: start (or resume) an invoice request for their order and hand back
 * WeChat's authorization link. Each attempt gets its own WeChat order_id; the request is stored
 * before WeChat hears of it, and removed again if WeChat refuses, so nothing is half-written.
 */
export async function requestInvoice(deps: LifecycleDeps, input: RequestInvoiceInput): Promise<AuthorizationLink> {
  const title = checkTitle(input);
  const order = input.buyer ? await deps.orders.findForBuyer(input.buyer, input.orderNo) : await deps.orders.findByOrderNo(input.orderNo);
  if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${input.orderNo}`);
  let latest = order.latestRequestId ? await deps.requests.findById(order.latestRequestId) : null;

  if (latest?.status === 'AUTH_PENDING') {
    if (sameChannel(deps, latest, input)) return resumePending(deps, latest, input, title);
    // The buyer started in another channel and now asks here: that authorization belongs to the
    // other account, so end it (a late authorization of it then finds it final and does nothing).
    await supersede(deps, latest, input.channel);
    latest = (await deps.requests.findById(latest._id)) ?? latest;
  }
  if (latest && !canReapply(latest.status)) {
    throw new AppError('INVOICE_ALREADY_REQUESTED', `An invoice for order ${order.orderNo} is already ${latest.status}`);
  }
  const request = await startAttempt(deps, order, input, title);
  try {
    return await authorizationLink(deps, request, input.channel.account);
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

function sameChannel(deps: LifecycleDeps, request: InvoiceRequestDoc, input: RequestInvoiceInput): boolean {
  return deps.accounts.resolve(request)?.appid === input.channel.account.appid && (request.source ?? 'wxa') === input.channel.source;
}

async function supersede(deps: LifecycleDeps, request: InvoiceRequestDoc, channel: InvoiceChannel): Promise<void> {
  await deps.requests.transition({
    id: request._id,
    from: 'AUTH_PENDING',
    event: 'auth_expired',
    by: 'buyer',
    at: deps.now(),
    detail: `superseded by a request through ${channel.account.name} (${channel.source})`,
    unset: ['nextActionAt'],
  });
}

/** The buyer's openid under the channel's account: the session's, or what the merchant's back end gave. */
function openidFor(input: RequestInvoiceInput): string | undefined {
  if (input.buyer && input.buyer.account === input.channel.account.name) return input.buyer.openid;
  return input.openid;
}

async function startAttempt(deps: LifecycleDeps, order: OrderDoc, input: RequestInvoiceInput, title: InvoiceTitle | undefined): Promise<InvoiceRequestDoc> {
  const { channel } = input;
  const openid = openidFor(input);
  const unionid = input.buyer?.unionid ?? input.unionid;
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
      ...(openid ? { openid } : {}),
      ...(unionid ? { unionid } : {}),
      account: channel.account.name,
      appid: channel.account.appid,
      source: channel.source,
      sPappid: deps.invoicing.sPappid,
      ...(channel.redirectUrl ? { redirectUrl: channel.redirectUrl } : {}),
      ...(channel.callbackUrl ? { callback: { url: channel.callbackUrl } } : {}),
      wxOrderId: wxOrderIdFor(order.orderNo, claimed.requestCount),
      type: input.type,
      amount: order.amount,
      status: 'AUTH_PENDING',
      history: [{ from: null, to: 'AUTH_PENDING', event: 'created', at: now, by: input.buyer ? 'buyer' : 'merchant', detail: `${channel.account.name} (${channel.source})` }],
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

/** The buyer asked again before authorizing: same order_id, possibly a new type, title or redirect. */
async function resumePending(deps: LifecycleDeps, request: InvoiceRequestDoc, input: RequestInvoiceInput, title: InvoiceTitle | undefined): Promise<AuthorizationLink> {
  const openid = request.openid ?? openidFor(input);
  // A new auth URL restarts WeChat's page timer (contact time_out from the URL's timestamp): so does ours.
  const authDeadline = new Date(deps.now().getTime() + (await authWindowMs(deps)));
  const updated = await deps.requests.renewAuthorization(request._id, {
    type: input.type,
    authDeadline,
    title,
    openid,
    redirectUrl: input.channel.redirectUrl,
    callbackUrl: input.channel.callbackUrl,
  });
  return authorizationLink(deps, updated ?? request, input.channel.account);
}

async function authorizationLink(deps: LifecycleDeps, request: InvoiceRequestDoc, account: WeChatAccount): Promise<AuthorizationLink> {
  const source = request.source ?? 'wxa';
  const recorder = recordingInvoiceApi(account.client.invoice, () => deps.now());
  const by = request.history[0]?.by ?? 'buyer';
  const answer = await askWeChat(() =>
    recorder.api.getAuthUrl({
      s_pappid: sPappidOf(deps, request),
      order_id: request.wxOrderId,
      money: request.amount,
      timestamp: Math.floor(deps.now().getTime() / 1000),
      source,
      ...(request.redirectUrl ? { redirect_url: request.redirectUrl } : {}),
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
  }).finally(() => journalCalls(deps, request._id, recorder.calls, by, request.status, request.status));
  // Only source wxa answers with the authorization Mini Program's appid; the others give a URL alone.
  if (source === 'wxa' && !answer.appid) throw new AppError('WECHAT_REJECTED', 'getauthurl answered without the authorization Mini Program appid');
  const link: AuthorizationLink = { requestId: request._id, source, authUrl: answer.auth_url, ...(answer.appid ? { appid: answer.appid } : {}) };
  if (deps.invoicing.sandboxBaseUrl) link.webviewUrl = sandboxWebviewUrl(deps.invoicing.sandboxBaseUrl, answer.auth_url, request.openid);
  return link;
}

/**
 * The sandbox serves WeChat's authorization page at /sandbox/auth with the auth_url's query; the
 * acting buyer, when known, rides along (the sandbox has no WeChat user of its own).
 */
function sandboxWebviewUrl(base: string, authUrl: string, openid: string | undefined): string {
  const query = new URLSearchParams(authUrl.includes('?') ? authUrl.slice(authUrl.indexOf('?') + 1) : '');
  if (openid) query.set('openid', openid);
  return `${base.replace(/\/+$/, '')}/sandbox/auth?${query.toString()}`;
}

/** The merchant's contact time_out (seconds) bounds how long authorization may take. */
async function authWindowMs(deps: LifecycleDeps): Promise<number> {
  const contact = await deps.settings.get('contact');
  const timeOut = Number(contact?.value.time_out);
  return Number.isFinite(timeOut) && timeOut > 0 ? timeOut * 1000 : deps.schedule.defaultAuthWindowMs;
}

import type { InvoiceRequestDoc } from '../../data/invoice-request/invoice-request.schema';
import { WeChatApiError, WeChatOutcomeUnknownError, type QueryInvoiceInfoResponse } from '../../wechat';
import type { InvoiceResultEvent } from '../../wechat/push';
import { invoiceContent } from '../invoice-content';
import { titleFrom } from './authorization';
import { invoiceApiOf, sPappidOf } from './channel';
import { after, backoff, type LifecycleDeps, type Next } from './deps';

/** queryinvoceinfo: "fpqqlsh is processing, please wait and query later". */
const PROCESSING = 73107;
/** queryinvoceinfo: the invoicing platform failed this invoice. */
const PLATFORM_FAILED = 73000;

/**
 * Worker step for AUTHORIZED: issue the invoice. The fpqqlsh was stored with the request and is
 * sent on every attempt; ISSUING is entered with `outcomeUnknown` set before makeoutinvoice goes
 * out, so a crash or timeout mid-call leads to a query first, never to a second invoice.
 */
export async function issueInvoice(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  const title = request.title ?? (await titleFromWeChat(deps, request));
  if (!title) return failIssue(deps, request, 'AUTHORIZED', 'NO_TITLE', 'WeChat returned no invoice title for this type 1 authorization');
  const order = await deps.orders.findByOrderNo(request.orderNo);
  if (!order) return failIssue(deps, request, 'AUTHORIZED', 'ORDER_MISSING', `order ${request.orderNo} no longer exists`);
  const issuing = await deps.requests.transition({
    id: request._id,
    from: 'AUTHORIZED',
    event: 'issue_started',
    by: 'worker',
    at: deps.now(),
    set: { title, outcomeUnknown: true, attempts: 0 },
  });
  if (!issuing) return undefined;
  return sendMakeOut(deps, issuing);
}

/** Worker step for ISSUING: learn the outcome (query), resending only when WeChat has nothing. */
export async function confirmInvoice(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  const attempts = request.attempts + 1;
  let result: QueryInvoiceInfoResponse;
  try {
    result = await invoiceApiOf(deps, request).queryInvoiceInfo({ fpqqlsh: request.fpqqlsh, nsrsbh: deps.invoicing.seller.nsrsbh });
  } catch (err) {
    if (!(err instanceof WeChatApiError)) throw err;
    if (err.errcode === PROCESSING) return after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, attempts), attempts);
    if (err.errcode === PLATFORM_FAILED) return failIssue(deps, request, 'ISSUING', String(err.errcode), err.meaning);
    // WeChat knows no invoice by this fpqqlsh. If we cannot be sure the request reached it, send
    // it again — with the same fpqqlsh, so WeChat itself refuses a second invoice.
    if (request.outcomeUnknown) return sendMakeOut(deps, request);
    return after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, attempts), attempts);
  }
  const detail = result.invoicedetail;
  await deps.requests.transition({
    id: request._id,
    from: 'ISSUING',
    event: 'issued',
    by: 'worker',
    at: deps.now(),
    set: { invoice: { fpdm: detail.fpdm, fphm: detail.fphm, jym: detail.jym, kprq: detail.kprq, pdfUrl: detail.pdfurl }, attempts: 0 },
    unset: ['outcomeUnknown', 'lastError'],
  });
  return undefined;
}

/**
 * WeChat pushed cloud_invoice_invoiceresult_event. Success is confirmed by querying (the push
 * carries no invoice numbers), so it only brings the worker's next look forward; failure ends
 * the attempt as ISSUE_FAILED for ops to retry or reject.
 */
export async function onInvoiceResult(deps: LifecycleDeps, event: InvoiceResultEvent): Promise<void> {
  const request = await deps.requests.findByFpqqlsh(event.fpqqlsh);
  if (!request) {
    deps.log.warn({ fpqqlsh: event.fpqqlsh }, 'invoice result for an fpqqlsh we do not know: ignored');
    return;
  }
  const isOffset = request.offset?.fpqqlsh === event.fpqqlsh;
  const waiting = isOffset ? 'OFFSETTING' : 'ISSUING';
  if (event.status === 2 && !isOffset) {
    await failIssue(deps, request, 'ISSUING', 'PLATFORM_FAILED', 'the invoicing platform reported failure (status 2)');
    return;
  }
  await deps.requests.wake(request._id, waiting, deps.now());
}

async function sendMakeOut(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  const order = await deps.orders.findByOrderNo(request.orderNo);
  if (!order || !request.title) return failIssue(deps, request, 'ISSUING', 'ORDER_MISSING', 'order or title missing');
  // WeChat names the buyer in its authorization push when the merchant's back end could not.
  if (!request.openid) return failIssue(deps, request, 'ISSUING', 'NO_OPENID', "the buyer's openid is unknown: no authorization push named it yet");
  const api = invoiceApiOf(deps, request);
  const content = invoiceContent({
    order,
    title: request.title,
    wxOrderId: request.wxOrderId,
    openid: request.openid,
    fpqqlsh: request.fpqqlsh,
    seller: deps.invoicing.seller,
  });
  await deps.requests.updateIn(request._id, 'ISSUING', { $set: { outcomeUnknown: true } });
  try {
    await api.makeOutInvoice(content);
  } catch (err) {
    if (err instanceof WeChatOutcomeUnknownError) {
      return after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, request.attempts + 1), request.attempts + 1);
    }
    if (err instanceof WeChatApiError) return failIssue(deps, request, 'ISSUING', String(err.errcode), err.meaning);
    throw err;
  }
  await deps.requests.updateIn(request._id, 'ISSUING', { $set: { outcomeUnknown: false } });
  return after(deps, deps.schedule.confirmFirstMs, 0);
}

async function titleFromWeChat(deps: LifecycleDeps, request: InvoiceRequestDoc) {
  const data = await invoiceApiOf(deps, request).getAuthData({ s_pappid: sPappidOf(deps, request), order_id: request.wxOrderId });
  return titleFrom(data);
}

async function failIssue(
  deps: LifecycleDeps,
  request: InvoiceRequestDoc,
  from: 'AUTHORIZED' | 'ISSUING',
  code: string,
  message: string,
): Promise<Next> {
  const at = deps.now();
  if (from === 'AUTHORIZED') {
    // The state table leaves AUTHORIZED only by issuing (or rejection): pass through ISSUING.
    const issuing = await deps.requests.transition({ id: request._id, from, event: 'issue_started', by: 'worker', at });
    if (!issuing) return undefined;
  }
  await deps.requests.transition({
    id: request._id,
    from: 'ISSUING',
    event: 'issue_failed',
    by: 'worker',
    at,
    detail: `${code}: ${message}`,
    set: { lastError: { code, message, at } },
    unset: ['outcomeUnknown', 'nextActionAt'],
  });
  deps.log.warn({ requestId: request._id, code, message }, 'invoice issuing failed; ops may retry or reject');
  return undefined;
}

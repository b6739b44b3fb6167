import type { InvoiceRequestDoc } from '../../data/invoice-request/invoice-request.schema';
import { WeChatApiError, WeChatOutcomeUnknownError, type QueryInvoiceInfoResponse } from '../../wechat';
import type { InvoiceResultEvent } from '../../wechat/push';
import { withLogContext } from '../../logger';
import { invoiceContent } from '../invoice-content';
import { titleFrom } from './authorization';
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
    result = await deps.invoice.queryInvoiceInfo({ fpqqlsh: request.fpqqlsh, nsrsbh: deps.invoicing.seller.nsrsbh });
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
  // The emailed copy is due with the state change itself (copyPending, one update): a crash before
  // it is queued leaves the flag for the sweep (queueForgottenCopies), so no copy is lost.
  const copy = Boolean(deps.copies && request.title?.email);
  const issued = await deps.requests.transition({
    id: request._id,
    from: 'ISSUING',
    event: 'issued',
    by: 'worker',
    at: deps.now(),
    set: { invoice: { fpdm: detail.fpdm, fphm: detail.fphm, jym: detail.jym, kprq: detail.kprq, pdfUrl: detail.pdfurl }, attempts: 0, ...(copy ? { copyPending: true } : {}) },
    unset: ['outcomeUnknown', 'lastError'],
  });
  if (issued && copy) await queueCopy(deps, issued);
  return undefined;
}

/** Puts the emailed copy in the outbox (sent by its own loop, never by this step) and clears the flag. */
async function queueCopy(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<void> {
  if (!deps.copies) return;
  try {
    await deps.copies.enqueue(request);
    await deps.requests.updateIn(request._id, 'ISSUED', { $unset: { copyPending: 1 } });
  } catch (err) {
    // The invoice is issued either way; the sweep queues the copy later.
    deps.log.warn({ err }, 'emailed copy not queued yet; the sweep will');
  }
}

/** Housekeeping: copies of issued requests whose process died before queueing them. */
export async function queueForgottenCopies(deps: LifecycleDeps, olderThanMs: number): Promise<void> {
  if (!deps.copies) return;
  for (const request of await deps.requests.findCopyPending(new Date(deps.now().getTime() - olderThanMs), 50)) {
    await withLogContext({ requestId: request._id, orderNo: request.orderNo }, () => queueCopy(deps, request));
  }
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
  await withLogContext({ requestId: request._id, orderNo: request.orderNo }, () => actOnInvoiceResult(deps, request, event));
}

async function actOnInvoiceResult(deps: LifecycleDeps, request: InvoiceRequestDoc, event: InvoiceResultEvent): Promise<void> {
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
    await deps.invoice.makeOutInvoice(content);
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
  const data = await deps.invoice.getAuthData({ s_pappid: deps.invoicing.sPappid, order_id: request.wxOrderId });
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
  await deps.alerts?.needsAttention({ requestId: request._id, orderNo: request.orderNo, reason: `issuing failed (${code}: ${message}); retry or reject it` });
  return undefined;
}

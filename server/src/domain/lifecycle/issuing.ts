import type { InvoiceRequestDoc } from '../../data/invoice-request/invoice-request.schema';
import { WeChatApiError, WeChatOutcomeUnknownError, WECHAT_ERR } from '../../wechat';
import { INVOICE_RESULT_FAILED, type InvoiceResultEvent } from '../../wechat/push';
import { withLogContext } from '../../logger';
import { invoiceContent } from '../invoice-content';
import { flagAttention } from './attention';
import { titleFrom } from './authorization';
import { invoiceApiOf, sPappidOf, withAccountApi } from './channel';
import { after, backoff, type LifecycleDeps, type Next } from './deps';
import { failOffset } from './offsetting';
import { describeOutcome, queryOutcome } from './outcome';

/**
 * Worker step for AUTHORIZED: issue the invoice. The fpqqlsh was stored with the request and is
 * sent on every attempt; ISSUING is entered with `outcomeUnknown` set before makeoutinvoice goes
 * out, so a crash or timeout mid-call leads to a query first, never to a second invoice.
 */
export async function issueInvoice(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  const title = request.title ?? (await titleFromWeChat(deps, request));
  if (!title) return endIssue(deps, request, 'AUTHORIZED', 'NO_TITLE', 'WeChat returned no invoice title for this type 1 authorization');
  const order = await deps.orders.findByOrderNo(request.orderNo);
  if (!order) return endIssue(deps, request, 'AUTHORIZED', 'ORDER_MISSING', `order ${request.orderNo} no longer exists`);
  const issuing = await deps.requests.transition({
    id: request._id,
    from: 'AUTHORIZED',
    event: 'issue_started',
    by: 'worker',
    at: deps.now(),
    set: { title, outcomeUnknown: true, attempts: 0 },
  });
  if (!issuing) return undefined;
  return sendMakeOut(deps, { ...issuing, looks: request.looks, answers: request.answers });
}

/**
 * Worker step for ISSUING: learn the outcome (query), resending only when WeChat may not have the
 * request. Only an answer with all four numbers is an invoice; an answer we do not recognise is
 * "unknown": waited on (the state's limits then hand it to a human), or, while we cannot be sure
 * WeChat got the request, answered by resending with the same fpqqlsh (WeChat refuses a second
 * invoice for it, so the resend is the safe question "do you have it?").
 */
export async function confirmInvoice(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  const attempts = request.attempts + 1;
  const outcome = await queryOutcome(withAccountApi(deps, request), request.fpqqlsh);
  switch (outcome.kind) {
    case 'issued': {
      // The emailed copy is due with the state change itself (copyPending, one update): a crash
      // before it is queued leaves the flag for the sweep (queueForgottenCopies), so no copy is lost.
      const copy = Boolean(deps.copies && request.title?.email);
      const issued = await deps.requests.transition({
        id: request._id,
        from: 'ISSUING',
        event: 'issued',
        by: 'worker',
        at: deps.now(),
        set: { invoice: outcome.invoice, attempts: 0, ...(copy ? { copyPending: true } : {}) },
        unset: ['outcomeUnknown', 'lastError'],
      });
      if (issued && copy) await queueCopy(deps, issued);
      return undefined;
    }
    case 'failed':
      return endIssue(deps, request, 'ISSUING', String(outcome.errcode), outcome.meaning);
    case 'pending':
      return after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, attempts), attempts);
    default:
      if (request.outcomeUnknown) return sendMakeOut(deps, request);
      deps.log.warn({ requestId: request._id, outcome: describeOutcome(outcome) }, 'queryinvoceinfo answered something Fapiao does not know; waiting');
      return after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, attempts), attempts);
  }
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
 * the attempt as ISSUE_FAILED (blue) or OFFSET_FAILED (red), for ops to retry.
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
  if (event.status === INVOICE_RESULT_FAILED) {
    if (isOffset) {
      await failOffset(deps, request, 'PLATFORM_FAILED', 'the invoicing platform reported the red invoice failed (status 2)');
    } else {
      await failIssue(deps, request, 'ISSUING', 'PLATFORM_FAILED', 'the invoicing platform reported failure (status 2)');
    }
    return;
  }
  await deps.requests.wake(request._id, waiting, deps.now());
}

async function sendMakeOut(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  const order = await deps.orders.findByOrderNo(request.orderNo);
  if (!order || !request.title) return endIssue(deps, request, 'ISSUING', 'ORDER_MISSING', 'order or title missing');
  // WeChat names the buyer in its authorization push when the merchant's back end could not.
  if (!request.openid) return endIssue(deps, request, 'ISSUING', 'NO_OPENID', "the buyer's openid is unknown: no authorization push named it yet");
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
    if (err instanceof WeChatApiError && err.errcode === WECHAT_ERR.ORDER_REJECTED) return endRejected(deps, request, err.meaning);
    if (err instanceof WeChatApiError) return endIssue(deps, request, 'ISSUING', String(err.errcode), err.meaning);
    throw err;
  }
  await deps.requests.updateIn(request._id, 'ISSUING', { $set: { outcomeUnknown: false } });
  return after(deps, deps.schedule.confirmFirstMs, 0);
}

/**
 * WeChat has the order as rejected (72035: our own rejectinsert whose answer was lost, or one made
 * elsewhere): it will never issue for this order_id, so the request is REJECTED and the buyer may
 * apply again, with a new one.
 */
async function endRejected(deps: LifecycleDeps, request: InvoiceRequestDoc, meaning: string): Promise<Next> {
  const failed = await failIssue(deps, request, 'ISSUING', String(WECHAT_ERR.ORDER_REJECTED), meaning, { flag: false });
  const reason = 'WeChat has this order as rejected (72035)';
  if (failed) {
    await deps.requests.transition({ id: request._id, from: 'ISSUE_FAILED', event: 'rejected', by: 'worker', at: deps.now(), detail: reason, set: { rejectReason: reason } });
  }
  return undefined;
}

async function titleFromWeChat(deps: LifecycleDeps, request: InvoiceRequestDoc) {
  const data = await invoiceApiOf(deps, request).getAuthData({ s_pappid: sPappidOf(deps, request), order_id: request.wxOrderId });
  return titleFrom(data);
}

/** failIssue for a worker step: nothing more to do afterwards. */
async function endIssue(deps: LifecycleDeps, request: InvoiceRequestDoc, from: 'AUTHORIZED' | 'ISSUING', code: string, message: string): Promise<Next> {
  await failIssue(deps, request, from, code, message);
  return undefined;
}

/**
 * Ends the issuing attempt as ISSUE_FAILED with the reason, and hands it to ops (the flag), unless
 * `flag: false` (the caller decides what follows). Resolves the failed request, or undefined when
 * it had moved on.
 */
export async function failIssue(
  deps: LifecycleDeps,
  request: InvoiceRequestDoc,
  from: 'AUTHORIZED' | 'ISSUING',
  code: string,
  message: string,
  options: { flag?: boolean } = {},
): Promise<undefined | (InvoiceRequestDoc & { status: 'ISSUE_FAILED' })> {
  const at = deps.now();
  if (from === 'AUTHORIZED') {
    // The state table leaves AUTHORIZED only by issuing (or rejection): pass through ISSUING.
    const issuing = await deps.requests.transition({ id: request._id, from, event: 'issue_started', by: 'worker', at });
    if (!issuing) return undefined;
  }
  const failed = await deps.requests.transition({
    id: request._id,
    from: 'ISSUING',
    event: 'issue_failed',
    by: 'worker',
    at,
    detail: `${code}: ${message}`,
    set: { lastError: { code, message, at } },
    unset: ['outcomeUnknown', 'nextActionAt'],
  });
  if (!failed) return undefined;
  deps.log.warn({ requestId: request._id, code, message }, 'invoice issuing failed; ops may retry or reject');
  if (options.flag !== false) {
    await flagAttention(deps, { ...failed, answers: request.answers }, { code: 'ISSUE_FAILED', reason: `issuing failed: ${code}: ${message}; retry (same fpqqlsh) or reject` });
  }
  return failed as InvoiceRequestDoc & { status: 'ISSUE_FAILED' };
}

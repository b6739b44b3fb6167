import type { AdminInvoice, InvoiceFilters, WeChatAnswer } from '@fapiao/shared/contract';
import type { InvoiceRequestListFilter } from '../../data/invoice-request/invoice-request.repository';
import type { InvoiceRequestDoc, WeChatAnswer as StoredAnswer } from '../../data/invoice-request/invoice-request.schema';

/** An invoice request as ops see it (the admin API's AdminInvoice). */
export function toAdminInvoice(request: InvoiceRequestDoc): AdminInvoice {
  return {
    id: request._id,
    orderNo: request.orderNo,
    ...(request.openid ? { openid: request.openid } : {}),
    account: request.account ?? 'default',
    ...(request.appid ? { appid: request.appid } : {}),
    source: request.source ?? 'wxa',
    wxOrderId: request.wxOrderId,
    type: request.type,
    amount: request.amount,
    status: request.status,
    ...(request.title ? { title: Object.fromEntries(Object.entries(request.title).filter((e): e is [string, string] => typeof e[1] === 'string')) } : {}),
    ...(request.title?.customFields?.length ? { customFields: request.title.customFields } : {}),
    fpqqlsh: request.fpqqlsh,
    ...(request.invoice ? { invoice: request.invoice } : {}),
    ...(request.offset ? { offset: request.offset } : {}),
    ...(request.rejectReason ? { rejectReason: request.rejectReason } : {}),
    ...(request.lastError ? { lastError: { ...request.lastError, at: request.lastError.at.toISOString() } } : {}),
    createdAt: request.createdAt.toISOString(),
    ...(request.authorizedAt ? { authorizedAt: request.authorizedAt.toISOString() } : {}),
    ...(request.nextActionAt ? { nextActionAt: request.nextActionAt.toISOString() } : {}),
    attempts: request.attempts,
    needsAttention: Boolean(request.needsAttention),
    ...(request.attention
      ? {
          attention: {
            code: request.attention.code,
            reason: request.attention.reason,
            state: request.attention.state,
            since: request.attention.since.toISOString(),
            at: request.attention.at.toISOString(),
            answers: request.attention.answers.map(answerOf),
          },
        }
      : {}),
    ...(request.answers?.length ? { answers: request.answers.map(answerOf) } : {}),
    history: request.history.map((h) => ({ from: h.from, to: h.to, event: h.event, at: h.at.toISOString(), by: h.by, ...(h.detail ? { detail: h.detail } : {}) })),
  };
}

function answerOf(a: StoredAnswer): WeChatAnswer {
  return { at: a.at.toISOString(), call: a.call, errcode: a.errcode, summary: a.summary };
}

/** The list's query filters as the repository reads them. */
export function listFilterOf(query: InvoiceFilters): InvoiceRequestListFilter {
  return {
    status: query.status,
    attention: query.attention,
    orderNo: query.orderNo,
    createdFrom: query.createdAfter,
    createdBefore: query.createdBefore,
    titleContains: query.title,
    taxNumber: query.taxNumber,
  };
}

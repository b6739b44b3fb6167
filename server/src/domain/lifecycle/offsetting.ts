import type { InvoiceRequestDoc } from '../../data/invoice-request/invoice-request.schema';
import { WeChatApiError, WeChatOutcomeUnknownError } from '../../wechat';
import { invoiceApiOf } from './channel';
import { after, backoff, type LifecycleDeps, type Next } from './deps';

const PROCESSING = 73107;

/**
 * Worker step for OFFSETTING (红冲 after a refund): send clearoutinvoice for the blue invoice
 * under the red invoice's own fpqqlsh (stored when ops asked), then confirm the red invoice by
 * query. Same outcome rules as issuing: when unsure, query before sending again.
 */
export async function offsetStep(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  const offset = request.offset;
  if (!offset || !request.invoice) return failOffset(deps, request, 'NO_INVOICE', 'nothing to offset');
  const attempts = request.attempts + 1;
  if (request.outcomeUnknown !== false) {
    // Not yet sent, or unsure whether it arrived: does WeChat know the red invoice already?
    try {
      const red = await invoiceApiOf(deps, request).queryInvoiceInfo({ fpqqlsh: offset.fpqqlsh, nsrsbh: deps.invoicing.seller.nsrsbh });
      return finish(deps, request, red.invoicedetail);
    } catch (err) {
      if (!(err instanceof WeChatApiError)) throw err;
      if (err.errcode === PROCESSING) return after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, attempts), attempts);
    }
    return sendClearOut(deps, request, attempts);
  }
  try {
    const red = await invoiceApiOf(deps, request).queryInvoiceInfo({ fpqqlsh: offset.fpqqlsh, nsrsbh: deps.invoicing.seller.nsrsbh });
    return finish(deps, request, red.invoicedetail);
  } catch (err) {
    if (!(err instanceof WeChatApiError)) throw err;
    return after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, attempts), attempts);
  }
}

async function sendClearOut(deps: LifecycleDeps, request: InvoiceRequestDoc, attempts: number): Promise<Next> {
  const { offset, invoice } = request;
  if (!offset || !invoice) return undefined;
  await deps.requests.updateIn(request._id, 'OFFSETTING', { $set: { outcomeUnknown: true } });
  try {
    await invoiceApiOf(deps, request).clearOutInvoice({
      wxopenid: request.openid ?? '',
      fpqqlsh: offset.fpqqlsh,
      nsrsbh: deps.invoicing.seller.nsrsbh,
      nsrmc: deps.invoicing.seller.nsrmc,
      yfpdm: invoice.fpdm,
      yfphm: invoice.fphm,
    });
  } catch (err) {
    if (err instanceof WeChatOutcomeUnknownError) return after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, attempts), attempts);
    if (err instanceof WeChatApiError) return failOffset(deps, request, String(err.errcode), err.meaning);
    throw err;
  }
  await deps.requests.updateIn(request._id, 'OFFSETTING', { $set: { outcomeUnknown: false } });
  return after(deps, deps.schedule.confirmFirstMs, 0);
}

async function finish(deps: LifecycleDeps, request: InvoiceRequestDoc, red: { fpdm: string; fphm: string; jym: string; kprq: string; pdfurl: string }): Promise<Next> {
  await deps.requests.transition({
    id: request._id,
    from: 'OFFSETTING',
    event: 'offset_done',
    by: 'worker',
    at: deps.now(),
    set: { offset: { fpqqlsh: request.offset?.fpqqlsh ?? '', invoice: { fpdm: red.fpdm, fphm: red.fphm, jym: red.jym, kprq: red.kprq, pdfUrl: red.pdfurl } } },
    unset: ['outcomeUnknown', 'lastError'],
  });
  return undefined;
}

async function failOffset(deps: LifecycleDeps, request: InvoiceRequestDoc, code: string, message: string): Promise<Next> {
  const at = deps.now();
  // The blue invoice still stands: back to ISSUED, with the reason for ops.
  await deps.requests.transition({
    id: request._id,
    from: 'OFFSETTING',
    event: 'offset_failed',
    by: 'worker',
    at,
    detail: `${code}: ${message}`,
    set: { lastError: { code, message, at } },
    unset: ['outcomeUnknown', 'offset'],
  });
  deps.log.warn({ requestId: request._id, code, message }, 'offset failed; the invoice stays issued');
  return undefined;
}

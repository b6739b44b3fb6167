import type { InvoiceRequestDoc } from '../entities/invoice-request';
import { WeChatApiError, WeChatOutcomeUnknownError } from '../../wechat';
import { flagAttention } from './attention';
import { invoiceApiOf, withAccountApi } from './channel';
import { after, backoff, type LifecycleDeps, type Next } from './deps';
import { describeOutcome, queryOutcome } from './outcome';

/**
 * Worker step for OFFSETTING (红冲 after a refund): send clearoutinvoice for the blue invoice
 * under the red invoice's own fpqqlsh (stored when ops asked), then confirm the red invoice by
 * query. Same outcome rules as issuing: when unsure, query before sending again; a red invoice
 * that failed is OFFSET_FAILED (the blue one still stands), which ops can see and retry.
 */
export async function offsetStep(deps: LifecycleDeps, request: InvoiceRequestDoc): Promise<Next> {
  const offset = request.offset;
  if (!offset || !request.invoice) return endOffset(deps, request, 'NO_INVOICE', 'nothing to offset');
  const attempts = request.attempts + 1;
  const wait = () => after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, attempts), attempts);
  const outcome = await queryOutcome(withAccountApi(deps, request), offset.fpqqlsh);
  switch (outcome.kind) {
    case 'issued':
      await deps.requests.transition({
        id: request._id,
        from: 'OFFSETTING',
        event: 'offset_done',
        by: 'worker',
        at: deps.now(),
        set: { offset: { fpqqlsh: offset.fpqqlsh, invoice: outcome.invoice } },
        unset: ['outcomeUnknown', 'lastError'],
      });
      return undefined;
    case 'failed':
      return endOffset(deps, request, String(outcome.errcode), outcome.meaning);
    case 'pending':
      return wait();
    default:
      // Not yet sent, or unsure whether it arrived: send (again, with the same fpqqlsh).
      if (request.outcomeUnknown !== false) return sendClearOut(deps, request, attempts);
      deps.log.warn({ requestId: request._id, outcome: describeOutcome(outcome) }, 'queryinvoceinfo answered something Fapiao does not know about a red invoice; waiting');
      return wait();
  }
}

async function sendClearOut(deps: LifecycleDeps, request: InvoiceRequestDoc, attempts: number): Promise<Next> {
  const { offset, invoice } = request;
  if (!offset || !invoice) return undefined;
  await deps.requests.markOutcomeUnknown(request._id, 'OFFSETTING', true);
  try {
    await invoiceApiOf(deps, request).clearOutInvoice({
      wxopenid: request.openid ?? '',
      fpqqlsh: offset.fpqqlsh,
      nsrsbh: deps.invoicing.seller.nsrsbh,
      nsrmc: deps.invoicing.seller.nsrmc,
      yfpdm: invoice.fpdm,
      yfphm: invoice.fphm,
      kplx: '1',
    });
  } catch (err) {
    if (err instanceof WeChatOutcomeUnknownError) return after(deps, backoff(deps, deps.schedule.confirmFirstMs, deps.schedule.confirmMaxMs, attempts), attempts);
    if (err instanceof WeChatApiError) return endOffset(deps, request, String(err.errcode), err.meaning);
    throw err;
  }
  await deps.requests.markOutcomeUnknown(request._id, 'OFFSETTING', false);
  return after(deps, deps.schedule.confirmFirstMs, 0);
}

async function endOffset(deps: LifecycleDeps, request: InvoiceRequestDoc, code: string, message: string): Promise<Next> {
  await failOffset(deps, request, code, message);
  return undefined;
}

/**
 * The red invoice failed or was refused: OFFSET_FAILED, with the reason, handed to ops. The blue
 * invoice still stands and the refund is not invoiced back until ops retry (a new red fpqqlsh:
 * nothing was issued under the failed one).
 */
export async function failOffset(deps: LifecycleDeps, request: InvoiceRequestDoc, code: string, message: string): Promise<void> {
  const at = deps.now();
  const failed = await deps.requests.transition({
    id: request._id,
    from: 'OFFSETTING',
    event: 'offset_failed',
    by: 'worker',
    at,
    detail: `${code}: ${message}`,
    set: { lastError: { code, message, at } },
    unset: ['outcomeUnknown', 'nextActionAt'],
  });
  if (!failed) return;
  deps.log.warn({ requestId: request._id, code, message }, 'offset failed; the blue invoice still stands');
  await flagAttention(deps, { ...failed, answers: request.answers }, { code: 'OFFSET_FAILED', reason: `the red invoice failed: ${code}: ${message}; retry the offset` });
}

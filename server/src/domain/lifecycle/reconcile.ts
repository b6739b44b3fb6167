import type { ReconcileAnswer, WeChatView } from '@fapiao/shared/contract';
import type { InvoiceRequestDoc } from '../entities/invoice-request';
import { AppError } from '../../errors';
import { askWeChat } from '../wechat-failure';
import { journaled } from './call-journal';
import { withAccountApi } from './channel';
import type { LifecycleDeps } from './deps';
import { queryOutcome } from './outcome';

/** What WeChat says about an fpqqlsh, and the verdict: the admin API's ReconcileAnswer (the contract). */
type ReconcileResult = ReconcileAnswer;

/** A request still waiting after this long needs a human. */
const STUCK_AFTER_MS = 30 * 60_000;

/**
 * Ops' check of one request in ISSUING, ISSUED or OFFSETTING against WeChat (queryinvoceinfo).
 * A request WeChat has issued but we still wait on is woken so the worker records it now.
 */
export async function reconcileRequest(deps: LifecycleDeps, id: string, by = 'ops'): Promise<ReconcileResult> {
  const request = await deps.requests.findById(id);
  if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${id}`);
  if (!['ISSUING', 'ISSUED', 'OFFSETTING', 'OFFSET_FAILED'].includes(request.status)) {
    throw new AppError('INVALID_STATE_TRANSITION', `Only ISSUING, ISSUED, OFFSETTING and OFFSET_FAILED requests are reconciled; this one is ${request.status}`);
  }
  const wechat = await journaled(deps, request, by, (step) => ask(step, request, request.fpqqlsh));
  const verdict = await judge(deps, request, wechat);
  if (verdict.verdict === 'mismatch') await deps.alerts?.reconcileMismatch({ requestId: id, orderNo: request.orderNo, status: request.status, detail: verdict.detail });
  return { id, orderNo: request.orderNo, status: request.status, fpqqlsh: request.fpqqlsh, wechat, ...verdict };
}

/** The worker's reading of queryinvoceinfo (outcome.ts), as ops see it. */
async function ask(deps: LifecycleDeps, request: InvoiceRequestDoc, fpqqlsh: string): Promise<WeChatView> {
  const withAccount = withAccountApi(deps, request);
  const outcome = await askWeChat(() => queryOutcome(withAccount, fpqqlsh));
  switch (outcome.kind) {
    case 'issued':
      return { state: 'issued', fpdm: outcome.invoice.fpdm, fphm: outcome.invoice.fphm };
    case 'pending':
      return { state: 'processing' };
    case 'failed':
      return { state: 'failed', errcode: outcome.errcode, meaning: outcome.meaning };
    default:
      return { state: 'unknown', errcode: outcome.errcode, meaning: outcome.meaning };
  }
}

async function judge(deps: LifecycleDeps, request: InvoiceRequestDoc, wechat: WeChatView): Promise<Pick<ReconcileResult, 'verdict' | 'detail'>> {
  const waitingSince = request.history[request.history.length - 1]?.at ?? request.createdAt;
  const stuck = deps.now().getTime() - waitingSince.getTime() > STUCK_AFTER_MS;
  if (request.status === 'ISSUED' || request.status === 'OFFSETTING' || request.status === 'OFFSET_FAILED') {
    const local = request.invoice;
    if (wechat.state === 'issued' && local?.fpdm === wechat.fpdm && local.fphm === wechat.fphm) {
      return request.status === 'OFFSETTING' && stuck ? { verdict: 'stuck', detail: 'offset requested over 30 minutes ago' } : { verdict: 'ok', detail: 'WeChat has the same invoice' };
    }
    return { verdict: 'mismatch', detail: `we have ${local?.fpdm}/${local?.fphm}, WeChat says ${describe(wechat)}` };
  }
  // ISSUING
  if (wechat.state === 'issued') {
    await deps.requests.wake(request._id, 'ISSUING', deps.now());
    return { verdict: 'mismatch', detail: `WeChat issued ${wechat.fpdm}/${wechat.fphm} but we were still waiting: the worker will record it now` };
  }
  if (wechat.state === 'failed') return { verdict: 'mismatch', detail: `WeChat says the invoice failed (${wechat.meaning}) but we were still waiting` };
  if (stuck) return { verdict: 'stuck', detail: `issuing for over 30 minutes; WeChat says ${describe(wechat)}` };
  return { verdict: 'ok', detail: `issuing; WeChat says ${describe(wechat)}` };
}

function describe(view: WeChatView): string {
  if (view.state === 'issued') return `issued ${view.fpdm}/${view.fphm}`;
  if (view.state === 'processing') return 'still processing';
  return `${view.state} (${view.errcode} ${view.meaning})`;
}

import type { InvoiceRequestDoc } from '../../data/invoice-request/invoice-request.schema';
import { AppError } from '../../errors';
import { newFpqqlsh } from '../identifiers';
import { askWeChat } from '../wechat-failure';
import { invoiceApiOf, sPappidOf } from './channel';
import type { LifecycleDeps } from './deps';

/** Long enough for one WeChat call; the worker keeps away from the request meanwhile. */
const OPS_LEASE_MS = 60_000;

async function leaseForOps(deps: LifecycleDeps, id: string, statuses: InvoiceRequestDoc['status'][], actor: string): Promise<InvoiceRequestDoc> {
  const leased = await deps.requests.leaseIn(id, statuses, `ops:${actor}`, deps.now(), OPS_LEASE_MS);
  if (leased) return leased;
  const request = await deps.requests.findById(id);
  if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${id}`);
  if (!statuses.includes(request.status)) {
    throw new AppError('INVALID_STATE_TRANSITION', `The request is ${request.status}; this needs ${statuses.join(' or ')}`);
  }
  throw new AppError('INVALID_STATE_TRANSITION', 'The request is being worked on right now; try again in a minute');
}

async function releaseOps(deps: LifecycleDeps, id: string, actor: string, nextActionAt?: Date): Promise<void> {
  await deps.requests.release(id, `ops:${actor}`, { nextActionAt, attempts: 0 }, deps.now());
}

/**
 * Ops refuse to invoice (wrong title, refund before issuing …): rejectinsert tells WeChat, which
 * notifies the buyer with the reason; that order_id is dead, and the buyer may re-apply (a new
 * one). WeChat accepts this only after the user authorized.
 */
export async function rejectRequest(deps: LifecycleDeps, id: string, reason: string, url: string | undefined, actor: string): Promise<InvoiceRequestDoc> {
  const request = await leaseForOps(deps, id, ['AUTHORIZED', 'ISSUE_FAILED'], actor);
  try {
    const api = invoiceApiOf(deps, request);
    await askWeChat(() =>
      api.rejectInsert({ s_pappid: sPappidOf(deps, request), order_id: request.wxOrderId, reason, ...(url ? { url } : {}) }),
    );
    const rejected = await deps.requests.transition({
      id,
      from: request.status,
      event: 'rejected',
      by: actor,
      at: deps.now(),
      detail: reason,
      set: { rejectReason: reason },
    });
    return rejected ?? request;
  } finally {
    await releaseOps(deps, id, actor);
  }
}

/** Ops fixed the cause of a failed issue: try again (same fpqqlsh, as WeChat requires). */
export async function retryRequest(deps: LifecycleDeps, id: string, actor: string): Promise<InvoiceRequestDoc> {
  const request = await leaseForOps(deps, id, ['ISSUE_FAILED'], actor);
  try {
    const retried = await deps.requests.transition({ id, from: 'ISSUE_FAILED', event: 'retry', by: actor, at: deps.now(), unset: ['lastError'] });
    return retried ?? request;
  } finally {
    await releaseOps(deps, id, actor, deps.now());
  }
}

/** After a refund: offset (红冲) the issued invoice with a red one. The worker does the calls. */
export async function offsetRequest(deps: LifecycleDeps, id: string, actor: string): Promise<InvoiceRequestDoc> {
  const request = await leaseForOps(deps, id, ['ISSUED'], actor);
  try {
    const offsetting = await deps.requests.transition({
      id,
      from: 'ISSUED',
      event: 'offset_started',
      by: actor,
      at: deps.now(),
      set: { offset: { fpqqlsh: newFpqqlsh(deps.invoicing.fpqqlshPrefix) }, attempts: 0 },
    });
    return offsetting ?? request;
  } finally {
    await releaseOps(deps, id, actor, deps.now());
  }
}

import type { InvoiceRequestDoc } from '../entities/invoice-request';
import { AppError } from '../../errors';
import { WECHAT_ERR } from '../../wechat';
import { newFpqqlsh } from '../identifiers';
import { askWeChat } from '../wechat-failure';
import { journaled } from './call-journal';
import { invoiceApiOf, sPappidOf } from './channel';
import type { LifecycleDeps } from './deps';

/** Long enough for one WeChat call; the worker keeps away from the request meanwhile. */
const OPS_LEASE_MS = 60_000;

/** States the worker drives: "retry" on a flagged one means "look again now". */
const WORKER_STATES: InvoiceRequestDoc['status'][] = ['AUTH_PENDING', 'AUTHORIZED', 'ISSUING', 'OFFSETTING'];

/**
 * How long an ops action waits for a worker that holds the request. A worker step is one WeChat
 * call; the common case is a step that has just moved the request (to ISSUE_FAILED, say) and is
 * about to let go, and a clerk who clicks then should not be told to come back later.
 */
const OPS_WAIT_FOR_WORKER_MS = 5_000;
const OPS_WAIT_STEP_MS = 100;

async function leaseForOps(deps: LifecycleDeps, id: string, statuses: InvoiceRequestDoc['status'][], actor: string): Promise<InvoiceRequestDoc> {
  const giveUpAt = Date.now() + OPS_WAIT_FOR_WORKER_MS;
  for (;;) {
    const leased = await deps.requests.leaseIn(id, statuses, `ops:${actor}`, deps.now(), OPS_LEASE_MS);
    if (leased) return leased;
    const request = await deps.requests.findById(id);
    if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${id}`);
    if (!statuses.includes(request.status)) {
      throw new AppError('INVALID_STATE_TRANSITION', `The request is ${request.status}; this needs ${statuses.join(' or ')}`);
    }
    if (Date.now() >= giveUpAt) break;
    await new Promise((resolve) => setTimeout(resolve, OPS_WAIT_STEP_MS));
  }
  throw new AppError('INVALID_STATE_TRANSITION', 'The request is being worked on right now; try again in a minute');
}

async function releaseOps(deps: LifecycleDeps, id: string, actor: string, nextActionAt?: Date): Promise<void> {
  await deps.requests.release(id, `ops:${actor}`, { nextActionAt, attempts: 0 }, deps.now());
}

/** Every ops action that settles a request also clears its needs-attention flag (the route audits it). */
async function settled(deps: LifecycleDeps, request: InvoiceRequestDoc | null): Promise<InvoiceRequestDoc | null> {
  if (!request?.needsAttention) return request;
  await deps.requests.clearAttention(request._id, deps.now());
  return deps.requests.findById(request._id);
}

/**
 * Ops refuse to invoice (wrong title, refund before issuing …): rejectinsert tells WeChat, which
 * notifies the buyer with the reason; that order_id is dead, and the buyer may re-apply (a new
 * one). WeChat accepts this only after the user authorized. 72035 ("already rejected") means an
 * earlier rejectinsert of ours got through though its answer was lost: that is success.
 */
export async function rejectRequest(deps: LifecycleDeps, id: string, reason: string, url: string | undefined, actor: string): Promise<InvoiceRequestDoc> {
  const request = await leaseForOps(deps, id, ['AUTHORIZED', 'ISSUE_FAILED'], actor);
  try {
    // The call and the move to REJECTED are journaled together: rejectinsert, REJECTED after.
    return await journaled(deps, request, actor, async (step) => {
      const api = invoiceApiOf(step, request);
      try {
        await askWeChat(() =>
          api.rejectInsert({ s_pappid: sPappidOf(step, request), order_id: request.wxOrderId, reason, ...(url ? { url } : {}) }),
        );
      } catch (err) {
        if (!(err instanceof AppError && err.details?.errcode === WECHAT_ERR.ORDER_REJECTED)) throw err;
      }
      const rejected = await step.requests.transition({
        id,
        from: request.status,
        event: 'rejected',
        by: actor,
        at: step.now(),
        detail: reason,
        set: { rejectReason: reason },
        unset: ['nextActionAt'],
      });
      return (await settled(step, rejected)) ?? request;
    });
  } finally {
    await releaseOps(deps, id, actor);
  }
}

/**
 * Ops fixed the cause: try again. ISSUE_FAILED: issue again (same fpqqlsh, as WeChat requires).
 * OFFSET_FAILED: offset again under a new red fpqqlsh (nothing was issued under the failed one).
 * A flagged request the worker drives: clear the flag and let the worker look again now.
 */
export async function retryRequest(deps: LifecycleDeps, id: string, actor: string): Promise<InvoiceRequestDoc> {
  const request = await leaseForOps(deps, id, ['ISSUE_FAILED', 'OFFSET_FAILED', ...WORKER_STATES], actor);
  try {
    let retried: InvoiceRequestDoc | null;
    if (request.status === 'ISSUE_FAILED') {
      retried = await deps.requests.transition({ id, from: 'ISSUE_FAILED', event: 'retry', by: actor, at: deps.now(), unset: ['lastError'] });
    } else if (request.status === 'OFFSET_FAILED') {
      retried = await deps.requests.transition({
        id,
        from: 'OFFSET_FAILED',
        event: 'retry',
        by: actor,
        at: deps.now(),
        set: { offset: { fpqqlsh: newFpqqlsh(deps.invoicing.fpqqlshPrefix) }, attempts: 0 },
        unset: ['lastError'],
      });
    } else {
      if (!request.needsAttention) throw new AppError('INVALID_STATE_TRANSITION', `The request is ${request.status} and in the worker's hands; nothing to retry`);
      retried = request;
    }
    return (await settled(deps, retried)) ?? request;
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
    return (await settled(deps, offsetting)) ?? request;
  } finally {
    await releaseOps(deps, id, actor, deps.now());
  }
}

/**
 * Ops settled it by hand (checked with WeChat or the buyer, fixed elsewhere): clear the flag,
 * leaving the state as it is. The note goes into the audit log with the action.
 */
export async function resolveByHand(deps: LifecycleDeps, id: string): Promise<InvoiceRequestDoc> {
  const request = await deps.requests.findById(id);
  if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${id}`);
  if (!request.needsAttention) throw new AppError('INVALID_STATE_TRANSITION', 'The request does not need attention');
  await deps.requests.clearAttention(id, deps.now());
  return (await deps.requests.findById(id)) ?? request;
}

import type { AdminInvoice, AdminInvoiceDetail, InvoiceList, InvoiceListQuery, ReconcileAnswer, RejectBody } from '@fapiao/shared/contract';
import { AppError } from '../../errors';
import { auditTrail, recordAudit, type AuditDeps } from '../audit';
import type { LifecycleDeps } from '../lifecycle/deps';
import { offsetRequest, rejectRequest, resolveByHand, retryRequest } from '../lifecycle/ops';
import { reconcileRequest } from '../lifecycle/reconcile';
import { decodePageCursor, pageOf } from '../paging';
import { listFilterOf, toAdminInvoice } from './invoice-view';

/** Ops' work on invoice requests: the list, one request with its trail, and the actions on it. */
export interface AdminInvoiceDeps extends AuditDeps {
  lifecycle: LifecycleDeps;
}

/** Newest first, a page at a time (keyset paging: the cursor is the previous page's last request). */
export async function listInvoiceRequests(deps: Pick<AdminInvoiceDeps, 'lifecycle'>, query: InvoiceListQuery): Promise<InvoiceList> {
  const cursor = query.cursor === undefined ? undefined : decodePageCursor(query.cursor);
  if (query.cursor !== undefined && !cursor) {
    const message = 'must be the nextCursor of a previous page, unchanged';
    throw new AppError('VALIDATION_FAILED', `Invalid query: cursor: ${message}`, { problems: [`cursor: ${message}`] });
  }
  const after = cursor && { createdAt: cursor.createdAt, id: cursor.key };
  const found = await deps.lifecycle.requests.list({ ...listFilterOf(query), after }, query.limit + 1);
  const { items, nextCursor } = pageOf(found, query.limit, (request) => ({ createdAt: request.createdAt, key: request._id }));
  return { invoices: items.map(toAdminInvoice), ...(nextCursor ? { nextCursor } : {}) };
}

export async function invoiceRequestDetail(deps: AdminInvoiceDeps, id: string): Promise<AdminInvoiceDetail> {
  const request = await deps.lifecycle.requests.findById(id);
  if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${id}`);
  return { ...toAdminInvoice(request), audit: await auditTrail(deps, targetOf(id)) };
}

const targetOf = (id: string) => `invoice:${id}`;

/** Refuse to issue (rejectinsert): WeChat tells the buyer the reason; they may apply again. */
export async function rejectInvoiceRequest(deps: AdminInvoiceDeps, id: string, body: RejectBody, actor: string): Promise<AdminInvoice> {
  const rejected = await rejectRequest(deps.lifecycle, id, body.reason, body.url, actor);
  await recordAudit(deps, { actor, action: 'invoice.reject', target: targetOf(id), detail: { reason: body.reason } });
  return toAdminInvoice(rejected);
}

/** Try again after a failure, or have the worker look at a flagged request now. */
export async function retryInvoiceRequest(deps: AdminInvoiceDeps, id: string, actor: string): Promise<AdminInvoice> {
  const retried = await retryRequest(deps.lifecycle, id, actor);
  await recordAudit(deps, { actor, action: 'invoice.retry', target: targetOf(id) });
  return toAdminInvoice(retried);
}

/** Clear the needs-attention flag of a request settled by hand; the note goes into the trail. */
export async function resolveInvoiceRequest(deps: AdminInvoiceDeps, id: string, note: string, actor: string): Promise<AdminInvoice> {
  const resolved = await resolveByHand(deps.lifecycle, id);
  await recordAudit(deps, { actor, action: 'invoice.resolve', target: targetOf(id), detail: { note } });
  return toAdminInvoice(resolved);
}

/** After a refund: offset (红冲) the issued invoice with a red one. */
export async function offsetInvoiceRequest(deps: AdminInvoiceDeps, id: string, actor: string): Promise<AdminInvoice> {
  const offsetting = await offsetRequest(deps.lifecycle, id, actor);
  await recordAudit(deps, { actor, action: 'invoice.offset', target: targetOf(id) });
  return toAdminInvoice(offsetting);
}

/** Ask WeChat about the request and say whether it agrees (reads only: not audited). */
export function reconcileInvoiceRequest(deps: Pick<AdminInvoiceDeps, 'lifecycle'>, id: string, by: string): Promise<ReconcileAnswer> {
  return reconcileRequest(deps.lifecycle, id, by);
}

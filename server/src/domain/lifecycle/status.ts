import type { InvoiceStatusResponse } from '@fapiao/shared';
import type { InvoiceRequestDoc } from '../entities/invoice-request';
import { AppError } from '../../errors';
import type { BuyerIdentity } from '../buyer';
import { pollAuthorization } from './authorization';
import { journaled } from './call-journal';
import type { LifecycleDeps } from './deps';

/** Where the buyer's invoice for an order stands (the latest request). */
export async function buyerInvoiceStatus(deps: LifecycleDeps, buyer: Pick<BuyerIdentity, 'openid' | 'unionid'>, orderNo: string): Promise<InvoiceStatusResponse> {
  return toStatus(await latestRequest(deps, buyer, orderNo));
}

/**
 * The buyer came back from WeChat's authorization page (App.onShow): ask WeChat now instead of
 * waiting for the push or the next poll. Safe alongside the worker: transitions are conditional.
 */
export async function refreshBuyerInvoice(deps: LifecycleDeps, buyer: Pick<BuyerIdentity, 'openid' | 'unionid'>, orderNo: string): Promise<InvoiceStatusResponse> {
  const request = await latestRequest(deps, buyer, orderNo);
  if (request.status === 'AUTH_PENDING') {
    await journaled(deps, request, 'buyer', (step) => pollAuthorization(step, request));
    return toStatus((await deps.requests.findById(request._id)) ?? request);
  }
  return toStatus(request);
}

async function latestRequest(deps: LifecycleDeps, buyer: Pick<BuyerIdentity, 'openid' | 'unionid'>, orderNo: string): Promise<InvoiceRequestDoc> {
  const order = await deps.orders.findForBuyer(buyer, orderNo);
  if (!order) throw new AppError('ORDER_NOT_FOUND', `No order ${orderNo}`);
  const request = order.latestRequestId ? await deps.requests.findById(order.latestRequestId) : null;
  if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice was requested for order ${orderNo}`);
  return request;
}

export function toStatus(request: InvoiceRequestDoc): InvoiceStatusResponse {
  const invoice = request.invoice;
  return {
    status: request.status,
    ...(request.rejectReason ? { rejectReason: request.rejectReason } : {}),
    ...(invoice ? { fpdm: invoice.fpdm, fphm: invoice.fphm, jym: invoice.jym, kprq: invoice.kprq, pdfUrl: invoice.pdfUrl } : {}),
  };
}

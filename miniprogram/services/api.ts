/** The Mini Program API (/api/mp) as typed functions; shapes come from @fapiao/shared. */
import {
  type ApplyInvoiceRequest,
  type ApplyInvoiceResponse,
  type InvoiceStatusResponse,
  type OrderDetailResponse,
  type OrderListResponse,
} from '@fapiao/shared';
import { isApiError } from './errors';
import { apiRequest } from './request';

const order = (orderNo: string) => `/api/mp/orders/${encodeURIComponent(orderNo)}`;

export function listOrders(cursor?: string, limit = 20): Promise<OrderListResponse> {
  const query = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  return apiRequest<OrderListResponse>('GET', `/api/mp/orders?${query}`);
}

export function getOrder(orderNo: string): Promise<OrderDetailResponse> {
  return apiRequest<OrderDetailResponse>('GET', order(orderNo));
}

/** Creates the invoice request; answers with where to authorize it. */
export function applyInvoice(orderNo: string, body: ApplyInvoiceRequest): Promise<ApplyInvoiceResponse> {
  return apiRequest<ApplyInvoiceResponse>('POST', `${order(orderNo)}/invoice`, body);
}

/** The latest invoice request of the order, or null when there is none. */
export async function getInvoiceStatus(orderNo: string): Promise<InvoiceStatusResponse | null> {
  try {
    return await apiRequest<InvoiceStatusResponse>('GET', `${order(orderNo)}/invoice`);
  } catch (err) {
    if (isApiError(err) && err.code === 'INVOICE_REQUEST_NOT_FOUND') return null;
    throw err;
  }
}

/** Back from the authorization page: the server asks WeChat now, then answers like getInvoiceStatus. */
export function refreshInvoiceStatus(orderNo: string): Promise<InvoiceStatusResponse> {
  return apiRequest<InvoiceStatusResponse>('POST', `${order(orderNo)}/invoice/refresh`);
}

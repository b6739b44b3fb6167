import type { ChannelInvoiceStatusResponse } from '@fapiao/shared';
import type { InvoiceRequestDoc } from '../entities/invoice-request';
import { AppError } from '../../errors';
import { pollAuthorization } from './authorization';
import { journaled } from './call-journal';
import type { LifecycleDeps } from './deps';
import { toStatus } from './status';

/** A request as the merchant's back end sees it (channel API). */
export async function channelInvoiceStatus(deps: LifecycleDeps, requestId: string): Promise<ChannelInvoiceStatusResponse> {
  return toChannelStatus(await find(deps, requestId));
}

/** Back from WeChat: ask getauthdata now instead of waiting for the push or the next poll. */
export async function refreshChannelInvoice(deps: LifecycleDeps, requestId: string): Promise<ChannelInvoiceStatusResponse> {
  const request = await find(deps, requestId);
  if (request.status !== 'AUTH_PENDING') return toChannelStatus(request);
  await journaled(deps, request, 'merchant', (step) => pollAuthorization(step, request));
  return toChannelStatus((await deps.requests.findById(requestId)) ?? request);
}

async function find(deps: LifecycleDeps, requestId: string): Promise<InvoiceRequestDoc> {
  const request = await deps.requests.findById(requestId);
  if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${requestId}`);
  return request;
}

function toChannelStatus(request: InvoiceRequestDoc): ChannelInvoiceStatusResponse {
  return { requestId: request._id, orderNo: request.orderNo, account: request.account ?? 'default', source: request.source ?? 'wxa', ...toStatus(request) };
}

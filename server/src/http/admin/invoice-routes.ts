import { adminInvoiceDetail, adminInvoiceDto, idParams, invoiceList, invoiceListQuery, reconcileAnswer, rejectBody, resolveBody } from '@fapiao/shared/contract';
import {
  invoiceRequestDetail,
  listInvoiceRequests,
  offsetInvoiceRequest,
  reconcileInvoiceRequest,
  rejectInvoiceRequest,
  resolveInvoiceRequest,
  retryInvoiceRequest,
  type AdminInvoiceDeps,
} from '../../domain/admin/invoices';
import { route, type AnyApiRoute } from '../api-route';
import { actor } from './actor';

/** Invoice requests: the list, one request with its trail, and ops' actions on it (domain/admin/invoices.ts). */
export function invoiceRoutes(deps: AdminInvoiceDeps): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/invoices',
      summary:
        'Invoice requests, newest first, by status, order number and creation time (createdAfter inclusive, createdBefore exclusive); ' +
        'at most `limit` per page, and nextCursor when more follow',
      auth: 'admin',
      query: invoiceListQuery,
      response: invoiceList,
      handler: ({ query }) => listInvoiceRequests(deps, query),
    }),
    route({
      method: 'get',
      path: '/invoices/:id',
      summary: 'One invoice request with its state history and the admin actions on it',
      auth: 'admin',
      params: idParams,
      response: adminInvoiceDetail,
      handler: ({ params }) => invoiceRequestDetail(deps, params.id),
    }),
    route({
      method: 'post',
      path: '/invoices/:id/reject',
      summary: 'Refuse to issue (rejectinsert): WeChat tells the buyer the reason; they may apply again',
      auth: 'admin',
      params: idParams,
      body: rejectBody,
      response: adminInvoiceDto,
      handler: ({ params, body, caller }) => rejectInvoiceRequest(deps, params.id, body, actor(caller)),
    }),
    route({
      method: 'post',
      path: '/invoices/:id/retry',
      summary:
        'Try again: after ISSUE_FAILED issue again (same fpqqlsh); after OFFSET_FAILED offset again (new red fpqqlsh); ' +
        'a flagged request the worker drives is looked at again now. Clears the needs-attention flag',
      auth: 'admin',
      params: idParams,
      response: adminInvoiceDto,
      handler: ({ params, caller }) => retryInvoiceRequest(deps, params.id, actor(caller)),
    }),
    route({
      method: 'post',
      path: '/invoices/:id/resolve',
      summary: 'Clear the needs-attention flag of a request settled by hand (the state stays); the note is audited',
      auth: 'admin',
      params: idParams,
      body: resolveBody,
      response: adminInvoiceDto,
      handler: ({ params, body, caller }) => resolveInvoiceRequest(deps, params.id, body.note, actor(caller)),
    }),
    route({
      method: 'post',
      path: '/invoices/:id/offset',
      summary: 'Offset (红冲) an issued invoice with a red one, after a refund',
      auth: 'admin',
      params: idParams,
      response: adminInvoiceDto,
      handler: ({ params, caller }) => offsetInvoiceRequest(deps, params.id, actor(caller)),
    }),
    route({
      method: 'post',
      path: '/invoices/:id/reconcile',
      summary: 'Ask WeChat (queryinvoceinfo) about an ISSUING, ISSUED or OFFSETTING request and say whether it agrees',
      auth: 'admin',
      params: idParams,
      response: reconcileAnswer,
      handler: ({ params, caller }) => reconcileInvoiceRequest(deps, params.id, actor(caller)),
    }),
  ];
}

import {
  applyInvoiceRequest,
  applyInvoiceResponse,
  createSessionRequest,
  createSessionResponse,
  invoiceStatusDto,
  orderDto,
  orderListQuery,
  orderListResponse,
  orderNoParams,
} from '@fapiao/shared/contract';
import type { BuyerIdentity } from '../../domain/buyer';
import { accountForChannel } from '../../domain/channels';
import { getBuyerOrder, listBuyerOrders, type OrdersDeps } from '../../domain/orders';
import { login, type LoginDeps } from '../../domain/login';
import type { LifecycleDeps } from '../../domain/lifecycle/deps';
import { requestInvoice } from '../../domain/lifecycle/request-invoice';
import { buyerInvoiceStatus, refreshBuyerInvoice } from '../../domain/lifecycle/status';
import { route, type AnyApiRoute, type Caller } from '../api-route';

export interface MpDeps {
  login: Omit<LoginDeps, 'account'>;
  orders: OrdersDeps;
  lifecycle: LifecycleDeps;
}

function buyer(caller: Caller): BuyerIdentity {
  if (caller.kind !== 'buyer') throw new Error('route mounted without session authentication');
  return { account: caller.account, openid: caller.openid, ...(caller.unionid ? { unionid: caller.unionid } : {}) };
}

/** /api/mp: what the Mini Program calls, on behalf of the logged-in buyer only. */
export function mpRoutes(deps: MpDeps): AnyApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/session',
      summary: 'Log in with a wx.login code; returns the session token for every other /api/mp call',
      auth: 'none',
      body: createSessionRequest,
      response: createSessionResponse,
      handler: async ({ body }) => {
        const account = accountForChannel(deps.lifecycle.accounts, 'wxa', body.account);
        const session = await login({ ...deps.login, account }, body.code);
        return { token: session.token, openid: session.openid, expiresAt: session.expiresAt.toISOString() };
      },
    }),
    route({
      method: 'get',
      path: '/orders',
      summary: "The buyer's orders, newest first, with their invoice status",
      auth: 'session',
      query: orderListQuery,
      response: orderListResponse,
      handler: ({ query, caller }) => listBuyerOrders(deps.orders, buyer(caller), query),
    }),
    route({
      method: 'get',
      path: '/orders/:orderNo',
      summary: 'One of the buyer’s orders with its lines, totals and invoice status',
      auth: 'session',
      params: orderNoParams,
      response: orderDto,
      handler: ({ params, caller }) => getBuyerOrder(deps.orders, buyer(caller), params.orderNo),
    }),
    route({
      method: 'post',
      path: '/orders/:orderNo/invoice',
      summary:
        'Request an invoice: returns the appid and path for wx.navigateToMiniProgram (WeChat’s authorization page), and in sandbox mode a web-view URL',
      auth: 'session',
      params: orderNoParams,
      body: applyInvoiceRequest,
      response: applyInvoiceResponse,
      handler: async ({ params, body, caller }) => {
        const who = buyer(caller);
        const account = accountForChannel(deps.lifecycle.accounts, 'wxa', who.account);
        const link = await requestInvoice(deps.lifecycle, {
          buyer: who,
          orderNo: params.orderNo,
          ...body,
          channel: { account, source: 'wxa' },
        });
        return { appid: link.appid ?? '', authUrl: link.authUrl, ...(link.webviewUrl ? { webviewUrl: link.webviewUrl } : {}) };
      },
    }),
    route({
      method: 'get',
      path: '/orders/:orderNo/invoice',
      summary: 'Where the invoice for this order stands, with its numbers and PDF once issued',
      auth: 'session',
      params: orderNoParams,
      response: invoiceStatusDto,
      handler: ({ params, caller }) => buyerInvoiceStatus(deps.lifecycle, buyer(caller), params.orderNo),
    }),
    route({
      method: 'post',
      path: '/orders/:orderNo/invoice/refresh',
      summary: 'Back from the authorization page: ask WeChat now (getauthdata), then answer like GET',
      auth: 'session',
      params: orderNoParams,
      response: invoiceStatusDto,
      handler: ({ params, caller }) => refreshBuyerInvoice(deps.lifecycle, buyer(caller), params.orderNo),
    }),
  ];
}

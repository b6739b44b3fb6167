import { z } from 'zod';
import { getBuyerOrder, listBuyerOrders, type OrdersDeps } from '../../domain/orders';
import { login, type LoginDeps } from '../../domain/login';
import type { LifecycleDeps } from '../../domain/lifecycle/deps';
import { requestInvoice } from '../../domain/lifecycle/request-invoice';
import { buyerInvoiceStatus, refreshBuyerInvoice } from '../../domain/lifecycle/status';
import { route, type AnyApiRoute, type Caller } from '../api-route';
import { invoiceStatusDto, invoiceTitle, orderDto, orderNoParams } from '../schemas';

export interface MpDeps {
  login: LoginDeps;
  orders: OrdersDeps;
  lifecycle: LifecycleDeps;
}

function buyer(caller: Caller): string {
  if (caller.kind !== 'buyer') throw new Error('route mounted without session authentication');
  return caller.openid;
}

/** /api/mp: what the Mini Program calls, on behalf of the logged-in buyer only. */
export function mpRoutes(deps: MpDeps): AnyApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/session',
      summary: 'Log in with a wx.login code; returns the session token for every other /api/mp call',
      auth: 'none',
      body: z.object({ code: z.string().min(1).max(128) }).strict(),
      response: z.object({ token: z.string(), openid: z.string(), expiresAt: z.string() }),
      handler: async ({ body }) => {
        const session = await login(deps.login, body.code);
        return { token: session.token, openid: session.openid, expiresAt: session.expiresAt.toISOString() };
      },
    }),
    route({
      method: 'get',
      path: '/orders',
      summary: "The buyer's orders, newest first, with their invoice status",
      auth: 'session',
      query: z
        .object({
          cursor: z.string().min(1).max(300).regex(/^[A-Za-z0-9_-]+$/, 'must be the nextCursor of a previous page, unchanged').optional(),
          limit: z.coerce.number().int().min(1).max(50).default(20) })
        .strict(),
      response: z.object({ orders: z.array(orderDto), nextCursor: z.string().optional() }),
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
      // Type 0 needs the title and type 1 takes none: one schema per type, so /openapi.json says so.
      body: z.discriminatedUnion('type', [
        z.object({ type: z.literal(0).describe('0: the title is given here'), title: invoiceTitle }).strict(),
        z.object({ type: z.literal(1).default(1).describe('1: WeChat collects the title (the default)') }).strict(),
      ]),
      response: z.object({ appid: z.string(), authUrl: z.string(), webviewUrl: z.string().optional() }),
      handler: ({ params, body, caller }) =>
        requestInvoice(deps.lifecycle, { openid: buyer(caller), orderNo: params.orderNo, ...body }),
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

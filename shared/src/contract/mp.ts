/**
 * The Mini Program API (/api/mp/*): what the buyer's Mini Program sends and gets back. Money is
 * integer fen, times are ISO-8601 strings, errors are `errorBody` (common.ts).
 */
import { z } from 'zod';
import { fen, invoiceStatus, invoiceTitle, orderNo, pageCursor } from './common';

// POST /api/mp/session ----------------------------------------------------------------------------

export const createSessionRequest = z
  .object({
    code: z.string().min(1).max(128).describe('The code from wx.login(); single-use, valid for about 5 minutes'),
    account: z.string().max(32).optional().describe('The Mini Program account (its configured name); default: the first Mini Program'),
  })
  .strict();
export type CreateSessionRequest = z.input<typeof createSessionRequest>;

export const createSessionResponse = z
  .object({
    token: z.string().describe('Opaque bearer token for `Authorization: Bearer <token>` on every other /api/mp call'),
    openid: z.string(),
    expiresAt: z.string().describe('ISO-8601'),
  })
  .meta({ id: 'Session' });
export type CreateSessionResponse = z.infer<typeof createSessionResponse>;

// GET /api/mp/orders, GET /api/mp/orders/:orderNo -------------------------------------------------

export const orderItemDto = z
  .object({
    name: z.string(),
    spbm: z.string().describe('19-digit tax classification code (税收分类编码)'),
    quantity: z.number().describe('positive; may be fractional (up to 8 decimals)'),
    unitPrice: fen.describe('tax-inclusive price of one unit, in fen'),
    taxRate: z.string().describe('"0.13", "0.06", … (see parseTaxRate)'),
    amount: fen.describe("the line's tax-inclusive amount in fen, as invoiced (unit price × quantity rounded once, half up): show this, never unit price × quantity"),
  })
  .meta({ id: 'OrderItem' });
export type OrderItemDto = z.infer<typeof orderItemDto>;

export const orderInvoiceSummary = z
  .object({
    status: invoiceStatus.nullable().describe('state of the latest invoice request for the order; null when the buyer never applied'),
    canApply: z.boolean().describe('no request yet, or the latest one allows applying again (canReapply)'),
    rejectReason: z.string().optional().describe("the merchant's reason, when status is REJECTED"),
    emailCopy: z.boolean().optional().describe('The merchant emails a copy of the issued invoice to the email given with the title'),
  })
  .meta({ id: 'OrderInvoiceSummary' });
export type OrderInvoiceSummaryDto = z.infer<typeof orderInvoiceSummary>;

export const orderDto = z
  .object({
    orderNo: z.string(),
    amount: fen.describe('tax-inclusive order amount in fen'),
    createdAt: z.string().describe('ISO-8601'),
    items: z.array(orderItemDto),
    invoice: orderInvoiceSummary,
  })
  .meta({ id: 'Order' });
export type OrderDto = z.infer<typeof orderDto>;
export type OrderDetailResponse = OrderDto;

export const orderNoParams = z.object({ orderNo }).strict();

export const orderListQuery = z
  .object({
    cursor: pageCursor.optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20).describe('page size'),
  })
  .strict();
export type OrderListQuery = z.input<typeof orderListQuery>;

/** Newest orders first. */
export const orderListResponse = z
  .object({ orders: z.array(orderDto), nextCursor: z.string().optional().describe('present when there are more orders') })
  .meta({ id: 'OrderList' });
export type OrderListResponse = z.infer<typeof orderListResponse>;

// POST /api/mp/orders/:orderNo/invoice ------------------------------------------------------------

/**
 * The getauthurl `type`: 0 the buyer gave the title in our Mini Program (form or
 * wx.chooseInvoiceTitle), so it is required; 1 (the default) WeChat's authorization page collects
 * it. (WeChat's type 2 hands over an invoice issued elsewhere through its card-insert API, which
 * Fapiao does not implement, so the contract does not offer it.) One schema per type, so
 * /openapi.json says which needs the title.
 */
export const applyInvoiceRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal(0).describe('0: the title is given here'), title: invoiceTitle }).strict(),
  z.object({ type: z.literal(1).default(1).describe('1: WeChat collects the title (the default)') }).strict(),
]);
export type ApplyInvoiceRequest = z.input<typeof applyInvoiceRequest>;

export const applyInvoiceResponse = z
  .object({
    appid: z.string().describe("the appid to pass to wx.navigateToMiniProgram (WeChat's invoice authorization Mini Program)"),
    authUrl: z.string().describe('the `path` for wx.navigateToMiniProgram'),
    webviewUrl: z.string().optional().describe('sandbox mode only: open this in a <web-view> instead of navigating to another Mini Program'),
  })
  .meta({ id: 'AuthorizationLink' });
export type ApplyInvoiceResponse = z.infer<typeof applyInvoiceResponse>;

// GET /api/mp/orders/:orderNo/invoice: invoiceStatusDto (common.ts), the latest request of the order.
export { invoiceStatusDto, type InvoiceStatusResponse } from './common';

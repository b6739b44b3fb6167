/**
 * The admin API (/api/admin/*), its orders and invoice requests: merchant ops with an API key
 * (machines, the ops CLI) or a staff member's console session. Money is integer fen, times ISO-8601.
 */
import { z } from 'zod';
import { MAX_QUANTITY_DECIMALS, parseQuantity } from '../money';
import { isDateInYearRange } from '../validators';
import { fen, invoiceSource, invoiceStatus, isoTime, limitParam, openid, orderNo, pageCursor, printableText, requestId, unionid } from './common';
import { orderDto } from './mp';

// Orders -----------------------------------------------------------------------------------------

function quantityOk(quantity: number): boolean {
  try {
    parseQuantity(quantity);
    return true;
  } catch {
    return false;
  }
}

/** POST /api/admin/orders: the order as the order system has it (amounts in fen). */
export const orderInput = z
  .object({
    orderNo,
    openid,
    unionid: unionid.optional().describe("The buyer's unionid, when known: the order is theirs in every account of the merchant"),
    amount: fen.min(1),
    items: z
      .array(
        z
          .object({
            name: printableText(90),
            spbm: z.string().regex(/^\d{19}$/, 'must be the 19-digit tax classification code'),
            quantity: z
              .number()
              .positive()
              .max(1e9)
              .multipleOf(1e-8)
              .refine((q) => quantityOk(q), `must have at most ${MAX_QUANTITY_DECIMALS} decimals`),
            unitPrice: fen,
            taxRate: z.string().regex(/^0(\.\d{1,4})?$/, 'must be a rate like "0.13"'),
          })
          .strict(),
      )
      .min(1)
      .max(200),
    createdAt: z.iso
      .datetime()
      .refine((text) => isDateInYearRange(new Date(text)), 'must be in years 0001–9999')
      .optional(),
  })
  .strict();
export type OrderInput = z.input<typeof orderInput>;

export const orderImported = z.object({ created: z.boolean(), order: orderDto }).meta({ id: 'OrderImported' });
export type OrderImported = z.infer<typeof orderImported>;

/** GET /api/admin/orders/:orderNo: the order as the console's request page shows it. */
export const adminOrder = orderDto
  .extend({ openid: z.string(), refundedAt: z.string().optional(), latestRequestId: z.string().optional(), requestCount: z.number().int() })
  .meta({ id: 'AdminOrder' });
export type AdminOrder = z.infer<typeof adminOrder>;

// Invoice requests -------------------------------------------------------------------------------

export const idParams = z.object({ id: requestId }).strict();

/** The filters of the invoice list, shared by the list and its export. */
export const invoiceFilters = {
  status: invoiceStatus.optional(),
  attention: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional()
    .describe('true: only the requests that need a human (needs-attention flag), with the reason and WeChat’s last answers'),
  orderNo: orderNo.optional(),
  createdAfter: isoTime.optional().describe('created at or after this time (inclusive); a date alone is midnight UTC'),
  createdBefore: isoTime.optional().describe('created before this time (exclusive); a date alone is midnight UTC'),
  title: z.string().min(1).max(100).optional().describe("part of the buyer's title (抬头), any case"),
  taxNumber: z
    .string()
    .regex(/^[0-9A-Za-z]{15,20}$/, 'must be a tax number (15-20 letters or digits)')
    .transform((t) => t.toUpperCase())
    .optional()
    .describe("the buyer's tax number (税号), exactly"),
};
export const invoiceFilterQuery = z.object(invoiceFilters).strict();
export type InvoiceFilters = z.output<typeof invoiceFilterQuery>;

/** The export: the list's filters, as CSV (default) or an Excel workbook. */
export const invoiceExportQuery = z
  .object({
    ...invoiceFilters,
    format: z.enum(['csv', 'xlsx']).default('csv').describe('csv (UTF-8 with BOM) or xlsx (Excel: amounts are numbers in yuan with 2 decimals)'),
  })
  .strict();

export const invoiceListQuery = z
  .object({
    ...invoiceFilters,
    limit: limitParam(500, 100),
    cursor: pageCursor.optional().describe('nextCursor from the previous page, to continue after its last request (same filters)'),
  })
  .strict();
export type InvoiceListQuery = z.output<typeof invoiceListQuery>;

const issuedInvoice = z.object({ fpdm: z.string(), fphm: z.string(), jym: z.string(), kprq: z.string(), pdfUrl: z.string() }).meta({ id: 'IssuedInvoice' });

export const wechatAnswer = z
  .object({ at: z.string(), call: z.string(), errcode: z.number(), summary: z.string() })
  .meta({ id: 'WeChatAnswer', description: 'One answer of WeChat to a call the worker made for the request' });
export type WeChatAnswer = z.infer<typeof wechatAnswer>;

export const historyEntry = z
  .object({ from: invoiceStatus.nullable(), to: invoiceStatus, event: z.string(), at: z.string(), by: z.string(), detail: z.string().optional() })
  .meta({ id: 'HistoryEntry' });
export type HistoryEntry = z.infer<typeof historyEntry>;

/** An invoice request as ops see it, with its history. */
export const adminInvoiceDto = z
  .object({
    id: z.string(),
    orderNo: z.string(),
    openid: z.string().optional().describe("the buyer's openid under the request's account (unknown until WeChat names it, for plain web and app)"),
    account: z.string().describe('the WeChat account the request was made through; every call for it uses that account'),
    appid: z.string().optional(),
    source: invoiceSource,
    wxOrderId: z.string(),
    type: z.number(),
    amount: fen,
    status: invoiceStatus,
    title: z.record(z.string(), z.string()).optional(),
    fpqqlsh: z.string(),
    invoice: issuedInvoice.optional(),
    offset: z.object({ fpqqlsh: z.string(), invoice: issuedInvoice.optional() }).optional(),
    rejectReason: z.string().optional(),
    lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).optional(),
    createdAt: z.string(),
    authorizedAt: z.string().optional(),
    nextActionAt: z.string().optional(),
    attempts: z.number(),
    customFields: z.array(z.object({ key: z.string(), value: z.string() })).optional().describe('the merchant’s custom fields as the buyer filled them in'),
    needsAttention: z.boolean().describe('a human must act: see `attention`'),
    attention: z
      .object({
        code: z.string(),
        reason: z.string(),
        state: invoiceStatus.describe('the state it was flagged in'),
        since: z.string(),
        at: z.string(),
        answers: z.array(wechatAnswer).describe('WeChat’s last answers when it was flagged'),
      })
      .optional(),
    answers: z.array(wechatAnswer).optional().describe('WeChat’s last answers to the worker about this request'),
    history: z.array(historyEntry),
  })
  .meta({ id: 'AdminInvoice' });
export type AdminInvoice = z.infer<typeof adminInvoiceDto>;

export const invoiceList = z
  .object({
    invoices: z.array(adminInvoiceDto),
    nextCursor: z.string().optional().describe('present when more requests match: pass it as `cursor`, with the same filters, for the next page'),
  })
  .meta({ id: 'AdminInvoiceList' });
export type InvoiceList = z.infer<typeof invoiceList>;

export const auditEntry = z
  .object({ at: z.string(), actor: z.string(), action: z.string(), detail: z.record(z.string(), z.unknown()).optional() })
  .meta({ id: 'AuditEntry', description: 'An admin action: who (admin:<key id> or staff:<username>), what and when' });
export type AuditEntry = z.infer<typeof auditEntry>;

export const adminInvoiceDetail = adminInvoiceDto.extend({ audit: z.array(auditEntry) }).meta({ id: 'AdminInvoiceDetail' });
export type AdminInvoiceDetail = z.infer<typeof adminInvoiceDetail>;

// The url is shown to the buyer by WeChat: a bounded link, not an unbounded string.
export const rejectBody = z.object({ reason: printableText(200), url: z.url().max(2048).optional() }).strict();
export type RejectBody = z.output<typeof rejectBody>;
export const resolveBody = z.object({ note: printableText(500) }).strict();

/** What WeChat says about an fpqqlsh (queryinvoceinfo, as the worker reads it). */
export const wechatView = z
  .discriminatedUnion('state', [
    z.object({ state: z.literal('issued'), fpdm: z.string(), fphm: z.string() }),
    z.object({ state: z.literal('processing') }),
    z.object({ state: z.literal('failed'), errcode: z.number(), meaning: z.string() }),
    z.object({ state: z.literal('unknown'), errcode: z.number(), meaning: z.string() }),
  ])
  .meta({ id: 'WeChatView' });
export type WeChatView = z.infer<typeof wechatView>;

export const reconcileAnswer = z
  .object({
    id: z.string(),
    orderNo: z.string(),
    status: invoiceStatus,
    fpqqlsh: z.string(),
    wechat: wechatView,
    verdict: z
      .enum(['ok', 'mismatch', 'stuck'])
      .describe('ok: WeChat agrees; mismatch: WeChat knows something else (the worker was woken if it issued what we wait for); stuck: nothing has moved for longer than expected'),
    detail: z.string(),
  })
  .meta({ id: 'ReconcileAnswer' });
export type ReconcileAnswer = z.infer<typeof reconcileAnswer>;

// Post-payment authorizations --------------------------------------------------------------------

export const postPaymentQuery = z
  .object({ state: z.enum(['waiting', 'unmatched', 'matched', 'conflict']).default('unmatched'), limit: limitParam(500, 100) })
  .strict();
export type PostPaymentQuery = z.output<typeof postPaymentQuery>;

export const postPaymentDto = z
  .object({
    id: z.string(),
    orderId: z.string().describe('the order number WeChat named (the payment’s out_trade_no)'),
    account: z.string().optional(),
    appid: z.string(),
    source: z.string().optional(),
    openid: z.string(),
    receivedAt: z.string(),
    status: z.enum(['waiting', 'matched', 'conflict']),
    expired: z.boolean().describe('waiting beyond the match window (POST_PAYMENT_MATCH_HOURS): its order never came'),
    requestId: z.string().optional(),
    note: z.string().optional(),
  })
  .meta({ id: 'PostPaymentAuthorization' });
export const postPaymentList = z.object({ authorizations: z.array(postPaymentDto) });
export type PostPaymentList = z.infer<typeof postPaymentList>;

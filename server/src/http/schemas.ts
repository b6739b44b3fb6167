import { INVOICE_STATES } from '@fapiao/shared';
import { z } from 'zod';

/** Schemas shared by the mp and admin routes (request validation and /openapi.json). */

export const fen = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Amount in fen (1/100 yuan), an integer');
export const orderNo = z
  .string()
  .regex(/^[0-9A-Za-z_-]{1,32}$/, 'must be 1-32 characters of [0-9A-Za-z_-]')
  .describe("The merchant's order number");
export const openid = z.string().regex(/^[0-9A-Za-z_-]{6,64}$/, 'must be a WeChat openid').describe("The buyer's openid");
export const invoiceStatus = z.enum(INVOICE_STATES);

export const orderItemDto = z.object({
  name: z.string(),
  spbm: z.string(),
  quantity: z.number(),
  unitPrice: fen,
  taxRate: z.string(),
});

export const orderDto = z.object({
  orderNo: z.string(),
  amount: fen,
  createdAt: z.string().describe('ISO-8601'),
  items: z.array(orderItemDto),
  invoice: z.object({ status: invoiceStatus.nullable(), canApply: z.boolean(), rejectReason: z.string().optional() }),
});

export const orderNoParams = z.object({ orderNo }).strict();

/** RFC 5321 caps an address at 254 characters; the format check alone would take any length. */
const email = z.email().max(254);

export const invoiceTitle = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('company'),
      name: z.string().min(1).max(100),
      taxNumber: z.string().min(15).max(20),
      address: z.string().max(100).optional(),
      phone: z.string().max(30).optional(),
      bankName: z.string().max(100).optional(),
      bankAccount: z.string().max(40).optional(),
      email: email.optional(),
    })
    .strict(),
  z
    .object({ kind: z.literal('personal'), name: z.string().min(1).max(100), phone: z.string().max(30).optional(), email: email.optional() })
    .strict(),
]);

export const invoiceStatusDto = z.object({
  status: invoiceStatus,
  rejectReason: z.string().optional(),
  fpdm: z.string().optional(),
  fphm: z.string().optional(),
  jym: z.string().optional(),
  kprq: z.string().optional().describe('yyyyMMddHHmmss, China time'),
  pdfUrl: z.string().optional(),
});

const issuedInvoice = z.object({ fpdm: z.string(), fphm: z.string(), jym: z.string(), kprq: z.string(), pdfUrl: z.string() });

/** An invoice request as ops see it, with its history. */
export const adminInvoiceDto = z.object({
  id: z.string(),
  orderNo: z.string(),
  openid: z.string().optional().describe("the buyer's openid under the request's account (unknown until WeChat names it, for plain web and app)"),
  account: z.string().describe('the WeChat account the request was made through; every call for it uses that account'),
  appid: z.string().optional(),
  source: z.enum(['wxa', 'web', 'app', 'wap']),
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
  history: z.array(
    z.object({ from: invoiceStatus.nullable(), to: invoiceStatus, event: z.string(), at: z.string(), by: z.string(), detail: z.string().optional() }),
  ),
});

import { INVOICE_STATES, isDateInYearRange, textProblem } from '@fapiao/shared';
import { z } from 'zod';

/** Schemas shared by the mp and admin routes (request validation and /openapi.json). */

export const fen = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Amount in fen (1/100 yuan), an integer');
export const orderNo = z
  .string()
  .regex(/^[0-9A-Za-z_-]{1,32}$/, 'must be 1-32 characters of [0-9A-Za-z_-]')
  .describe("The merchant's order number");
export const openid = z.string().regex(/^[0-9A-Za-z_-]{6,64}$/, 'must be a WeChat openid').describe("The buyer's openid");
export const invoiceStatus = z.enum(INVOICE_STATES);

const orderItemDto = z.object({
  name: z.string(),
  spbm: z.string(),
  quantity: z.number(),
  unitPrice: fen,
  taxRate: z.string(),
  amount: fen.describe("the line's tax-inclusive amount in fen, as invoiced (unit price × quantity rounded once, half up)"),
});

export const orderDto = z.object({
  orderNo: z.string(),
  amount: fen,
  createdAt: z.string().describe('ISO-8601'),
  items: z.array(orderItemDto),
  invoice: z.object({
    status: invoiceStatus.nullable(),
    canApply: z.boolean(),
    rejectReason: z.string().optional(),
    emailCopy: z.boolean().optional().describe('The merchant emails a copy of the issued invoice to the email given with the title'),
  }),
});

export const orderNoParams = z.object({ orderNo }).strict();

/** RFC 5321 caps an address at 254 characters; the format check alone would take any length. */
const email = z.email().max(254);

/**
 * Free text printed on an invoice or shown to people (titles, addresses, settings): trimmed, then
 * refused when empty, not well-formed Unicode or holding control characters (shared/text.ts).
 * `max` counts characters, as the invoicing platforms bound their fields.
 */
export function printableText(max: number, min = 1) {
  return z
    .string()
    .trim()
    .min(min, min === 1 ? 'must not be empty or only spaces' : `must be at least ${min} characters`)
    .max(max)
    .superRefine((text, ctx) => {
      const found = textProblem(text, max);
      if (found) ctx.addIssue({ code: 'custom', message: found.message });
    });
}

/**
 * An ISO 8601 date (midnight UTC) or date-time with a zone, in years 1–9999: a year-0 date is a
 * valid JavaScript Date but not one every database stores. The pattern documents the form in
 * /openapi.json; the refinement checks the calendar.
 */
export const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be an ISO 8601 date (2026-05-01) or date-time with a zone (2026-05-01T08:00:00+08:00)')
  .refine((text) => (z.iso.date().safeParse(text).success || z.iso.datetime({ offset: true }).safeParse(text).success) && isDateInYearRange(new Date(text)), {
    message: 'must be a real date in years 0001–9999, as an ISO 8601 date or date-time with a zone',
  })
  .transform((text) => new Date(text));

/** Lengths of the buyer fields as the invoicing platforms bound them (name, address, bank: 100). */
export const invoiceTitle = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('company'),
      name: printableText(100),
      taxNumber: z.string().min(15).max(20),
      address: printableText(100).optional(),
      phone: printableText(30).optional(),
      bankName: printableText(100).optional(),
      bankAccount: printableText(40).optional(),
      email: email.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('personal'), name: printableText(100), phone: printableText(30).optional(), email: email.optional() }).strict(),
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

const wechatAnswer = z.object({ at: z.string(), call: z.string(), errcode: z.number(), summary: z.string() });

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
  history: z.array(
    z.object({ from: invoiceStatus.nullable(), to: invoiceStatus, event: z.string(), at: z.string(), by: z.string(), detail: z.string().optional() }),
  ),
});

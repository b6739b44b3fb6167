/**
 * The building blocks of the API contract (mp.ts, admin.ts, channel.ts): one zod schema per field
 * form, used by the server to validate requests and document /openapi.json, and by every client
 * for its types (z.infer). Schemas with a `meta({ id })` become one entry of the document's
 * `components.schemas`, referred to by `$ref` wherever they are used.
 */
import { z } from 'zod';
import { INVOICE_SOURCES } from '../invoice-source';
import { INVOICE_STATES } from '../invoice-state';
import { textProblem } from '../text';
import { isDateInYearRange } from '../validators';

export const fen = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('Amount in fen (1/100 yuan), an integer');

export const orderNo = z
  .string()
  .regex(/^[0-9A-Za-z_-]{1,32}$/, 'must be 1-32 characters of [0-9A-Za-z_-]')
  .describe("The merchant's order number");

export const openid = z.string().regex(/^[0-9A-Za-z_-]{6,64}$/, 'must be a WeChat openid').describe("The buyer's openid");

export const unionid = z.string().regex(/^[0-9A-Za-z_-]{6,64}$/, 'must be a WeChat unionid');

export const invoiceStatus = z.enum(INVOICE_STATES).meta({ id: 'InvoiceState', description: "An invoice request's state (shared/invoice-state.ts)" });

/** An invoice request's id, as the server makes them. */
export const requestId = z.string().regex(/^ir_[0-9a-z]{16}$/, 'must be an invoice request id');

export const invoiceSource = z
  .enum(INVOICE_SOURCES)
  .meta({ id: 'InvoiceSource', description: "Where the buyer authorizes: wxa a Mini Program, web an Official Account's page, app a native app, wap a mobile web page" });

/** The `cursor` query parameter's form; the server decodes it (a forged one is a 400 naming it). */
export const pageCursor = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be the nextCursor of a previous page, unchanged')
  .describe('nextCursor from the previous page, to continue after its last item (same filters)');

/** A `limit` query parameter: a page size up to `max`. */
export const limitParam = (max: number, byDefault: number) => z.coerce.number().int().min(1).max(max).default(byDefault);

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
export const companyTitle = z
  .object({
    kind: z.literal('company'),
    name: printableText(100),
    taxNumber: z.string().min(15).max(20).describe('统一社会信用代码 or the older tax number: validateTaxNumber (after normalizeTaxNumber on form input)'),
    address: printableText(100).optional(),
    phone: printableText(30).optional(),
    bankName: printableText(100).optional(),
    bankAccount: printableText(40).optional(),
    email: email.optional().describe('Where to send a copy of the invoice'),
  })
  .strict()
  .meta({ id: 'CompanyTitle', description: 'A company title (单位): since 2017 an enterprise buyer’s title carries its tax number' });

export const personalTitle = z
  .object({ kind: z.literal('personal'), name: printableText(100), phone: printableText(30).optional(), email: email.optional() })
  .strict()
  .meta({ id: 'PersonalTitle', description: 'A personal title (个人)' });

export const invoiceTitle = z.discriminatedUnion('kind', [companyTitle, personalTitle]).meta({ id: 'InvoiceTitle' });

export type CompanyInvoiceTitle = z.input<typeof companyTitle>;
export type PersonalInvoiceTitle = z.input<typeof personalTitle>;
export type InvoiceTitleDto = z.input<typeof invoiceTitle>;
export type InvoiceTitleKind = InvoiceTitleDto['kind'];

/** Where one invoice request stands, with the invoice's numbers and PDF once issued. */
export const invoiceStatusDto = z
  .object({
    status: invoiceStatus,
    rejectReason: z.string().optional().describe("The merchant's reason, when status is REJECTED"),
    fpdm: z.string().optional().describe('发票代码, once ISSUED'),
    fphm: z.string().optional().describe('发票号码, once ISSUED'),
    jym: z.string().optional().describe('校验码, once ISSUED'),
    kprq: z.string().optional().describe('开票日期 as WeChat returns it: yyyyMMddHHmmss, China time'),
    pdfUrl: z.string().optional().describe('The invoice PDF, once ISSUED'),
  })
  .meta({ id: 'InvoiceStatus' });
export type InvoiceStatusResponse = z.infer<typeof invoiceStatusDto>;

/** Every error: a stable code (shared/errors.ts) and a message for people. */
export const errorBody = z.looseObject({ error: z.looseObject({ code: z.string(), message: z.string() }) }).meta({ id: 'Error' });

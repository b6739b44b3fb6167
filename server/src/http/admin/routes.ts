import { isDateInYearRange, MAX_QUANTITY_DECIMALS, parseQuantity } from '@fapiao/shared';
import { z } from 'zod';
import type { AuditLog } from '../../data/audit/audit.schema';
import type { InvoiceRequestDoc, WeChatAnswer } from '../../data/invoice-request/invoice-request.schema';
import type { InvoiceRequestListFilter } from '../../data/invoice-request/invoice-request.repository';
import type { LifecycleDeps } from '../../domain/lifecycle/deps';
import { offsetRequest, rejectRequest, resolveByHand, retryRequest } from '../../domain/lifecycle/ops';
import { reconcileRequest } from '../../domain/lifecycle/reconcile';
import { askWeChat } from '../../domain/wechat-failure';
import { importOrder, toOrderDto, type OrdersDeps } from '../../domain/orders';
import { matchPostPayments } from '../../domain/lifecycle/post-payment';
import { getAuthFields, getContact, getPayMch, putAuthFields, putContact, putPayMch, type SettingsDeps } from '../../domain/settings';
import { AppError } from '../../errors';
import { route, type AnyApiRoute, type Caller } from '../api-route';
import { decodePageCursor, pageOf } from '../../domain/paging';
import { adminInvoiceDto, fen, invoiceStatus, isoTime, openid, orderDto, orderNo, printableText } from '../schemas';

export interface AdminDeps {
  orders: OrdersDeps;
  lifecycle: LifecycleDeps;
  settings: SettingsDeps;
  audit: AuditLog;
  now(): Date;
}

/** Who did it, for the audit log and the request's history: a key's id or the staff member's name. */
export function actor(caller: Caller): string {
  if (caller.kind === 'staff') return `staff:${caller.username}`;
  if (caller.kind !== 'admin') throw new Error('route mounted without admin authentication');
  return `admin:${caller.keyId}`;
}

const flag = z.union([z.literal(0), z.literal(1)]);
// WeChat's field table: "Custom field name with a maximum length of 5 characters".
const customFields = z
  .array(z.object({ key: printableText(5), is_require: flag.optional(), notice: printableText(50).optional() }).strict())
  .max(10)
  .optional();

const orderInput = z
  .object({
    orderNo,
    openid,
    unionid: z.string().regex(/^[0-9A-Za-z_-]{6,64}$/, 'must be a WeChat unionid').optional().describe("The buyer's unionid, when known: the order is theirs in every account of the merchant"),
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

function quantityOk(quantity: number): boolean {
  try {
    parseQuantity(quantity);
    return true;
  } catch {
    return false;
  }
}

/** The `cursor` query parameter: decoded while validating, so a bad one is a 400 naming it. */
const cursorParam = z
  .string()
  .min(1)
  .max(300)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be the nextCursor of a previous page, unchanged')
  .transform((text, ctx) => {
    const cursor = decodePageCursor(text);
    if (!cursor) ctx.addIssue({ code: 'custom', message: 'must be the nextCursor of a previous page, unchanged' });
    return cursor ?? z.NEVER;
  })
  .describe('nextCursor from the previous page, to continue after its last request (same filters)');

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

type InvoiceFilterQuery = z.output<z.ZodObject<typeof invoiceFilters>>;

export function listFilterOf(query: InvoiceFilterQuery): InvoiceRequestListFilter {
  return {
    status: query.status,
    attention: query.attention,
    orderNo: query.orderNo,
    createdFrom: query.createdAfter,
    createdBefore: query.createdBefore,
    titleContains: query.title,
    taxNumber: query.taxNumber,
  };
}

export const idParams = z.object({ id: z.string().regex(/^ir_[0-9a-z]{16}$/, 'must be an invoice request id') }).strict();

const settingView = <T extends z.ZodType>(value: T) =>
  z.object({ value: value.nullable(), updatedAt: z.string().optional(), updatedBy: z.string().optional() });
const contact = z.object({ phone: printableText(30, 3), timeOut: z.number().int().min(60).max(30 * 24 * 3600) }).strict();
const authFields = z
  .object({
    user_field: z
      .object({ show_title: flag.optional(), show_phone: flag.optional(), show_email: flag.optional(), require_phone: flag.optional(), require_email: flag.optional(), custom_field: customFields })
      .strict(),
    biz_field: z
      .object({
        show_title: flag.optional(),
        show_tax_no: flag.optional(),
        show_addr: flag.optional(),
        show_phone: flag.optional(),
        show_bank_type: flag.optional(),
        show_bank_no: flag.optional(),
        require_tax_no: flag.optional(),
        require_addr: flag.optional(),
        require_phone: flag.optional(),
        require_bank_type: flag.optional(),
        require_bank_no: flag.optional(),
        custom_field: customFields,
      })
      .strict(),
  })
  .strict();
const payMch = z.object({ mchid: z.string().regex(/^\d{8,12}$/, 'must be the WeChat Pay merchant id'), s_pappid: z.string().min(8).max(64) }).strict();

const postPaymentDto = z.object({
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
});

/** /api/admin: merchant ops, with an API key; every change is recorded with who and when. */
export function adminRoutes(deps: AdminDeps): AnyApiRoute[] {
  const audited = async <T>(caller: Caller, action: string, target: string, act: () => Promise<T>, detail?: Record<string, unknown>) => {
    const result = await act();
    await deps.audit.record({ at: deps.now(), actor: actor(caller), action, target, ...(detail ? { detail } : {}) });
    return result;
  };
  return [
    route({
      method: 'get',
      path: '/post-payment',
      summary:
        'Post-payment authorizations (receipt=Y) kept for orders not imported when WeChat pushed them: waiting (still inside the match window), ' +
        'unmatched (the window passed: the order never came), matched, or conflict (the order already had a request)',
      auth: 'admin',
      query: z
        .object({ state: z.enum(['waiting', 'unmatched', 'matched', 'conflict']).default('unmatched'), limit: z.coerce.number().int().min(1).max(500).default(100) })
        .strict(),
      response: z.object({ authorizations: z.array(postPaymentDto) }),
      handler: async ({ query }) => {
        const windowStart = new Date(deps.now().getTime() - deps.lifecycle.invoicing.postPaymentMatchMs);
        const status = query.state === 'unmatched' ? 'waiting' : query.state;
        const before = query.state === 'unmatched' ? windowStart : undefined;
        const from = query.state === 'waiting' ? windowStart : undefined;
        const found = await deps.lifecycle.postPayments.list(status, before, from, query.limit);
        return {
          authorizations: found.map((p) => ({
            id: p._id,
            orderId: p.orderId,
            ...(p.account ? { account: p.account } : {}),
            appid: p.appid,
            ...(p.source ? { source: p.source } : {}),
            openid: p.openid,
            receivedAt: p.receivedAt.toISOString(),
            status: p.status,
            expired: p.status === 'waiting' && p.receivedAt < windowStart,
            ...(p.requestId ? { requestId: p.requestId } : {}),
            ...(p.note ? { note: p.note } : {}),
          })),
        };
      },
    }),
    route({
      method: 'post',
      path: '/orders',
      summary: 'Add an order from the order system (idempotent on orderNo: 201 created, 200 already there)',
      auth: 'admin',
      body: orderInput,
      response: z.object({ created: z.boolean(), order: orderDto }),
      handler: async ({ body, caller, ctx }) => {
        const result = await importOrder(deps.orders, { ...body, createdAt: body.createdAt ? new Date(body.createdAt) : undefined });
        if (result.created) await deps.audit.record({ at: deps.now(), actor: actor(caller), action: 'order.create', target: `order:${body.orderNo}` });
        // A post-payment authorization may have been waiting for this order.
        await matchPostPayments(deps.lifecycle, body.orderNo);
        ctx.status = result.created ? 201 : 200;
        return { created: result.created, order: toOrderDto(result.order, undefined) };
      },
    }),
    route({
      method: 'get',
      path: '/invoices',
      summary:
        'Invoice requests, newest first, by status, order number and creation time (createdAfter inclusive, createdBefore exclusive); ' +
        'at most `limit` per page, and nextCursor when more follow',
      auth: 'admin',
      query: z
        .object({
          ...invoiceFilters,
          limit: z.coerce.number().int().min(1).max(500).default(100),
          cursor: cursorParam.optional(),
        })
        .strict(),
      response: z.object({
        invoices: z.array(adminInvoiceDto),
        nextCursor: z.string().optional().describe('present when more requests match: pass it as `cursor`, with the same filters, for the next page'),
      }),
      handler: async ({ query }) => {
        const after = query.cursor && { createdAt: query.cursor.createdAt, id: query.cursor.key };
        const filter = { ...listFilterOf(query), after };
        const found = await deps.lifecycle.requests.list(filter, query.limit + 1);
        const { items, nextCursor } = pageOf(found, query.limit, (request) => ({ createdAt: request.createdAt, key: request._id }));
        return { invoices: items.map(toAdminDto), ...(nextCursor ? { nextCursor } : {}) };
      },
    }),
    route({
      method: 'get',
      path: '/invoices/:id',
      summary: 'One invoice request with its state history and the admin actions on it',
      auth: 'admin',
      params: idParams,
      response: adminInvoiceDto.extend({
        audit: z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), detail: z.record(z.string(), z.unknown()).optional() })),
      }),
      handler: async ({ params }) => {
        const request = await deps.lifecycle.requests.findById(params.id);
        if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${params.id}`);
        const audit = await deps.audit.forTarget(`invoice:${params.id}`, 100);
        return { ...toAdminDto(request), audit: audit.map((a) => ({ at: a.at.toISOString(), actor: a.actor, action: a.action, ...(a.detail ? { detail: a.detail } : {}) })) };
      },
    }),
    route({
      method: 'post',
      path: '/invoices/:id/reject',
      summary: 'Refuse to issue (rejectinsert): WeChat tells the buyer the reason; they may apply again',
      auth: 'admin',
      params: idParams,
      // The url is shown to the buyer by WeChat: a bounded link, not an unbounded string.
      body: z.object({ reason: printableText(200), url: z.url().max(2048).optional() }).strict(),
      response: adminInvoiceDto,
      handler: async ({ params, body, caller }) =>
        toAdminDto(await audited(caller, 'invoice.reject', `invoice:${params.id}`, () => rejectRequest(deps.lifecycle, params.id, body.reason, body.url, actor(caller)), { reason: body.reason })),
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
      handler: async ({ params, caller }) =>
        toAdminDto(await audited(caller, 'invoice.retry', `invoice:${params.id}`, () => retryRequest(deps.lifecycle, params.id, actor(caller)))),
    }),
    route({
      method: 'post',
      path: '/invoices/:id/resolve',
      summary: 'Clear the needs-attention flag of a request settled by hand (the state stays); the note is audited',
      auth: 'admin',
      params: idParams,
      body: z.object({ note: printableText(500) }).strict(),
      response: adminInvoiceDto,
      handler: async ({ params, body, caller }) =>
        toAdminDto(await audited(caller, 'invoice.resolve', `invoice:${params.id}`, () => resolveByHand(deps.lifecycle, params.id), { note: body.note })),
    }),
    route({
      method: 'post',
      path: '/invoices/:id/offset',
      summary: 'Offset (红冲) an issued invoice with a red one, after a refund',
      auth: 'admin',
      params: idParams,
      response: adminInvoiceDto,
      handler: async ({ params, caller }) =>
        toAdminDto(await audited(caller, 'invoice.offset', `invoice:${params.id}`, () => offsetRequest(deps.lifecycle, params.id, actor(caller)))),
    }),
    route({
      method: 'post',
      path: '/invoices/:id/reconcile',
      summary: 'Ask WeChat (queryinvoceinfo) about an ISSUING, ISSUED or OFFSETTING request and say whether it agrees',
      auth: 'admin',
      params: idParams,
      response: z.object({
        id: z.string(),
        orderNo: z.string(),
        status: invoiceStatus,
        fpqqlsh: z.string(),
        wechat: z.record(z.string(), z.unknown()),
        verdict: z.enum(['ok', 'mismatch', 'stuck']),
        detail: z.string(),
      }),
      handler: ({ params, caller }) => reconcileRequest(deps.lifecycle, params.id, actor(caller)),
    }),
    route({
      method: 'post',
      path: '/platform/seturl',
      summary: 'For a merchant that is its own invoicing platform: seturl, giving the invoice_url and the s_pappid in it',
      auth: 'admin',
      response: z.object({ invoiceUrl: z.string(), sPappid: z.string().nullable() }),
      handler: async ({ caller }) => {
        const answer = await askWeChat(() => deps.lifecycle.invoice.setUrl());
        const sPappid = sPappidOf(answer.invoice_url);
        await deps.audit.record({ at: deps.now(), actor: actor(caller), action: 'platform.seturl', target: 'platform' });
        return { invoiceUrl: answer.invoice_url, sPappid };
      },
    }),
    route({
      method: 'get',
      path: '/settings/contact',
      summary: 'The merchant contact WeChat requires before any authorization URL (72063)',
      auth: 'admin',
      response: settingView(contact),
      handler: () => getContact(deps.settings),
    }),
    route({
      method: 'put',
      path: '/settings/contact',
      summary: 'Set the contact: phone, and timeOut = seconds a buyer has to authorize',
      auth: 'admin',
      body: contact,
      response: settingView(contact),
      handler: ({ body, caller }) => putContact(deps.settings, body, actor(caller)),
    }),
    route({
      method: 'get',
      path: '/settings/auth-fields',
      summary: 'Title fields WeChat’s type 1 page shows and requires (WeChat’s set_auth_field shape)',
      auth: 'admin',
      response: settingView(authFields),
      handler: () => getAuthFields(deps.settings),
    }),
    route({
      method: 'put',
      path: '/settings/auth-fields',
      summary: 'Set the auth fields (needed before type 1 requests: 72029)',
      auth: 'admin',
      body: authFields,
      response: settingView(authFields),
      handler: ({ body, caller }) => putAuthFields(deps.settings, body, actor(caller)),
    }),
    route({
      method: 'get',
      path: '/settings/pay-mch',
      summary: 'The WeChat Pay merchant linked to the invoicing platform (post-payment invoicing)',
      auth: 'admin',
      response: settingView(payMch),
      handler: () => getPayMch(deps.settings),
    }),
    route({
      method: 'put',
      path: '/settings/pay-mch',
      summary: 'Link the WeChat Pay merchant id to the invoicing platform’s s_pappid',
      auth: 'admin',
      body: payMch,
      response: settingView(payMch),
      handler: ({ body, caller }) => putPayMch(deps.settings, body, actor(caller)),
    }),
  ];
}

export function toAdminDto(request: InvoiceRequestDoc): z.infer<typeof adminInvoiceDto> {
  return {
    id: request._id,
    orderNo: request.orderNo,
    ...(request.openid ? { openid: request.openid } : {}),
    account: request.account ?? 'default',
    ...(request.appid ? { appid: request.appid } : {}),
    source: request.source ?? 'wxa',
    wxOrderId: request.wxOrderId,
    type: request.type,
    amount: request.amount,
    status: request.status,
    ...(request.title ? { title: Object.fromEntries(Object.entries(request.title).filter((e): e is [string, string] => typeof e[1] === 'string')) } : {}),
    ...(request.title?.customFields?.length ? { customFields: request.title.customFields } : {}),
    fpqqlsh: request.fpqqlsh,
    ...(request.invoice ? { invoice: request.invoice } : {}),
    ...(request.offset ? { offset: request.offset } : {}),
    ...(request.rejectReason ? { rejectReason: request.rejectReason } : {}),
    ...(request.lastError ? { lastError: { ...request.lastError, at: request.lastError.at.toISOString() } } : {}),
    createdAt: request.createdAt.toISOString(),
    ...(request.authorizedAt ? { authorizedAt: request.authorizedAt.toISOString() } : {}),
    ...(request.nextActionAt ? { nextActionAt: request.nextActionAt.toISOString() } : {}),
    attempts: request.attempts,
    needsAttention: Boolean(request.needsAttention),
    ...(request.attention
      ? {
          attention: {
            code: request.attention.code,
            reason: request.attention.reason,
            state: request.attention.state,
            since: request.attention.since.toISOString(),
            at: request.attention.at.toISOString(),
            answers: request.attention.answers.map(answerDto),
          },
        }
      : {}),
    ...(request.answers?.length ? { answers: request.answers.map(answerDto) } : {}),
    history: request.history.map((h) => ({ from: h.from, to: h.to, event: h.event, at: h.at.toISOString(), by: h.by, ...(h.detail ? { detail: h.detail } : {}) })),
  };
}

function answerDto(a: WeChatAnswer) {
  return { at: a.at.toISOString(), call: a.call, errcode: a.errcode, summary: a.summary };
}

/**
 * The s_pappid in seturl's invoice_url exactly as written: real ones are base64 with "+", "/" and
 * "=", and a form decoder (URLSearchParams) would turn "+" into a space. Percent escapes are
 * decoded; nothing else is.
 */
export function sPappidOf(invoiceUrl: string): string | null {
  const query = invoiceUrl.includes('?') ? invoiceUrl.slice(invoiceUrl.indexOf('?') + 1).split('#')[0] ?? '' : '';
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq) !== 's_pappid') continue;
    try {
      return decodeURIComponent(pair.slice(eq + 1)) || null;
    } catch {
      return null;
    }
  }
  return null;
}

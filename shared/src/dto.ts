/**
 * The JSON bodies of the Mini Program API (/api/mp/*). Types only: the server validates requests
 * with its own schemas and must produce exactly these shapes; the Mini Program consumes them.
 * Money is integer fen (`Fen`), times are ISO-8601 strings, errors are `ErrorBody` (errors.ts).
 */
import type { InvoiceState } from './invoice-state';
import type { Fen } from './money';

/** An ISO-8601 date-time in UTC, e.g. "2024-05-01T08:00:00.000Z". */
export type IsoDateTime = string;

// POST /api/mp/session --------------------------------------------------------------------------

export interface CreateSessionRequest {
  /** The code from wx.login(); single-use, valid for about 5 minutes. */
  code: string;
}

export interface CreateSessionResponse {
  /** Opaque bearer token for `Authorization: Bearer <token>` on every other /api/mp call. */
  token: string;
  openid: string;
  expiresAt: IsoDateTime;
}

// GET /api/mp/orders, GET /api/mp/orders/:orderNo ------------------------------------------------

export interface OrderItemDto {
  name: string;
  /** 19-digit tax classification code (税收分类编码). */
  spbm: string;
  /** Positive; may be fractional (up to 8 decimals). */
  quantity: number;
  /** Tax-inclusive price of one unit, in fen. */
  unitPrice: Fen;
  /** "0.13", "0.06", … (see parseTaxRate). */
  taxRate: string;
  /** The line's tax-inclusive amount in fen as the server invoices it (lineAmountFen): show this, never unitPrice × quantity. */
  amount: Fen;
}

/** Where the order stands on invoicing, for the order card and detail page. */
export interface OrderInvoiceSummaryDto {
  /** State of the latest invoice request for the order; null when the user never applied. */
  status: InvoiceState | null;
  /** True when there is no request yet, or the latest one allows re-applying (canReapply). */
  canApply: boolean;
  /** The merchant's reason, when status is REJECTED. */
  rejectReason?: string;
  /** The merchant emails a copy of the issued invoice to the email given with the title. */
  emailCopy?: boolean;
}

export interface OrderDto {
  orderNo: string;
  /** Tax-inclusive order amount in fen. */
  amount: Fen;
  createdAt: IsoDateTime;
  items: OrderItemDto[];
  invoice: OrderInvoiceSummaryDto;
}

export interface OrderListQuery {
  /** nextCursor of the previous page; absent for the first page. */
  cursor?: string;
  /** Page size. */
  limit?: number;
}

/** Newest orders first. */
export interface OrderListResponse {
  orders: OrderDto[];
  /** Present when there are more orders. */
  nextCursor?: string;
}

export type OrderDetailResponse = OrderDto;

// POST /api/mp/orders/:orderNo/invoice -----------------------------------------------------------

export type InvoiceTitleKind = 'company' | 'personal';

/** A company title (单位). Since 2017 an enterprise buyer's title must carry its tax number. */
export interface CompanyInvoiceTitle {
  kind: 'company';
  name: string;
  /** Validate with validateTaxNumber (after normalizeTaxNumber on form input). */
  taxNumber: string;
  address?: string | undefined;
  phone?: string | undefined;
  bankName?: string | undefined;
  bankAccount?: string | undefined;
  /** Where to send a copy of the invoice. */
  email?: string | undefined;
}

/** A personal title (个人). */
export interface PersonalInvoiceTitle {
  kind: 'personal';
  name: string;
  phone?: string | undefined;
  email?: string | undefined;
}

export type InvoiceTitleDto = CompanyInvoiceTitle | PersonalInvoiceTitle;

/**
 * The getauthurl `type`:
 * 0 the user gave the title in our Mini Program (form or wx.chooseInvoiceTitle), so it is required;
 * 1 (the default) WeChat's authorization page collects the title;
 * 2 hand over an invoice issued elsewhere.
 */
export type ApplyInvoiceRequest = { type: 0; title: InvoiceTitleDto } | { type?: 1 } | { type: 2 };

export interface ApplyInvoiceResponse {
  /** The appid to pass to wx.navigateToMiniProgram (WeChat's invoice authorization Mini Program). */
  appid: string;
  /** The `path` for wx.navigateToMiniProgram. */
  authUrl: string;
  /** Sandbox mode only: open this in a <web-view> instead of navigating to another Mini Program. */
  webviewUrl?: string;
}

// GET /api/mp/orders/:orderNo/invoice ------------------------------------------------------------

/** The latest invoice request of the order (404 INVOICE_REQUEST_NOT_FOUND when there is none). */
export interface InvoiceStatusResponse {
  status: InvoiceState;
  /** The merchant's reason, when status is REJECTED. */
  rejectReason?: string;
  /** 发票代码, once ISSUED. */
  fpdm?: string;
  /** 发票号码, once ISSUED. */
  fphm?: string;
  /** 校验码, once ISSUED. */
  jym?: string;
  /** 开票日期 as WeChat returns it: yyyyMMddHHmmss, China time (e.g. "20171204172159"). */
  kprq?: string;
  /** The invoice PDF, once ISSUED. */
  pdfUrl?: string;
}

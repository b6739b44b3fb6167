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
 * 1 (the default) WeChat's authorization page collects the title.
 * (WeChat's type 2 hands over an invoice issued elsewhere through its card-insert API, which Fapiao
 * does not implement, so the contract does not offer it.)
 */
export type ApplyInvoiceRequest = { type: 0; title: InvoiceTitleDto } | { type?: 1 };

/**
 * Where the buyer authorizes (getauthurl's `source`): wxa a Mini Program, web an Official Account's
 * H5 page inside WeChat, app a native app through the WeChat SDK, wap an ordinary mobile web page.
 */
export type InvoiceSource = 'wxa' | 'web' | 'app' | 'wap';

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

// POST /api/channel/invoices, GET /api/channel/invoices/:requestId ---------------------------------
// The merchant's own back end (native app, plain web) asks for an invoice on the buyer's behalf.

export interface ChannelInvoiceRequest {
  orderNo: string;
  /** The configured WeChat account the buyer authorizes through (its name). */
  account: string;
  source: Exclude<InvoiceSource, 'wxa'>;
  /** The buyer's openid under that account, when the back end knows it (WeChat login for apps). */
  openid?: string;
  unionid?: string;
  type?: 0 | 1;
  title?: InvoiceTitleDto;
  /** web/wap: where WeChat's page sends the buyer afterwards. */
  redirectUrl?: string;
  /** POSTed {requestId, orderNo, status} whenever the request reaches a new final or issued state. */
  callbackUrl?: string;
}

export interface ChannelInvoiceResponse {
  requestId: string;
  orderNo: string;
  source: InvoiceSource;
  /** For the app: WXInvoiceAuthInsertReq's url; for web/wap: the page to open. */
  authUrl: string;
  /** Sandbox mode: authUrl with the acting buyer filled in. */
  webviewUrl?: string;
}

export interface ChannelInvoiceStatusResponse extends InvoiceStatusResponse {
  requestId: string;
  orderNo: string;
  account: string;
  source: InvoiceSource;
}

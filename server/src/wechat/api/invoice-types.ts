import { z } from 'zod';
import { wechatResult } from './result';

/**
 * Request and response shapes of the e-invoice endpoints, field by field as WeChat's documents give them (https://developers.weixin.qq.com/doc/service/guide/product/weixin_invoice/E_Invoice/Vendor_API_List.html)
 * them (`/card/invoice/*`). Requests are interfaces; responses are zod schemas, so an answer with
 * errcode 0 that lacks a field the documents promise fails loudly instead of flowing on as
 * `undefined`. Response objects are loose: fields WeChat adds later pass through untouched.
 */

// ── getauthurl ──────────────────────────────────────────────────────────────────────────────────

/** Where the invoice is requested: app, web (WeChat H5), wxa (Mini Program), wap (ordinary web). */
type InvoiceSource = 'app' | 'web' | 'wxa' | 'wap';

/**
 * 0: apply for invoice (the merchant already has the title); 1: the user fills in the title on the
 * authorization page (the only type for post-payment invoicing); 2: receive an issued invoice.
 */
type AuthPageType = 0 | 1 | 2;

export interface GetAuthUrlRequest {
  /** The invoicing platform's identification number in WeChat (from seturl's invoice_url). */
  s_pappid: string;
  /** Order id: unique per invoice request within the merchant. */
  order_id: string;
  /** Order amount in fen (分). */
  money: number;
  /** Unix timestamp in SECONDS (milliseconds are a known cause of errors). */
  timestamp: number;
  source: InvoiceSource;
  /** Page to open after a successful authorization; only for source "web". */
  redirect_url?: string;
  /** The authorization page ticket (`wx_card` ticket from getticket). */
  ticket: string;
  type: AuthPageType;
}

export const getAuthUrlResponse = wechatResult({
  /** The authorization link; with source "wxa" a path for wx.navigateToMiniProgram. */
  auth_url: z.string().min(1),
  /** Only for source "wxa": the appid of the authorization Mini Program to navigate to. */
  appid: z.string().optional(),
});
export type GetAuthUrlResponse = z.infer<typeof getAuthUrlResponse>;

// ── getauthdata ─────────────────────────────────────────────────────────────────────────────────

export interface GetAuthDataRequest {
  /** The invoicing platform's identification number in WeChat. */
  s_pappid: string;
  order_id: string;
}

/** A value the user entered into a custom field of a type=1 authorization page. */
const authCustomFieldValue = z.looseObject({ key: z.string(), value: z.string() });

/** Personal title entered on a type=1 page. */
const userAuthField = z.looseObject({
  title: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  custom_field: z.array(authCustomFieldValue).optional(),
});

/** Company title entered on a type=1 page. */
const bizAuthField = z.looseObject({
  title: z.string().optional(),
  tax_no: z.string().optional(),
  addr: z.string().optional(),
  phone: z.string().optional(),
  bank_type: z.string().optional(),
  bank_no: z.string().optional(),
  custom_field: z.array(authCustomFieldValue).optional(),
});

export const getAuthDataResponse = wechatResult({
  /** Authorization status of the order, e.g. "auth success" (WeChat also answers "never auth"). */
  invoice_status: z.string().optional(),
  /** Authorization time, 10-digit Unix timestamp. */
  auth_time: z.number().optional(),
  /** Only for type=1 pages: either `user_field` (personal) or `biz_field` (company). */
  user_auth_info: z
    .looseObject({
      user_field: userAuthField.optional(),
      biz_field: bizAuthField.optional(),
    })
    .optional(),
});
export type GetAuthDataResponse = z.infer<typeof getAuthDataResponse>;

// ── rejectinsert ────────────────────────────────────────────────────────────────────────────────

export interface RejectInsertRequest {
  s_pappid: string;
  order_id: string;
  /** Shown to the user: duplicate invoice, invalid title, refund... */
  reason: string;
  /** Link for the user's next step (apply again, edit the title, order details). */
  url?: string;
}

// ── seturl ──────────────────────────────────────────────────────────────────────────────────────

export const setUrlResponse = wechatResult({
  /** The invoicing platform's pre-invoicing link; its `s_pappid` parameter identifies the platform. */
  invoice_url: z.string().min(1),
});
export type SetUrlResponse = z.infer<typeof setUrlResponse>;

// ── setbizattr: set_auth_field / get_auth_field ─────────────────────────────────────────────────

/** A custom field of the authorization page (set_auth_field). */
interface AuthCustomFieldSetting {
  /** Field name (get_auth_field: at most 5 characters). */
  key: string;
  /** 0: optional (default), 1: required. */
  is_require?: 0 | 1 | undefined;
  /** Hint shown to the user. */
  notice?: string | undefined;
}

/** Fields of a personal title: show_* = can be entered, require_* = must be entered (0/1). */
interface UserAuthFieldSetting {
  show_title?: 0 | 1 | undefined;
  show_phone?: 0 | 1 | undefined;
  show_email?: 0 | 1 | undefined;
  require_phone?: 0 | 1 | undefined;
  require_email?: 0 | 1 | undefined;
  custom_field?: AuthCustomFieldSetting[] | undefined;
}

/** Fields of a company title: show_* = can be entered, require_* = must be entered (0/1). */
interface BizAuthFieldSetting {
  show_title?: 0 | 1 | undefined;
  show_tax_no?: 0 | 1 | undefined;
  show_addr?: 0 | 1 | undefined;
  show_phone?: 0 | 1 | undefined;
  show_bank_type?: 0 | 1 | undefined;
  show_bank_no?: 0 | 1 | undefined;
  require_tax_no?: 0 | 1 | undefined;
  require_addr?: 0 | 1 | undefined;
  require_phone?: 0 | 1 | undefined;
  require_bank_type?: 0 | 1 | undefined;
  require_bank_no?: 0 | 1 | undefined;
  custom_field?: AuthCustomFieldSetting[] | undefined;
}

export interface SetAuthFieldRequest {
  auth_field: { user_field: UserAuthFieldSetting; biz_field: BizAuthFieldSetting };
}

const flag = z.number().int().optional();
const authCustomFieldSetting = z.looseObject({ key: z.string(), is_require: flag, notice: z.string().optional() });

export const getAuthFieldResponse = wechatResult({
  /** Present when errcode is 0. */
  auth_field: z
    .looseObject({
      user_field: z
        .looseObject({
          show_title: flag,
          show_phone: flag,
          show_email: flag,
          require_phone: flag,
          require_email: flag,
          custom_field: z.array(authCustomFieldSetting).optional(),
        })
        .optional(),
      biz_field: z
        .looseObject({
          show_title: flag,
          show_tax_no: flag,
          show_addr: flag,
          show_phone: flag,
          show_bank_type: flag,
          show_bank_no: flag,
          require_tax_no: flag,
          require_addr: flag,
          require_phone: flag,
          require_bank_type: flag,
          require_bank_no: flag,
          custom_field: z.array(authCustomFieldSetting).optional(),
        })
        .optional(),
    })
    .optional(),
});
export type GetAuthFieldResponse = z.infer<typeof getAuthFieldResponse>;

// ── setbizattr: set_pay_mch / get_pay_mch ───────────────────────────────────────────────────────

interface PayMchInfo {
  /** WeChat Pay merchant ID. */
  mchid: string;
  /** The invoicing platform linked to this merchant ID. */
  s_pappid: string;
}

export interface SetPayMchRequest {
  paymch_info: PayMchInfo;
}

export const getPayMchResponse = wechatResult({
  /** Present when errcode is 0. */
  paymch_info: z.looseObject({ mchid: z.string(), s_pappid: z.string() }).optional(),
});
export type GetPayMchResponse = z.infer<typeof getPayMchResponse>;

// ── setbizattr: set_contact / get_contact ───────────────────────────────────────────────────────

interface Contact {
  /** Contact number. */
  phone: string;
  /** Invoicing time-out time. */
  time_out: number;
}

export interface SetContactRequest {
  contact: Contact;
}

export const getContactResponse = wechatResult({
  contact: z.looseObject({ phone: z.string(), time_out: z.number() }),
});
export type GetContactResponse = z.infer<typeof getContactResponse>;

// ── makeoutinvoice ──────────────────────────────────────────────────────────────────────────────

/** One line of a blue invoice. Amounts are decimal strings in yuan with two decimals. */
interface InvoiceDetailLine {
  /** Nature of the line: "0" normal, "1" discount line, "2" discounted line. */
  fphxz: '0' | '1' | '2';
  /** 19-digit tax classification code (税收分类编码). */
  spbm: string;
  /** Item name. */
  xmmc: string;
  /** Unit of measurement. */
  dw?: string;
  /** Model / specification. */
  ggxh?: string;
  /** Quantity. */
  xmsl: string;
  /** Unit price (the field table says "Item unit"; the sample carries the price). */
  xmdj: string;
  /** Amount excluding tax. */
  xmje: string;
  /** Tax rate, two decimals, e.g. "0.13". */
  sl: string;
  /** Tax amount. */
  se: string;
}

/** The blue invoice to issue; sent wrapped as `{"invoiceinfo": {...}}`. */
export interface MakeOutInvoiceInfo {
  /** The buyer's openid. */
  wxopenid: string;
  /** Order number: must equal the order_id the user authorized. */
  ddh: string;
  /** Invoice request serial number: unique per invoice; the first 6 characters are the merchant code. */
  fpqqlsh: string;
  /** Seller (taxpayer) ID, name, address, phone, bank and account. */
  nsrsbh: string;
  nsrmc: string;
  nsrdz: string;
  nsrdh: string;
  nsrbank: string;
  nsrbankid: string;
  /** Buyer's name (title). */
  ghfmc: string;
  /** Buyer's tax ID, address, phone, bank and account. */
  ghfnsrsbh?: string;
  ghfdz?: string;
  ghfdh?: string;
  ghfbank?: string;
  ghfbankid?: string;
  /** Issuer (开票人), recipient (收款人), reviewer (复核人). */
  kpr: string;
  skr?: string;
  fhr?: string;
  /** Total including tax (价税合计). */
  jshj: string;
  /** Total excluding tax (合计金额): in the documented sample and error 73013, not in the field table. */
  hjje: string;
  /** Total tax (合计税额). */
  hjse: string;
  /** Remarks. */
  bz?: string;
  /** Industry type: "0" commercial, "1" other. */
  hylx?: '0' | '1';
  /**
   * Invoice kind, "0" blue: absent from the field tables, but the error table has 73004 "kplx
   * empty", so Fapiao sends it (docs/wechat-behaviour.md). Optional here because the documented
   * samples lack it.
   */
  kplx?: '0';
  invoicedetail_list: InvoiceDetailLine[];
}

// ── clearoutinvoice ─────────────────────────────────────────────────────────────────────────────

/** The red (offset) invoice for a blue one; sent wrapped as `{"invoiceinfo": {...}}`. */
export interface ClearOutInvoiceInfo {
  wxopenid: string;
  /** The serial number of THIS offset request (not the blue invoice's). */
  fpqqlsh: string;
  nsrsbh: string;
  nsrmc: string;
  /** Code (发票代码) of the blue invoice to offset. */
  yfpdm: string;
  /** Number (发票号码) of the blue invoice to offset. */
  yfphm: string;
  /** Invoice kind, "1" red (see MakeOutInvoiceInfo.kplx). */
  kplx?: '1';
}

// ── queryinvoceinfo ─────────────────────────────────────────────────────────────────────────────

export interface QueryInvoiceInfoRequest {
  fpqqlsh: string;
  nsrsbh: string;
}

export const queryInvoiceInfoResponse = wechatResult({
  invoicedetail: z.looseObject({
    fpqqlsh: z.string(),
    /** Invoice code. */
    fpdm: z.string(),
    /** Invoice number. */
    fphm: z.string(),
    /** Check code (校验码). */
    jym: z.string(),
    /** Issue date and time, yyyyMMddHHmmss (the documents call it "verification code"; it is the date). */
    kprq: z.string(),
    /** URL of the invoice PDF. */
    pdfurl: z.string(),
  }),
});
export type QueryInvoiceInfoResponse = z.infer<typeof queryInvoiceInfoResponse>;

/** Answer of the calls that return only errcode/errmsg. */
export const okResponse = wechatResult({});
export type OkResponse = z.infer<typeof okResponse>;

import type { Call } from '../call';
import { ENDPOINTS } from '../endpoints';
import {
  getAuthDataResponse,
  getAuthFieldResponse,
  getAuthUrlResponse,
  getContactResponse,
  getPayMchResponse,
  okResponse,
  queryInvoiceInfoResponse,
  setUrlResponse,
  type ClearOutInvoiceInfo,
  type GetAuthDataRequest,
  type GetAuthDataResponse,
  type GetAuthFieldResponse,
  type GetAuthUrlRequest,
  type GetAuthUrlResponse,
  type GetContactResponse,
  type GetPayMchResponse,
  type MakeOutInvoiceInfo,
  type OkResponse,
  type QueryInvoiceInfoRequest,
  type QueryInvoiceInfoResponse,
  type RejectInsertRequest,
  type SetAuthFieldRequest,
  type SetContactRequest,
  type SetPayMchRequest,
  type SetUrlResponse,
} from './invoice-types';

/** getauthurl's parameters: the client adds the current wx_card ticket itself. */
type GetAuthUrlParams = Omit<GetAuthUrlRequest, 'ticket'>;

/**
 * The e-invoice endpoints (https://developers.weixin.qq.com/doc/service/guide/product/weixin_invoice/E_Invoice/Vendor_API_List.html), each authenticated with the shared access_token. Every method
 * resolves with WeChat's answer (errcode 0) or throws a WeChatError (see errors.ts).
 */
export interface InvoiceApi {
  /** POST /card/invoice/seturl: the invoicing platform's invoice_url (carries its s_pappid). */
  setUrl(): Promise<SetUrlResponse>;
  /**
   * POST /card/invoice/getauthurl with the current wx_card ticket. With source "wxa" the answer
   * has `appid` and a path-style `auth_url` for wx.navigateToMiniProgram.
   */
  getAuthUrl(params: GetAuthUrlParams): Promise<GetAuthUrlResponse>;
  /** POST /card/invoice/getauthdata: authorization status, and for type=1 the title the user gave. */
  getAuthData(request: GetAuthDataRequest): Promise<GetAuthDataResponse>;
  /** POST /card/invoice/rejectinsert: refuse to invoice this order_id (it can never be used again). */
  rejectInsert(request: RejectInsertRequest): Promise<OkResponse>;
  /** POST /card/invoice/setbizattr?action=set_auth_field. */
  setAuthField(request: SetAuthFieldRequest): Promise<OkResponse>;
  /** POST /card/invoice/setbizattr?action=get_auth_field with `{}`. */
  getAuthField(): Promise<GetAuthFieldResponse>;
  /** POST /card/invoice/setbizattr?action=set_pay_mch. */
  setPayMch(request: SetPayMchRequest): Promise<OkResponse>;
  /** POST /card/invoice/setbizattr?action=get_pay_mch with `{}`. */
  getPayMch(): Promise<GetPayMchResponse>;
  /** POST /card/invoice/setbizattr?action=set_contact (needed before getauthurl: 72063). */
  setContact(request: SetContactRequest): Promise<OkResponse>;
  /** POST /card/invoice/setbizattr?action=get_contact with `{}`. */
  getContact(): Promise<GetContactResponse>;
  /**
   * POST /card/invoice/makeoutinvoice with `{"invoiceinfo": info}`. Resolves when WeChat accepted
   * the request (the result comes later by push or query). Throws WeChatOutcomeUnknownError when
   * it cannot be known whether it was accepted: query, then resend with the SAME fpqqlsh.
   */
  makeOutInvoice(info: MakeOutInvoiceInfo): Promise<OkResponse>;
  /** POST /card/invoice/clearoutinvoice with `{"invoiceinfo": info}`: same outcome rules. */
  clearOutInvoice(info: ClearOutInvoiceInfo): Promise<OkResponse>;
  /** POST /card/invoice/queryinvoceinfo (WeChat's spelling): the issued invoice, in `invoicedetail`. */
  queryInvoiceInfo(request: QueryInvoiceInfoRequest): Promise<QueryInvoiceInfoResponse>;
}

/** Timestamps above this are milliseconds (year 5138 in seconds), a known cause of failures. */
const MAX_SECONDS_TIMESTAMP = 1e11;

export function createInvoiceApi(call: Call): InvoiceApi {
  return {
    setUrl: () => call(ENDPOINTS.setUrl, { body: {} }, setUrlResponse),
    getAuthUrl: async (params) => {
      if (params.timestamp > MAX_SECONDS_TIMESTAMP) throw new RangeError('getauthurl timestamp must be in seconds, not milliseconds');
      return call(ENDPOINTS.getAuthUrl, { body: params, withTicket: true }, getAuthUrlResponse);
    },
    getAuthData: (request) => call(ENDPOINTS.getAuthData, { body: request }, getAuthDataResponse),
    rejectInsert: (request) => call(ENDPOINTS.rejectInsert, { body: request }, okResponse),
    setAuthField: (request) => call(ENDPOINTS.setAuthField, { body: request }, okResponse),
    getAuthField: () => call(ENDPOINTS.getAuthField, { body: {} }, getAuthFieldResponse),
    setPayMch: (request) => call(ENDPOINTS.setPayMch, { body: request }, okResponse),
    getPayMch: () => call(ENDPOINTS.getPayMch, { body: {} }, getPayMchResponse),
    setContact: (request) => call(ENDPOINTS.setContact, { body: request }, okResponse),
    getContact: () => call(ENDPOINTS.getContact, { body: {} }, getContactResponse),
    makeOutInvoice: (info) => call(ENDPOINTS.makeOutInvoice, { body: { invoiceinfo: info }, fpqqlsh: info.fpqqlsh }, okResponse),
    clearOutInvoice: (info) => call(ENDPOINTS.clearOutInvoice, { body: { invoiceinfo: info }, fpqqlsh: info.fpqqlsh }, okResponse),
    queryInvoiceInfo: (request) => call(ENDPOINTS.queryInvoiceInfo, { body: request }, queryInvoiceInfoResponse),
  };
}

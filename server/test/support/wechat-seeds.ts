import crypto from 'node:crypto';
import type {
  ClearOutInvoiceInfo,
  MakeOutInvoiceInfo,
  SetAuthFieldRequest,
} from '../../src/wechat/api/invoice-types';

/**
 * Request samples copied from WeChat's e-invoice documents (https://developers.weixin.qq.com/doc/service/guide/product/weixin_invoice/E_Invoice/Vendor_API_List.html), so tests can check that
 * the client sends exactly what the documents show. (The documented samples carry trailing commas and
 * other typos; these are the same values as valid JSON.)
 */

/** "14. Unified Invoicing API - Issue Blue Invoice", the object inside `invoiceinfo`. */
export const MAKE_OUT_INVOICE_SAMPLE: MakeOutInvoiceInfo = {
  wxopenid: 'os92LxEDbiOw7kWZanRN_Bb3Q45I',
  ddh: '30000',
  fpqqlsh: 'test20160511000461',
  nsrsbh: '110109500321654',
  nsrmc: 'Baiwang electronic test1',
  nsrdz: 'Shenzhen',
  nsrdh: '0755228899988',
  nsrbank: 'Bank of China, Guangzhou branch',
  nsrbankid: '12345678',
  ghfnsrsbh: '110109500321654',
  ghfmc: 'Monday',
  ghfdz: 'Guangzhou',
  ghfdh: '13717771888',
  ghfbank: 'ICBC',
  ghfbankid: '12345678',
  kpr: 'John',
  skr: 'Mark',
  fhr: 'Jane',
  jshj: '159',
  hjje: '135.9',
  hjse: '23.1',
  bz: 'Remarks',
  hylx: '0',
  invoicedetail_list: [
    {
      fphxz: '0',
      spbm: '1090418010000000000',
      xmmc: 'Washing machine',
      dw: 'Unit',
      ggxh: '60L',
      xmsl: '1',
      xmdj: '135.9',
      xmje: '135.9',
      sl: '0.17',
      se: '23.1',
    },
  ],
};

/** "15. Unified Invoicing API - Invoice Offset", the object inside `invoiceinfo`. */
export const CLEAR_OUT_INVOICE_SAMPLE: ClearOutInvoiceInfo = {
  wxopenid: 'os92LxEDbiOw7kWZanRN_Bb3Q45I',
  fpqqlsh: 'test20160511000400',
  nsrsbh: '110109500321654',
  nsrmc: 'Baiwang electronic test1',
  yfpdm: '050003521100',
  yfphm: '30329969',
};

/** "9. Setting Authorization Page Field Information". */
export const SET_AUTH_FIELD_SAMPLE: SetAuthFieldRequest = {
  auth_field: {
    user_field: {
      require_phone: 1,
      custom_field: [{ is_require: 1, key: 'field1' }],
      show_email: 1,
      show_title: 1,
      show_phone: 1,
      require_email: 1,
    },
    biz_field: {
      require_phone: 0,
      custom_field: [{ is_require: 0, key: 'field2' }],
      require_bank_type: 0,
      require_tax_no: 0,
      show_addr: 1,
      require_addr: 0,
      show_title: 1,
      show_tax_no: 1,
      show_phone: 1,
      show_bank_type: 1,
      show_bank_no: 1,
      require_bank_no: 0,
    },
  },
};

/** "7. Querying Authorization Completion Status": the answer for a company title. */
export const GET_AUTH_DATA_BIZ_SAMPLE = {
  errcode: 0,
  errmsg: 'ok',
  invoice_status: 'auth success',
  auth_time: 1480342897,
  user_auth_info: {
    biz_field: {
      title: 'xxCompany',
      tax_no: '6464646766',
      addr: 'xxBuilding',
      phone: '1557548768',
      bank_type: 'xxBank',
      bank_no: '545454646',
      custom_field: [{ key: 'field2', value: 'EFGH' }],
    },
  },
};

/** A fresh appid shaped like WeChat's (wx + 16), so tests sharing a database never share tokens. */
export function randomAppid(): string {
  return `wx${crypto.randomBytes(8).toString('hex')}`;
}

export const TEST_SECRET = 'test-secret-0123456789abcdef0123';

import type { InvoiceContent, InvoiceLine } from '../data/invoice-models';
import { fail } from '../reply';
import { checkAmounts } from './amounts';
import { invalidParams, isEmpty, isObject, isOpenid, objectBody, optionalText, requiredText, type Json } from './fields';

/**
 * The checks of a makeoutinvoice body, in the order of the documented field table, each with the code
 * of the error table: 73001 wxopenid (empty or not an openid), 73002 ddh, 73003 fpqqlsh, 73016
 * nsrsbh, 73007 nsrmc, 73008 nsrdz, 73009 nsrdh, 73010 ghfmc, 73011 kpr, 73012 jshj, 73013 hjje,
 * 73014 hjse, 73015 hylx (sent but empty; absent it is "0", the table marks it optional). Required
 * fields without a code of their own (nsrbank, nsrbankid, the lines) and malformed values are 72031;
 * invoicedetail_list that is not a list is errcode 1 with an empty errmsg (as merchants report;
 * docs/wechat-behaviour.md).
 */

export interface MakeOutRequest {
  wxopenid: string;
  ddh: string;
  fpqqlsh: string;
  content: InvoiceContent;
}

const OPTIONAL = ['ghfnsrsbh', 'ghfdz', 'ghfdh', 'ghfbank', 'ghfbankid', 'skr', 'fhr', 'bz'] as const;

export function parseMakeOut(rawBody: unknown): MakeOutRequest {
  const info = invoiceInfo(rawBody);
  const wxopenid = openid(info);
  const ddh = requiredText(info, 'ddh', 73002);
  const fpqqlsh = requiredText(info, 'fpqqlsh', 73003);
  const nsrsbh = requiredText(info, 'nsrsbh', 73016);
  const nsrmc = requiredText(info, 'nsrmc', 73007);
  const nsrdz = requiredText(info, 'nsrdz', 73008);
  const nsrdh = requiredText(info, 'nsrdh', 73009);
  const ghfmc = requiredText(info, 'ghfmc', 73010);
  const kpr = requiredText(info, 'kpr', 73011);
  const jshj = requiredText(info, 'jshj', 73012);
  const hjje = requiredText(info, 'hjje', 73013);
  const hjse = requiredText(info, 'hjse', 73014);
  const hylx = industryType(info);
  const nsrbank = requiredText(info, 'nsrbank');
  const nsrbankid = requiredText(info, 'nsrbankid');
  const lines = detailList(info.invoicedetail_list);
  checkFpqqlsh(fpqqlsh);
  checkTaxpayerId(nsrsbh, 'nsrsbh');
  const content: InvoiceContent = { nsrsbh, nsrmc, nsrdz, nsrdh, nsrbank, nsrbankid, ghfmc, kpr, jshj, hjje, hjse, hylx, lines };
  for (const name of OPTIONAL) {
    const value = optionalText(info, name);
    if (value !== undefined) content[name] = value;
  }
  if (content.ghfnsrsbh) checkTaxpayerId(content.ghfnsrsbh, 'ghfnsrsbh');
  checkAmounts(content, lines);
  return { wxopenid, ddh, fpqqlsh, content };
}

/** The request wrapped as `{"invoiceinfo": {...}}` (makeoutinvoice and clearoutinvoice). */
export function invoiceInfo(rawBody: unknown): Json {
  const info = objectBody(rawBody).invoiceinfo;
  if (!isObject(info)) invalidParams('invoiceinfo must be an object');
  return info;
}

export function openid(info: Json): string {
  const wxopenid = requiredText(info, 'wxopenid', 73001);
  if (!isOpenid(wxopenid)) fail(73001);
  return wxopenid;
}

/**
 * fpqqlsh: at most 20 letters and digits, the length and alphabet of the invoicing platforms' 发票
 * 请求流水号 (the documented samples have 18 and 20).
 */
export function checkFpqqlsh(fpqqlsh: string): void {
  if (!/^[0-9A-Za-z]{6,20}$/.test(fpqqlsh)) invalidParams('fpqqlsh must be 6 to 20 letters and digits');
}

/** 纳税人识别号: 15 to 20 digits and uppercase letters (the check digit is the tax bureau's business). */
export function checkTaxpayerId(value: string, name: string): void {
  if (!/^[0-9A-Z]{15,20}$/.test(value)) invalidParams(`${name} must be 15 to 20 digits and uppercase letters`);
}

/**
 * kplx, the invoice kind (0 blue, 1 red): named only by the error table (73004 "kplx empty"), not
 * by the field tables. `checked`: a kplx that is sent must be the right one (72031); `required`:
 * it must also be there (73004). See docs/wechat-behaviour.md.
 */
export function checkKplx(rawBody: unknown, expected: '0' | '1', mode: 'checked' | 'required'): void {
  const info = invoiceInfo(rawBody);
  if (isEmpty(info.kplx)) {
    if (mode === 'required') fail(73004);
    return;
  }
  if (String(info.kplx) !== expected) invalidParams(`kplx must be "${expected}" here (0 blue, 1 red)`);
}

function industryType(info: Json): string {
  if (!Object.prototype.hasOwnProperty.call(info, 'hylx')) return '0';
  const hylx = requiredText(info, 'hylx', 73015);
  if (hylx !== '0' && hylx !== '1') invalidParams('hylx must be "0" or "1"');
  return hylx;
}

function detailList(value: unknown): InvoiceLine[] {
  if (value === undefined || value === null) invalidParams('invoicedetail_list is empty');
  if (!Array.isArray(value)) fail(1, '');
  if (value.length === 0) invalidParams('invoicedetail_list is empty');
  return value.map((item: unknown, i) => detailLine(item, i));
}

function detailLine(item: unknown, i: number): InvoiceLine {
  if (!isObject(item)) invalidParams(`invoicedetail_list[${i}] must be an object`);
  const field = (name: string) => {
    try {
      return requiredText(item, name);
    } catch {
      return invalidParams(`invoicedetail_list[${i}].${name} is empty or not a string`);
    }
  };
  const fphxz = field('fphxz');
  if (fphxz !== '0' && fphxz !== '1' && fphxz !== '2') invalidParams(`invoicedetail_list[${i}].fphxz must be "0", "1" or "2"`);
  const discount = fphxz === '1';
  const line: InvoiceLine = {
    fphxz,
    spbm: field('spbm'),
    xmmc: field('xmmc'),
    // Discount lines carry no quantity or unit price (invoicing software prints them blank).
    xmsl: discount && isEmpty(item.xmsl) ? '' : field('xmsl'),
    xmdj: discount && isEmpty(item.xmdj) ? '' : field('xmdj'),
    xmje: field('xmje'),
    sl: field('sl'),
    se: field('se'),
  };
  for (const name of ['dw', 'ggxh'] as const) {
    const value = optionalText(item, name);
    if (value !== undefined) line[name] = value;
  }
  return line;
}

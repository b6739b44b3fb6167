import type { SandboxContext } from '../context';
import type { SandboxAuthorization, SandboxInvoice, SandboxMerchant } from '../data/invoice-models';
import { pdfUrlOf } from '../pdf/routes';
import { authUrlOf } from './authurl';
import { invoiceUrlFor, merchantCodeOfApp, sPappidFor } from './merchant';

/** What the machine API shows of the sandbox's records: plain JSON, secrets (urlKey, leases) left out. */

const seconds = (d: Date | undefined) => (d ? Math.floor(d.getTime() / 1000) : undefined);

export function authorizationView(sb: SandboxContext, a: SandboxAuthorization, merchant?: SandboxMerchant) {
  const url = authUrlOf(sb, a);
  return {
    appid: a.appid,
    s_pappid: a.s_pappid,
    order_id: a.order_id,
    money: a.money,
    timestamp: a.timestamp,
    source: a.source,
    type: a.type,
    redirect_url: a.redirect_url,
    status: a.status,
    openid: a.openid,
    auth_time: seconds(a.authTime),
    user_auth_info: a.userAuthInfo,
    postPayment: a.postPayment ?? false,
    reject: a.reject,
    auth_url: url.auth_url,
    /** For source wxa: the Mini Program to navigate to with auth_url as its path. */
    auth_appid: url.appid,
    /** Type 1: the fields the page shows (the merchant's set_auth_field). */
    auth_field: a.type === 1 ? merchant?.authField : undefined,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function invoiceView(sb: SandboxContext, i: SandboxInvoice) {
  return {
    appid: i.appid,
    kind: i.kind,
    fpqqlsh: i.fpqqlsh,
    ddh: i.ddh,
    wxopenid: i.wxopenid,
    status: i.status,
    /** The result push's status: 100 issued, 2 failed. */
    result: i.status === 'issued' ? 100 : i.status === 'failed' ? 2 : undefined,
    failReason: i.failReason,
    round: i.round,
    fpdm: i.fpdm,
    fphm: i.fphm,
    jym: i.jym,
    kprq: i.kprq,
    pdfurl: i.pdfId ? pdfUrlOf(sb, i.pdfId) : undefined,
    offsetBy: i.offsetBy ?? undefined,
    offset: i.offset ?? false,
    offsets: i.offsets,
    nsrsbh: i.content.nsrsbh,
    nsrmc: i.content.nsrmc,
    ghfmc: i.content.ghfmc,
    jshj: i.content.jshj,
    hjje: i.content.hjje,
    hjse: i.content.hjse,
    lines: i.content.lines,
    createdAt: i.createdAt,
    issuedAt: i.issuedAt,
  };
}

export function merchantView(appid: string, m: SandboxMerchant | null) {
  // The one seturl issued (its style is fixed when issued), else what it would issue now.
  const s_pappid = m?.s_pappid ?? sPappidFor(appid);
  return {
    appid,
    s_pappid,
    invoice_url: invoiceUrlFor(s_pappid),
    /** seturl was called: getauthurl and set_pay_mch accept this s_pappid. */
    registered: Boolean(m?.registeredAt),
    /** The first 6 characters of every fpqqlsh of this app (73110). */
    merchantCode: merchantCodeOfApp(appid),
    /** The seller pinned by the app's first invoice (73101 for another), null until then. */
    nsrsbh: m?.nsrsbh ?? null,
    contact: m?.contact ?? null,
    auth_field: m?.authField ?? null,
    paymch_info: m?.payMch ?? null,
  };
}

import { Schema, type Connection } from 'mongoose';

/**
 * The invoicing half of the sandbox's state: what merchants configured (seturl, setbizattr), the
 * authorizations behind auth URLs, the invoices being issued, and the pushes WeChat delivers.
 * Background work (issuing, push attempts) is found by a due time and claimed with a lease, so it
 * survives a restart and never runs twice at once.
 */

/** Never: a lease that has run out, the resting value of `leaseUntil`. */
export const NO_LEASE = new Date(0);

export interface AuthFieldCustomSetting {
  key: string;
  is_require?: number;
  notice?: string;
}

/** setbizattr set_auth_field, as stored (flags 0/1, custom fields as given). */
export interface AuthFieldSettings {
  user_field: Record<string, number | AuthFieldCustomSetting[]>;
  biz_field: Record<string, number | AuthFieldCustomSetting[]>;
}

/** Per merchant app: the invoicing-platform id it was issued, and its setbizattr settings. */
export interface SandboxMerchant {
  appid: string;
  /** Set by seturl: from then on this s_pappid is known to getauthurl. */
  s_pappid?: string;
  registeredAt?: Date;
  authField?: AuthFieldSettings;
  payMch?: { mchid: string; s_pappid: string };
  contact?: { phone: string; time_out: number };
  /** The seller taxpayer ID, pinned by the first accepted makeoutinvoice (73101 afterwards). */
  nsrsbh?: string | null;
}

export type AuthorizationStatus = 'pending' | 'authorized' | 'declined' | 'rejected';

/** The title a user entered on a type 1 page (getauthdata's user_auth_info). */
export interface UserAuthInfo {
  user_field?: Record<string, string | { key: string; value: string }[]>;
  biz_field?: Record<string, string | { key: string; value: string }[]>;
}

/** One order's authorization: created by getauthurl (or a post-payment authorization). */
export interface SandboxAuthorization {
  /** The merchant app that requested the URL: AuthorizeAppId of the push. */
  appid: string;
  s_pappid: string;
  order_id: string;
  money: number;
  timestamp: number;
  source: 'app' | 'web' | 'wap' | 'wxa';
  type: 0 | 1 | 2;
  redirect_url?: string;
  /** Secret behind the auth URL's `signature`. */
  urlKey: string;
  status: AuthorizationStatus;
  /** Set when a user authorized or declined. */
  openid?: string;
  authTime?: Date;
  userAuthInfo?: UserAuthInfo;
  /** Authorized without an auth URL (receipt=Y payment). */
  postPayment?: boolean;
  reject?: { reason: string; url?: string; at: Date; previousStatus: AuthorizationStatus };
  createdAt: Date;
  updatedAt: Date;
}

/** A WeChat Pay payment (unified order) the sandbox emulates for post-payment invoicing. */
export interface SandboxPayment {
  mchid: string;
  out_trade_no: string;
  total_fee: number;
  /** The payer: an openid under `appid`. */
  openid: string;
  /** The Official Account the merchant id is linked to (set_pay_mch): where the authorization goes. */
  appid: string;
  /** "Y": the payment message shows 开发票. */
  receipt?: string;
  createdAt: Date;
}

type InvoiceStatus = 'processing' | 'issued' | 'failed';

/** One invoice line as stored: WeChat's field names and decimal strings. */
export interface InvoiceLine {
  fphxz: string;
  spbm: string;
  xmmc: string;
  dw?: string;
  ggxh?: string;
  xmsl: string;
  xmdj: string;
  xmje: string;
  sl: string;
  se: string;
}

/** What is printed on the invoice: the request's fields (a red invoice copies its blue one's, negated). */
export interface InvoiceContent {
  nsrsbh: string;
  nsrmc: string;
  nsrdz: string;
  nsrdh: string;
  nsrbank: string;
  nsrbankid: string;
  ghfmc: string;
  ghfnsrsbh?: string;
  ghfdz?: string;
  ghfdh?: string;
  ghfbank?: string;
  ghfbankid?: string;
  kpr: string;
  skr?: string;
  fhr?: string;
  jshj: string;
  hjje: string;
  hjse: string;
  bz?: string;
  hylx: string;
  lines: InvoiceLine[];
}

/** A blue invoice (makeoutinvoice) or a red one offsetting it (clearoutinvoice). */
export interface SandboxInvoice {
  appid: string;
  kind: 'blue' | 'red';
  fpqqlsh: string;
  /** The order: the request's ddh (blue), the offset blue invoice's (red). */
  ddh: string;
  /**
   * Uniqueness of "one fpqqlsh per ddh": the ddh while a blue invoice holds the order, something
   * unique otherwise (red invoices, offset blue ones).
   */
  ddhClaim: string;
  wxopenid: string;
  content: InvoiceContent;
  status: InvoiceStatus;
  /** Issuing round: 1, then +1 for each resend after a failure. */
  round: number;
  dueAt: Date;
  leaseUntil: Date;
  leaseToken?: string;
  /** Why issuing failed (status 'failed'): shown by the machine API. */
  failReason?: string;
  fpdm?: string;
  fphm?: string;
  jym?: string;
  kprq?: string;
  issuedAt?: Date;
  /** Opaque id of the PDF: /sandbox/pdf/<pdfId>.pdf. */
  pdfId?: string;
  /** The result push of the current round is still to be queued. */
  resultPushPending: boolean;
  /** Blue: the red invoice's fpqqlsh while an offset is under way or done. */
  offsetBy?: string | null;
  /** Blue: true once the red invoice is issued. */
  offset?: boolean;
  /** Red: the blue invoice it offsets. */
  offsets?: { fpqqlsh: string; fpdm: string; fphm: string };
  createdAt: Date;
  updatedAt: Date;
}

type PushDeliveryStatus = 'pending' | 'delivered' | 'failed' | 'dropped' | 'skipped';

/** One push WeChat sends (a duplicate made by the faults is a delivery of its own). */
export interface SandboxPushDelivery {
  /** Makes queueing idempotent: the same event is queued once. */
  key: string;
  appid: string;
  event: string;
  fields: Record<string, string | number>;
  openid: string;
  orderId?: string;
  fpqqlsh?: string;
  /** 0 for the push itself, 1.. for the copies `faults.push.duplicates` adds. */
  copy: number;
  status: PushDeliveryStatus;
  /** Attempts made so far. */
  attempts: number;
  nextAt: Date;
  leaseUntil: Date;
  leaseToken?: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The record of one HTTP attempt (or of a delivery that was dropped or had nowhere to go). */
export interface SandboxPushAttempt {
  deliveryId: string;
  appid: string;
  event: string;
  openid: string;
  orderId?: string;
  fpqqlsh?: string;
  copy: number;
  /** 1 for the first send, 2..4 for the retries; 0 when nothing was sent. */
  attempt: number;
  at: Date;
  /** The push URL without its query (which carries only signatures). */
  url?: string;
  httpStatus?: number;
  error?: string;
  responseSnippet?: string;
  durationMs: number;
  outcome: 'delivered' | 'retry' | 'gave_up' | 'dropped' | 'skipped';
}

/** Number sequences (fphm per fpdm). */
export interface SandboxSequence {
  _id: string;
  n: number;
}

export function invoiceModels(db: Connection) {
  const payment = new Schema<SandboxPayment>(
    {
      mchid: { type: String, required: true },
      out_trade_no: { type: String, required: true },
      total_fee: { type: Number, required: true },
      openid: { type: String, required: true },
      appid: { type: String, required: true },
      receipt: String,
      createdAt: { type: Date, required: true },
    },
    { collection: 'payments' },
  );
  payment.index({ mchid: 1, out_trade_no: 1 }, { unique: true }); // out_trade_no is unique per merchant id

  const merchant = new Schema<SandboxMerchant>(
    {
      appid: { type: String, required: true },
      s_pappid: String,
      registeredAt: Date,
      authField: Schema.Types.Mixed,
      payMch: Schema.Types.Mixed,
      contact: Schema.Types.Mixed,
      nsrsbh: { type: String, default: null },
    },
    { collection: 'invoice_merchants' },
  );
  merchant.index({ appid: 1 }, { unique: true }); // every invoice call loads its app's settings
  merchant.index({ s_pappid: 1 }); // is this s_pappid known? (getauthurl, set_pay_mch)
  merchant.index({ 'payMch.s_pappid': 1 }); // post-payment: which app linked its mchid to this s_pappid

  const authorization = new Schema<SandboxAuthorization>(
    {
      appid: { type: String, required: true },
      s_pappid: { type: String, required: true },
      order_id: { type: String, required: true },
      money: { type: Number, required: true },
      timestamp: { type: Number, required: true },
      source: { type: String, required: true },
      type: { type: Number, required: true },
      redirect_url: String,
      urlKey: { type: String, required: true },
      status: { type: String, required: true },
      openid: String,
      authTime: Date,
      userAuthInfo: Schema.Types.Mixed,
      postPayment: Boolean,
      reject: Schema.Types.Mixed,
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
    },
    { collection: 'invoice_authorizations' },
  );
  authorization.index({ appid: 1, s_pappid: 1, order_id: 1 }, { unique: true }); // getauthurl/getauthdata/rejectinsert
  authorization.index({ appid: 1, order_id: 1 }); // makeoutinvoice: was ddh authorized by this user?
  authorization.index({ s_pappid: 1, order_id: 1 }); // the machine API: {s_pappid, order_id} without appid

  const line = new Schema<InvoiceLine>(
    {
      fphxz: String,
      spbm: String,
      xmmc: String,
      dw: String,
      ggxh: String,
      xmsl: String,
      xmdj: String,
      xmje: String,
      sl: String,
      se: String,
    },
    { _id: false },
  );
  const content = new Schema<InvoiceContent>(
    {
      nsrsbh: String,
      nsrmc: String,
      nsrdz: String,
      nsrdh: String,
      nsrbank: String,
      nsrbankid: String,
      ghfmc: String,
      ghfnsrsbh: String,
      ghfdz: String,
      ghfdh: String,
      ghfbank: String,
      ghfbankid: String,
      kpr: String,
      skr: String,
      fhr: String,
      jshj: String,
      hjje: String,
      hjse: String,
      bz: String,
      hylx: String,
      lines: [line],
    },
    { _id: false },
  );
  const invoice = new Schema<SandboxInvoice>(
    {
      appid: { type: String, required: true },
      kind: { type: String, required: true },
      fpqqlsh: { type: String, required: true },
      ddh: { type: String, required: true },
      ddhClaim: { type: String, required: true },
      wxopenid: { type: String, required: true },
      content: { type: content, required: true },
      status: { type: String, required: true },
      round: { type: Number, required: true },
      dueAt: { type: Date, required: true },
      leaseUntil: { type: Date, required: true },
      leaseToken: String,
      failReason: String,
      fpdm: String,
      fphm: String,
      jym: String,
      kprq: String,
      issuedAt: Date,
      pdfId: String,
      resultPushPending: { type: Boolean, required: true },
      offsetBy: { type: String, default: null },
      offset: Boolean,
      offsets: Schema.Types.Mixed,
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
    },
    { collection: 'invoices' },
  );
  invoice.index({ appid: 1, fpqqlsh: 1 }, { unique: true }); // one request per serial number (73106/73107)
  invoice.index({ appid: 1, ddhClaim: 1 }, { unique: true }); // one blue fpqqlsh per order (73108)
  invoice.index({ status: 1, dueAt: 1 }); // the issuer: processing invoices that are due
  invoice.index({ appid: 1, fpdm: 1, fphm: 1 }); // clearoutinvoice: the blue invoice by its numbers
  invoice.index({ pdfId: 1 }); // serving the PDF
  invoice.index({ resultPushPending: 1 }); // result pushes still to queue after a crash

  const delivery = new Schema<SandboxPushDelivery>(
    {
      key: { type: String, required: true },
      appid: { type: String, required: true },
      event: { type: String, required: true },
      fields: { type: Schema.Types.Mixed, required: true },
      openid: { type: String, required: true },
      orderId: String,
      fpqqlsh: String,
      copy: { type: Number, required: true },
      status: { type: String, required: true },
      attempts: { type: Number, required: true },
      nextAt: { type: Date, required: true },
      leaseUntil: { type: Date, required: true },
      leaseToken: String,
      createdAt: { type: Date, required: true },
      updatedAt: { type: Date, required: true },
    },
    { collection: 'push_deliveries', minimize: false },
  );
  delivery.index({ key: 1 }, { unique: true }); // queueing an event twice queues it once
  delivery.index({ status: 1, nextAt: 1 }); // the deliverer: pending pushes that are due

  const attempt = new Schema<SandboxPushAttempt>(
    {
      deliveryId: { type: String, required: true },
      appid: { type: String, required: true },
      event: { type: String, required: true },
      openid: { type: String, required: true },
      orderId: String,
      fpqqlsh: String,
      copy: { type: Number, required: true },
      attempt: { type: Number, required: true },
      at: { type: Date, required: true },
      url: String,
      httpStatus: Number,
      error: String,
      responseSnippet: String,
      durationMs: { type: Number, required: true },
      outcome: { type: String, required: true },
    },
    { collection: 'push_attempts' },
  );
  attempt.index({ appid: 1, at: 1 }); // GET /sandbox/api/pushes?appid=
  attempt.index({ deliveryId: 1, attempt: 1 }); // the attempts of one delivery

  const sequence = new Schema<SandboxSequence>({ _id: String, n: { type: Number, required: true } }, { collection: 'invoice_sequences' });

  return {
    Merchant: db.model('SandboxMerchant', merchant),
    Payment: db.model('SandboxPayment', payment),
    Authorization: db.model('SandboxAuthorization', authorization),
    Invoice: db.model('SandboxInvoice', invoice),
    PushDelivery: db.model('SandboxPushDelivery', delivery),
    PushAttempt: db.model('SandboxPushAttempt', attempt),
    Sequence: db.model('SandboxSequence', sequence),
  };
}


import type { InvoiceEvent, InvoiceSource, InvoiceState } from '@fapiao/shared';
import { Schema, type Connection, type Model } from 'mongoose';

/**
 * One attempt to get an invoice for an order. It is its own job: the worker claims it when
 * `nextActionAt` is due (lease `owner`/`until`), acts, and reschedules. Every state change is one
 * conditional update `{_id, status: from} → {status: to}` that appends to `history`.
 */
export interface InvoiceRequestDoc {
  _id: string;
  orderNo: string;
  /**
   * The buyer's openid under the request's account (makeoutinvoice's wxopenid). Unknown until the
   * authorization push names it when the merchant's back end did not know it (plain web, app).
   */
  openid?: string;
  /** Other identity the buyer came with (the merchant's unionid), for ops. */
  unionid?: string;
  /**
   * The channel, remembered from the start: every later call (getauthdata, makeoutinvoice,
   * rejectinsert, queries) uses this account and s_pappid, since WeChat ties the authorization
   * to the appid that asked for it (72038 for any other). Absent on requests stored before
   * accounts were recorded: those belong to the default account.
   */
  account?: string;
  appid?: string;
  source?: InvoiceSource;
  sPappid?: string;
  /** Where WeChat's page sends the buyer afterwards (source web). */
  redirectUrl?: string;
  /** The merchant back end's callback for this request (channel API), and what it was last told. */
  callback?: { url: string; sentStatus?: InvoiceState; failures?: number; lastError?: string };
  /** WeChat's order_id for this attempt: unique, never reused (a rejected one is dead). */
  wxOrderId: string;
  /** Authorization page type: 0 title given in our app, 1 WeChat collects it. */
  type: 0 | 1;
  /** Tax-inclusive amount in fen (the order's), as given to getauthurl. */
  amount: number;
  status: InvoiceState;
  history: HistoryEntry[];
  /** The buyer's title: from our form (type 0) or getauthdata (type 1). */
  title?: InvoiceTitle;
  /** Invoice request serial number, stored before makeoutinvoice is called; reused on every resend. */
  fpqqlsh: string;
  /** The issued (blue) invoice. */
  invoice?: IssuedInvoice;
  /** The red invoice that offsets it (红冲). */
  offset?: { fpqqlsh: string; invoice?: IssuedInvoice };
  rejectReason?: string;
  /** Last error from WeChat, for ops. */
  lastError?: { code: string; message: string; at: Date };
  /**
   * Needs a human: the worker gave up within its limits, or hit something retrying cannot heal.
   * A flag beside the state, set only through flagAttention() and cleared only by an admin action.
   */
  attention?: Attention | undefined;
  /** Indexed twin of `attention` for ops' list (true while flagged). */
  needsAttention?: boolean;
  /** WeChat's last few answers to the worker about this request, newest last. */
  answers?: WeChatAnswer[] | undefined;
  /**
   * How many times the worker has looked at the request in `state` (the attempt limit), and since
   * when the age limit counts if not since it entered the state (ops cleared a flag then).
   */
  looks?: Looks | undefined;
  createdAt: Date;
  authorizedAt?: Date;
  /** Until when the user may still authorize (contact time_out). */
  authDeadline?: Date;
  // -- scheduling --
  /** When the worker should look at it next; unset when nothing is left to do. */
  nextActionAt?: Date;
  /** Consecutive attempts of the current step (back-off grows with it). */
  attempts: number;
  lease?: { owner: string; until: Date };
  /** makeoutinvoice/clearoutinvoice may have happened: query before sending again. */
  outcomeUnknown?: boolean;
  /** Set by an event (a push, an ops action) that wants the worker to look now, even mid-lease. */
  wake?: boolean;
  /** Issued with a buyer email and the copy not yet in the email outbox (set by the `issued` transition). */
  copyPending?: boolean;
}

export interface Looks {
  state: InvoiceState;
  n: number;
  since?: Date;
}

export interface Attention {
  /** A stable code: a WeChat errcode, or one of ours (OUTCOME_UNKNOWN, UNKNOWN_AUTH_STATUS …). */
  code: string;
  reason: string;
  /** The state it was flagged in. */
  state: InvoiceState;
  /** First flagged at (kept when flagged again before being cleared). */
  since: Date;
  at: Date;
  answers: WeChatAnswer[];
}

/** One WeChat answer, as ops need to see it: the call, the errcode, what it said (no secrets). */
export interface WeChatAnswer {
  at: Date;
  call: string;
  errcode: number;
  summary: string;
}

interface HistoryEntry {
  from: InvoiceState | null;
  to: InvoiceState;
  event: InvoiceEvent | 'created';
  at: Date;
  /** Who caused it: "buyer", "wechat", "worker", "admin:<key id>". */
  by: string;
  detail?: string;
}

export interface InvoiceTitle {
  kind: 'company' | 'personal';
  name: string;
  taxNumber?: string | undefined;
  address?: string | undefined;
  phone?: string | undefined;
  bankName?: string | undefined;
  bankAccount?: string | undefined;
  email?: string | undefined;
  /** The merchant's custom fields (set_auth_field custom_field) as the buyer filled them in. */
  customFields?: { key: string; value: string }[] | undefined;
}

export interface IssuedInvoice {
  fpdm: string;
  fphm: string;
  jym: string;
  /** yyyyMMddHHmmss as WeChat sends it (China time). */
  kprq: string;
  pdfUrl: string;
}

const invoiceSchema = new Schema<IssuedInvoice>(
  { fpdm: String, fphm: String, jym: String, kprq: String, pdfUrl: String },
  { _id: false },
);

const answerSchema = new Schema<WeChatAnswer>({ at: Date, call: String, errcode: Number, summary: String }, { _id: false });

const schema = new Schema<InvoiceRequestDoc>(
  {
    _id: { type: String, required: true },
    orderNo: { type: String, required: true },
    openid: { type: String, required: false },
    unionid: String,
    account: String,
    appid: String,
    source: String,
    sPappid: String,
    redirectUrl: String,
    callback: {
      type: new Schema({ url: String, sentStatus: String, failures: Number, lastError: String }, { _id: false }),
      required: false,
    },
    wxOrderId: { type: String, required: true },
    type: { type: Number, required: true },
    amount: { type: Number, required: true },
    status: { type: String, required: true },
    history: {
      type: [new Schema<HistoryEntry>({ from: String, to: String, event: String, at: Date, by: String, detail: String }, { _id: false })],
      default: [],
    },
    title: {
      type: new Schema<InvoiceTitle>(
        {
          kind: String,
          name: String,
          taxNumber: String,
          address: String,
          phone: String,
          bankName: String,
          bankAccount: String,
          email: String,
          customFields: { type: [new Schema({ key: String, value: String }, { _id: false })], default: undefined },
        },
        { _id: false },
      ),
      required: false,
    },
    fpqqlsh: { type: String, required: true },
    invoice: { type: invoiceSchema, required: false },
    offset: { type: new Schema({ fpqqlsh: String, invoice: invoiceSchema }, { _id: false }), required: false },
    rejectReason: String,
    lastError: { type: new Schema({ code: String, message: String, at: Date }, { _id: false }), required: false },
    createdAt: { type: Date, required: true },
    authorizedAt: Date,
    authDeadline: Date,
    nextActionAt: Date,
    attempts: { type: Number, required: true, default: 0 },
    lease: { type: new Schema({ owner: String, until: Date }, { _id: false }), required: false },
    outcomeUnknown: Boolean,
    wake: Boolean,
    attention: { type: new Schema({ code: String, reason: String, state: String, since: Date, at: Date, answers: [answerSchema] }, { _id: false }), required: false },
    needsAttention: Boolean,
    answers: { type: [answerSchema], default: undefined },
    looks: { type: new Schema({ state: String, n: Number, since: Date }, { _id: false }), required: false },
    copyPending: Boolean,
  },
  { collection: 'invoice_requests', _id: false },
);
// Pushes and getauthdata name the WeChat order_id.
schema.index({ wxOrderId: 1 }, { unique: true });
// Result pushes and queryinvoceinfo name the fpqqlsh; WeChat also rejects a reused one.
schema.index({ fpqqlsh: 1 }, { unique: true });
// A red invoice's result push and query name its own fpqqlsh.
schema.index({ 'offset.fpqqlsh': 1 });
// The copy sweep: issued requests whose copy was not queued (normally none).
schema.index({ copyPending: 1 }, { sparse: true });
// The worker's claim: due requests, oldest due first.
schema.index({ nextActionAt: 1 });
// An order's requests (latest first; an order has a handful, so the _id tie-break sorts in memory).
schema.index({ orderNo: 1, createdAt: -1 });
// Ops' list and reconcile by status, newest first, paged by (createdAt, _id) and dated by createdAt.
schema.index({ status: 1, createdAt: -1, _id: -1 });
// Redundant on MongoDB, kept for the SecantusDB stand-in: it drops the rows equal to an inclusive
// bound when it range-scans a compound index past the bounded field, and it picks the shortest
// index that fits, i.e. this one (docs/database.md).
schema.index({ status: 1, createdAt: -1 });
// Ops' list of the requests that need a human, the same way.
schema.index({ needsAttention: 1, createdAt: -1, _id: -1 });
// Ops' list of every state, the same way.
schema.index({ createdAt: -1, _id: -1 });

export type InvoiceRequestModel = Model<InvoiceRequestDoc>;

export function invoiceRequestModel(db: Connection): InvoiceRequestModel {
  return (db.models.InvoiceRequest as InvoiceRequestModel | undefined) ?? db.model<InvoiceRequestDoc>('InvoiceRequest', schema);
}

import type { InvoiceEvent, InvoiceSource, InvoiceState } from '@fapiao/shared';

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

export interface HistoryEntry {
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

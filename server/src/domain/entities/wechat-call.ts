import type { InvoiceState } from '@fapiao/shared';

/**
 * One WeChat API call made for an invoice request: which API, when, how long, what WeChat
 * answered (errcode, errmsg, a summary naming fields, never tokens or tickets), and the request's
 * state before and after the step that made it. What ops read to see "what did WeChat say".
 */
export interface WeChatCallDoc {
  requestId: string;
  at: Date;
  /** WeChat's API path, e.g. card/invoice/makeoutinvoice. */
  api: string;
  /** 0 for success; WeChat's errcode; -1 when nothing usable came back (timeout, network). */
  errcode: number;
  errmsg: string;
  summary: string;
  durationMs: number;
  /** Who made it happen: worker, buyer, merchant, staff:<username>, admin:<key id>. */
  by: string;
  stateBefore: InvoiceState | null;
  /** Absent when the request was gone afterwards (WeChat refused a new request's link: it was taken back). */
  stateAfter?: InvoiceState | undefined;
}

/** A stored call: its id orders calls made in the same millisecond (the API's paging). */
export type StoredWeChatCall = WeChatCallDoc & { _id: { toHexString(): string } };

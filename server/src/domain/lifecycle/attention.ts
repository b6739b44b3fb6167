import type { InvoiceRequestDoc, WeChatAnswer } from '../../data/invoice-request/invoice-request.schema';
import { KEPT_ANSWERS } from './answers';
import type { LifecycleDeps } from './deps';

/** Codes of our own for why a request needs a human (WeChat errcodes are used as they are). */
type AttentionCode =
  /** The attempt or age limit of the state ran out without an outcome. */
  | 'LIMIT_REACHED'
  /** getauthdata answered an invoice_status Fapiao does not know. */
  | 'UNKNOWN_AUTH_STATUS'
  /** Something retrying cannot heal (a bug, bad stored data, a permanent WeChat refusal). */
  | 'CANNOT_HEAL'
  /** The invoicing platform failed the invoice, or WeChat refused to issue. */
  | 'ISSUE_FAILED'
  /** The red invoice failed, or WeChat refused to offset. */
  | 'OFFSET_FAILED';

export interface AttentionInput {
  code: AttentionCode;
  reason: string;
  /** WeChat's answers of the step that gave up (added to those stored on the request). */
  answers?: WeChatAnswer[];
}

/** Subscribers to flagged requests (alerts hook here). Each is called once per flag, after it is stored. */
export type AttentionListener = (request: InvoiceRequestDoc, attention: InvoiceRequestDoc['attention']) => void | Promise<void>;

/**
 * THE point where a request is handed to a human: every path that gives up goes through here. The
 * flag is stored only while the request is still in the state it was judged in (a lost race is a
 * no-op), stops the worker's looks on it, and keeps the first time it was flagged until ops clear
 * it. Returns whether it was stored.
 */
export async function flagAttention(deps: LifecycleDeps, request: InvoiceRequestDoc, input: AttentionInput): Promise<boolean> {
  const at = deps.now();
  const answers = [...(request.answers ?? []), ...(deps.stepAnswers ?? []), ...(input.answers ?? [])].slice(-KEPT_ANSWERS);
  const attention = { code: input.code, reason: input.reason, state: request.status, since: request.attention?.since ?? at, at, answers };
  const stored = await deps.requests.flagAttention(request._id, request.status, attention);
  if (!stored) return false;
  deps.log.warn({ requestId: request._id, state: request.status, code: input.code, reason: input.reason }, 'invoice request needs attention');
  for (const listener of deps.onAttention ?? []) {
    try {
      await listener(request, attention);
    } catch (err) {
      deps.log.error({ err, requestId: request._id }, 'an attention listener failed');
    }
  }
  return true;
}

import { backoffMs, EQUAL_JITTER } from '@fapiao/shared';
import { errcodeInfo, TOKEN_ERRCODES } from './errcodes';
import type { Endpoint } from './endpoints';

/**
 * What the client does with a non-zero errcode from an endpoint. Pure: the call loop in client.ts
 * applies it, and bounds every retry (token and ticket: once; transient: `attempts`).
 */
export type Decision =
  /** Compare-and-expire the access_token that was sent, fetch a fresh one, send again (once). */
  | 'refresh_token'
  /** Compare-and-expire the wx_card ticket that was sent, fetch a fresh one, send again (once). */
  | 'refresh_ticket'
  /** Wait (exponential back-off with jitter) and send again, within the attempt budget. */
  | 'retry'
  /** Throw WeChatQuotaError: the caller's scheduler backs off. */
  | 'quota'
  /** Throw WeChatLoginError. */
  | 'login'
  /** Throw WeChatOutcomeUnknownError: query first, then resend with the same fpqqlsh. */
  | 'outcome_unknown'
  /** Throw WeChatApiError. */
  | 'fail';

export function decide(errcode: number, endpoint: Endpoint, ticketRejectedErrcodes: readonly number[] = []): Decision {
  const errclass = errcodeInfo(errcode).class;
  if (TOKEN_ERRCODES.includes(errcode)) {
    // On the token fetch itself 40001 means a wrong AppSecret: a configuration error.
    return endpoint.auth === 'access_token' ? 'refresh_token' : 'fail';
  }
  if (ticketRejectedErrcodes.includes(errcode)) return 'refresh_ticket';
  switch (errclass) {
    case 'quota':
      return 'quota';
    case 'login':
      return endpoint.login ? 'login' : 'fail';
    case 'transient':
      return endpoint.issuesInvoice ? 'outcome_unknown' : 'retry';
    case 'unknown':
      return endpoint.issuesInvoice ? 'outcome_unknown' : 'fail';
    default:
      return 'fail';
  }
}

export interface RetryPolicy {
  /** Sends in all for a transient failure (-1, 72036, timeout, network, 5xx): 1 + retries. */
  readonly attempts: number;
  /** Back-off before the first retry; doubles per retry. */
  readonly baseDelayMs: number;
  /** Cap on one back-off. */
  readonly maxDelayMs: number;
}

/**
 * 3 sends within one call, waiting about 0.25 s, then 0.5 s: long enough for WeChat's "busy, try
 * again" (-1, 72036), short enough to keep a Mini Program request responsive. Longer waits belong to
 * the caller's scheduler (the invoice request's nextActionAt), not to a call in flight.
 */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 };

/**
 * Back-off before retry number `retry` (1 = the first retry): exponential, capped, with "equal
 * jitter" (half fixed, half random) so that many processes hit by the same -1 spread out.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return backoffMs(retry - 1, { firstMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, jitter: EQUAL_JITTER }, random);
}

const MINUTE_MS = 60_000;
/** China Standard Time is UTC+8 all year (no daylight saving). */
const CST_OFFSET_MS = 8 * 60 * MINUTE_MS;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * How long the caller should wait after a quota error. 45011 (per-minute quota, "slower retry next
 * minute"): one minute. 45009 (daily quota): until the daily counters reset at 00:00 Beijing time,
 * but at least a minute (the quota may also be cleared earlier with clear_quota).
 */
export function quotaRetryAfterMs(errcode: number, nowMs: number): number {
  if (errcode !== 45009) return MINUTE_MS;
  const sinceMidnightCst = (((nowMs + CST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;
  return Math.max(MINUTE_MS, DAY_MS - sinceMidnightCst);
}

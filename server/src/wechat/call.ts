import type { z } from 'zod';
import type { Endpoint } from './endpoints';
import { errcodeInfo } from './errcodes';
import {
  WeChatApiError,
  WeChatLoginError,
  WeChatOutcomeUnknownError,
  WeChatQuotaError,
  WeChatTransportError,
} from './errors';
import { errcodeOf, errmsgOf, exchangeJson, joinUrl, type FetchFn, type JsonObject } from './http';
import { backoffDelayMs, decide, quotaRetryAfterMs, type RetryPolicy } from './policy';

/** What a call needs from the shared credentials (see credentials.ts). */
interface CallCredentials {
  accessToken(): Promise<string>;
  wxCardTicket(): Promise<string>;
  /** Compare-and-expire: forget `failedValue` only if it is still the stored one. */
  expire(kind: 'access_token' | 'wx_card_ticket', failedValue: string): Promise<unknown>;
}

/**
 * Structured logging, satisfied by a pino Logger. The client logs endpoint names, errcodes and
 * attempt numbers, never URLs, bodies, tokens or secrets.
 */
export interface WeChatLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export const silentLog: WeChatLog = { info: () => {}, warn: () => {} };

interface CallRequest {
  /** Query parameters besides the endpoint's fixed ones and the access_token. */
  query?: Record<string, string>;
  /** The JSON body of a POST (`{}` when omitted: WeChat wants a body on every POST). */
  body?: object;
  /** getauthurl: send the current wx_card ticket as `body.ticket`; a rejected one is replaced once. */
  withTicket?: boolean;
  /** makeoutinvoice / clearoutinvoice: the serial number an outcome-unknown error names. */
  fpqqlsh?: string;
}

/** Sends one request to one endpoint under the errcode policy and returns the validated answer. */
export type Call = <T>(endpoint: Endpoint, request: CallRequest, response: z.ZodType<T>) => Promise<T>;

export interface CallOptions {
  baseUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
  fetch: FetchFn;
  /** Late-bound: fetching the ticket is itself a call. */
  credentials: () => CallCredentials;
  ticketRejectedErrcodes: readonly number[];
  log: WeChatLog;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  /** Told about every exchange: the endpoint and its errcode ("0" success), or the transport failure. */
  observe?: ((endpoint: string, errcode: string) => void) | undefined;
}

/**
 * The one place where errcodes turn into actions (see policy.ts):
 * - 40001/40014/42001 on a call that sent an access_token: compare-and-expire that token, take a
 *   fresh one, send again, once;
 * - a getauthurl ticket rejection: the same with the wx_card ticket;
 * - -1, 72036, timeouts, network failures, 5xx: up to `retry.attempts` sends with back-off;
 * - 45009/45011: WeChatQuotaError at once, with a retry-after hint;
 * - makeoutinvoice/clearoutinvoice: any failure of the exchange itself, -1, 72036 and the 731xx
 *   "processing" codes end in WeChatOutcomeUnknownError, never in a second send;
 * - everything else: WeChatApiError with the documents' meaning.
 */
export function createCall(options: CallOptions): Call {
  return async function call<T>(endpoint: Endpoint, request: CallRequest, response: z.ZodType<T>): Promise<T> {
    let transientFailures = 0;
    let tokenReplaced = false;
    let ticketReplaced = false;
    const ticketRejected = request.withTicket ? options.ticketRejectedErrcodes : [];

    for (;;) {
      const credentials = options.credentials();
      const accessToken = endpoint.auth === 'access_token' ? await credentials.accessToken() : undefined;
      const ticket = request.withTicket ? await credentials.wxCardTicket() : undefined;

      let answer: JsonObject;
      try {
        answer = await exchangeJson({
          endpoint: endpoint.name,
          method: endpoint.method,
          url: joinUrl(options.baseUrl, endpoint.path, {
            ...endpoint.query,
            ...request.query,
            ...(accessToken === undefined ? {} : { access_token: accessToken }),
          }),
          body: endpoint.method === 'POST' ? { ...request.body, ...(ticket === undefined ? {} : { ticket }) } : undefined,
          timeoutMs: options.timeoutMs,
          fetch: options.fetch,
        });
      } catch (err) {
        if (!(err instanceof WeChatTransportError)) throw err;
        options.observe?.(endpoint.name, err.failure);
        if (endpoint.issuesInvoice) throw outcomeUnknown(endpoint, request, err.failure, err);
        if (err.retryable && ++transientFailures < options.retry.attempts) {
          await backOff(endpoint, transientFailures, { failure: err.failure });
          continue;
        }
        throw err;
      }

      const errcode = errcodeOf(answer);
      options.observe?.(endpoint.name, Number.isNaN(errcode) ? 'bad_response' : String(errcode));
      if (Number.isNaN(errcode)) {
        const err = new WeChatTransportError({ endpoint: endpoint.name, failure: 'bad_response', detail: 'errcode is not an integer' });
        if (endpoint.issuesInvoice) throw outcomeUnknown(endpoint, request, 'bad_response', err);
        throw err;
      }
      if (errcode === 0) return validated(endpoint, answer, response);

      const errmsg = errmsgOf(answer);
      const { meaning, class: errclass } = errcodeInfo(errcode);
      const decision = decide(errcode, endpoint, ticketRejected);
      if (decision === 'refresh_token' && accessToken !== undefined && !tokenReplaced) {
        tokenReplaced = true;
        options.log.warn({ endpoint: endpoint.name, errcode }, 'WeChat refused the access_token; refreshing it and sending once more');
        await credentials.expire('access_token', accessToken);
        continue;
      }
      if (decision === 'refresh_ticket' && ticket !== undefined && !ticketReplaced) {
        ticketReplaced = true;
        options.log.warn({ endpoint: endpoint.name, errcode }, 'WeChat refused the wx_card ticket; refreshing it and sending once more');
        await credentials.expire('wx_card_ticket', ticket);
        continue;
      }
      if (decision === 'retry' && ++transientFailures < options.retry.attempts) {
        await backOff(endpoint, transientFailures, { errcode });
        continue;
      }
      const fields = { endpoint: endpoint.name, errcode, errmsg, meaning };
      if (decision === 'quota') throw new WeChatQuotaError({ ...fields, retryAfterMs: quotaRetryAfterMs(errcode, options.now()) });
      if (decision === 'login') throw new WeChatLoginError(fields);
      if (decision === 'outcome_unknown') throw outcomeUnknown(endpoint, request, `errcode ${errcode}: ${meaning}`, undefined, errcode, errmsg);
      throw new WeChatApiError({ ...fields, errclass });
    }
  };

  async function backOff(endpoint: Endpoint, failures: number, what: Record<string, unknown>): Promise<void> {
    const delayMs = backoffDelayMs(failures, options.retry, options.random);
    options.log.warn({ endpoint: endpoint.name, ...what, attempt: failures + 1, delayMs }, 'WeChat call failed transiently; retrying');
    await options.sleep(delayMs);
  }
}

function validated<T>(endpoint: Endpoint, answer: JsonObject, response: z.ZodType<T>): T {
  const parsed = response.safeParse(answer);
  if (parsed.success) return parsed.data;
  // Paths and zod's messages only: never the values, which may be tokens.
  const detail = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  throw new WeChatTransportError({ endpoint: endpoint.name, failure: 'bad_response', detail });
}

function outcomeUnknown(
  endpoint: Endpoint,
  request: CallRequest,
  reason: string,
  cause?: unknown,
  errcode?: number,
  errmsg?: string,
): WeChatOutcomeUnknownError {
  return new WeChatOutcomeUnknownError({ endpoint: endpoint.name, fpqqlsh: request.fpqqlsh ?? '', reason, cause, errcode, errmsg });
}

import type { ErrcodeClass } from './errcodes';

/**
 * Errors of the outbound WeChat client. Each carries a stable string `code` to switch on and the
 * endpoint it came from (a path such as `card/invoice/makeoutinvoice`, never a URL). Messages are
 * built from codes, endpoint names and WeChat's errmsg only: they never contain the appsecret, an
 * access_token, a ticket or a js_code, so they are safe to log and to show to operators.
 */
export type WeChatErrorCode =
  | 'WECHAT_API_ERROR'
  | 'WECHAT_QUOTA_EXCEEDED'
  | 'WECHAT_LOGIN_CODE_INVALID'
  | 'WECHAT_LOGIN_BLOCKED'
  | 'WECHAT_TRANSPORT_ERROR'
  | 'WECHAT_OUTCOME_UNKNOWN';

export abstract class WeChatError extends Error {
  abstract readonly code: WeChatErrorCode;

  protected constructor(
    message: string,
    readonly endpoint: string,
  ) {
    super(redactSecrets(message));
    this.name = new.target.name;
  }
}

interface ApiErrorFields {
  endpoint: string;
  errcode: number;
  errmsg: string;
  meaning: string;
}

/** WeChat answered with an errcode that retrying cannot fix (or retries ran out). */
export class WeChatApiError extends WeChatError {
  readonly code = 'WECHAT_API_ERROR' as const;
  readonly errcode: number;
  readonly errmsg: string;
  /** The documents' explanation of the errcode. */
  readonly meaning: string;
  readonly errclass: ErrcodeClass;

  constructor(fields: ApiErrorFields & { errclass: ErrcodeClass }) {
    super(`${fields.endpoint} failed with errcode ${fields.errcode} (${fields.meaning}): ${fields.errmsg}`, fields.endpoint);
    this.errcode = fields.errcode;
    this.errmsg = redactSecrets(fields.errmsg);
    this.meaning = fields.meaning;
    this.errclass = fields.errclass;
  }
}

/**
 * 45009 (daily quota) or 45011 (minute quota). The client does not wait: the caller's scheduler
 * should try again no sooner than `retryAfterMs` from now.
 */
export class WeChatQuotaError extends WeChatError {
  readonly code = 'WECHAT_QUOTA_EXCEEDED' as const;
  readonly errcode: number;
  readonly errmsg: string;
  readonly meaning: string;
  readonly retryAfterMs: number;

  constructor(fields: ApiErrorFields & { retryAfterMs: number }) {
    super(
      `${fields.endpoint} hit a WeChat quota, errcode ${fields.errcode} (${fields.meaning}); retry in ${Math.ceil(fields.retryAfterMs / 1000)} s`,
      fields.endpoint,
    );
    this.errcode = fields.errcode;
    this.errmsg = redactSecrets(fields.errmsg);
    this.meaning = fields.meaning;
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/**
 * jscode2session refused the code. `WECHAT_LOGIN_CODE_INVALID` (40029, 40163): the Mini Program
 * must call wx.login again and send the new code. `WECHAT_LOGIN_BLOCKED` (40226): a high-risk user
 * whose login WeChat intercepts; do not retry.
 */
export class WeChatLoginError extends WeChatError {
  readonly code: 'WECHAT_LOGIN_CODE_INVALID' | 'WECHAT_LOGIN_BLOCKED';
  readonly errcode: number;
  readonly errmsg: string;
  readonly meaning: string;

  constructor(fields: ApiErrorFields) {
    super(`${fields.endpoint} refused the login code, errcode ${fields.errcode} (${fields.meaning})`, fields.endpoint);
    this.code = fields.errcode === 40226 ? 'WECHAT_LOGIN_BLOCKED' : 'WECHAT_LOGIN_CODE_INVALID';
    this.errcode = fields.errcode;
    this.errmsg = redactSecrets(fields.errmsg);
    this.meaning = fields.meaning;
  }
}

/**
 * No usable answer from WeChat:
 * - `timeout`: no complete answer within the call's timeout;
 * - `network`: connection refused, reset or dropped;
 * - `http_status`: an HTTP status other than 2xx (a proxy or gateway in the way);
 * - `invalid_json`: the body is not a JSON object;
 * - `bad_response`: errcode 0 but a field the documents promise is missing or mistyped;
 * - `credential_wait`: waited too long for another process to refresh the access_token or ticket.
 */
export type TransportFailure = 'timeout' | 'network' | 'http_status' | 'invalid_json' | 'bad_response' | 'credential_wait';

export class WeChatTransportError extends WeChatError {
  readonly code = 'WECHAT_TRANSPORT_ERROR' as const;
  readonly failure: TransportFailure;
  readonly status: number | undefined;

  constructor(fields: { endpoint: string; failure: TransportFailure; detail: string; status?: number; cause?: unknown }) {
    super(`${fields.endpoint}: ${fields.failure}: ${fields.detail}`, fields.endpoint);
    this.failure = fields.failure;
    this.status = fields.status;
    if (fields.cause !== undefined) this.cause = fields.cause;
  }

  /** Whether sending the same request again may succeed (never decides for makeout/clearoutinvoice). */
  get retryable(): boolean {
    return this.failure === 'timeout' || this.failure === 'network' || this.failure === 'invalid_json' || (this.status ?? 0) >= 500;
  }
}

/**
 * makeoutinvoice or clearoutinvoice was sent and it is not known whether the invoicing platform
 * acted: a transport failure or timeout of that very exchange, or errcode -1, 72036, 73100, 73102,
 * 73105, 73107. Never resend blindly and never use a new fpqqlsh: query queryinvoceinfo with this
 * `fpqqlsh`, and only if the invoice is not there resend the SAME request (same fpqqlsh).
 */
export class WeChatOutcomeUnknownError extends WeChatError {
  readonly code = 'WECHAT_OUTCOME_UNKNOWN' as const;
  readonly fpqqlsh: string;
  /** The errcode when WeChat answered one; undefined after a transport failure. */
  readonly errcode: number | undefined;
  readonly errmsg: string | undefined;

  constructor(fields: { endpoint: string; fpqqlsh: string; reason: string; errcode?: number | undefined; errmsg?: string | undefined; cause?: unknown }) {
    super(
      `${fields.endpoint} outcome unknown for fpqqlsh ${fields.fpqqlsh} (${fields.reason}): query queryinvoceinfo, then resend with the same fpqqlsh`,
      fields.endpoint,
    );
    this.fpqqlsh = fields.fpqqlsh;
    this.errcode = fields.errcode;
    this.errmsg = fields.errmsg === undefined ? undefined : redactSecrets(fields.errmsg);
    if (fields.cause !== undefined) this.cause = fields.cause;
  }
}

const SECRET_PARAMETER = /\b(access_token|secret|appsecret|js_code|ticket|session_key)=([^&\s"']+)/gi;

/** Replaces the value of every secret-bearing query parameter in a string (URLs, error texts). */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_PARAMETER, '$1=[redacted]');
}

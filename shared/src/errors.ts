/**
 * Error codes of the Fapiao HTTP API. Stable strings: the Mini Program and merchant tooling
 * switch on them, so a code is never renamed or reused for another meaning.
 * Every error response is `{ "error": { "code": ErrorCode, "message": string } }`.
 */
export const ERROR_CODES = {
  /** The request body, query or path failed validation. */
  VALIDATION_FAILED: 400,
  /** The body is not well-formed JSON/XML, or has the wrong content type. */
  MALFORMED_BODY: 400,
  /** The body is larger than the route accepts. */
  BODY_TOO_LARGE: 413,
  /** No or an unknown credential (session token, admin key). */
  UNAUTHENTICATED: 401,
  /** Authenticated, but not allowed to do this. */
  FORBIDDEN: 403,
  /** A console request that changes something came without the session's CSRF token (or from
   * another site): reload the console and try again. */
  CSRF_FAILED: 403,
  /** Too many attempts (console logins): wait for the time in Retry-After, then try again. */
  RATE_LIMITED: 429,
  /** A staff account with this username exists already. */
  STAFF_ALREADY_EXISTS: 409,
  /** No such staff account. */
  STAFF_NOT_FOUND: 404,
  /** No such route. */
  ROUTE_NOT_FOUND: 404,
  /** The route exists but not with this method (also for methods no route has: TRACE, PROPFIND…). */
  METHOD_NOT_ALLOWED: 405,
  /** The database cannot be reached or does not answer in time; try again shortly. */
  DATABASE_UNAVAILABLE: 503,
  /** The server is shutting down; try again shortly. */
  SHUTTING_DOWN: 503,
  /** A WeChat push whose signature (or msg_signature, or appid) does not verify. */
  PUSH_SIGNATURE_INVALID: 401,
  /** A WeChat push that verified but cannot be read (bad ciphertext, DOCTYPE, missing fields). */
  PUSH_REJECTED: 400,
  /** Something unexpected failed; the message is generic and the details are in the server log. */
  INTERNAL: 500,
  /** The wx.login code is invalid, expired or already used: call wx.login again and retry. */
  LOGIN_CODE_INVALID: 401,
  /** WeChat blocked this user's login (high-risk account); retrying will not help. */
  LOGIN_BLOCKED: 403,
  /** No such order for this user (or at all, on the admin API). */
  ORDER_NOT_FOUND: 404,
  /** An order with this orderNo already exists with different content. */
  ORDER_ALREADY_EXISTS: 409,
  /** The order's line items do not add up to its amount, or an amount/rate/quantity is unusable. */
  ORDER_AMOUNT_INVALID: 400,
  /** The order has never had an invoice request. */
  INVOICE_REQUEST_NOT_FOUND: 404,
  /** The order already has an invoice request that is in progress or done; re-applying is only
   * possible after REJECTED, AUTH_FAILED or AUTH_EXPIRED. */
  INVOICE_ALREADY_REQUESTED: 409,
  /** The action does not apply to the request's current state (e.g. retry on an ISSUED request);
   * the request may have moved on meanwhile: reload it. */
  INVALID_STATE_TRANSITION: 409,
  /** The buyer's tax number is malformed or fails the USCC check; the message says which. */
  TAX_NUMBER_INVALID: 400,
  /** WeChat could not be reached or was busy; nothing was changed; try again shortly. */
  WECHAT_UNAVAILABLE: 503,
  /** WeChat refused the call (a configuration or business error); the message carries its errcode. */
  WECHAT_REJECTED: 502,
  /** The WeChat account named (or the one the request was made through) is not configured on this
   * server, or cannot serve this channel; nothing was sent to WeChat. */
  ACCOUNT_NOT_CONFIGURED: 409,
  /** WeChat refused the authorization link twice, the second time with a freshly fetched ticket:
   * invoicing cannot start right now; try again later (ops are told in the server log). */
  AUTH_LINK_UNAVAILABLE: 503,
  /** No reconcile run with this id (runs are kept about three months). */
  RECONCILE_RUN_NOT_FOUND: 404,
  /** The period is being reconciled already: follow that run (its id is in the message) instead. */
  RECONCILE_ALREADY_RUNNING: 409,
  /** The run is still checking requests: its report is ready when it is done. */
  RECONCILE_RUN_NOT_FINISHED: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** HTTP status for a code. */
export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code];
}

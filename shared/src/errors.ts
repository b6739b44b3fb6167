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
  /** No such route. */
  ROUTE_NOT_FOUND: 404,
  /** The route exists but not with this method. */
  METHOD_NOT_ALLOWED: 405,
  /** The database cannot be reached; try again shortly. */
  DATABASE_UNAVAILABLE: 503,
  /** The server is shutting down; try again shortly. */
  SHUTTING_DOWN: 503,
  /** Something unexpected failed; the message is generic and the details are in the server log. */
  INTERNAL: 500,
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

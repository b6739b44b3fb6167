import { isErrorCode, type ErrorCode } from '../../shared/src/errors';
import { EXIT, type ExitCode } from './exit-codes';

/** A failure the CLI reports as one message (plus an optional hint) and an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line is wrong; nothing was sent. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.USAGE, hint);
    this.name = 'UsageError';
  }
}

/** The server could not be reached, did not answer in time, or did not answer like a Fapiao server. */
export class UnreachableError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.UNREACHABLE, hint);
    this.name = 'UnreachableError';
  }
}

/** The server answered with `{error: {code, message}}`. */
export class ApiError extends CliError {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    readonly serverMessage: string,
  ) {
    super(`${code}: ${serverMessage}`, exitCodeOf(code), hintFor(code, serverMessage));
    this.name = 'ApiError';
  }

  /** WeChat's errcode, for WECHAT_REJECTED ("WeChat refused (72063): …"). */
  get errcode(): number | undefined {
    const match = /\((\d{5,6})\)/.exec(this.serverMessage);
    return this.code === 'WECHAT_REJECTED' && match?.[1] ? Number(match[1]) : undefined;
  }

  /** True for failures worth retrying as is (the server or WeChat is busy, not wrong). */
  get transient(): boolean {
    return this.code === 'DATABASE_UNAVAILABLE' || this.code === 'SHUTTING_DOWN';
  }
}

export function exitCodeOf(code: ErrorCode): ExitCode {
  switch (code) {
    case 'UNAUTHENTICATED':
    case 'FORBIDDEN':
      return EXIT.AUTH;
    case 'VALIDATION_FAILED':
    case 'MALFORMED_BODY':
    case 'BODY_TOO_LARGE':
    case 'ORDER_AMOUNT_INVALID':
    case 'TAX_NUMBER_INVALID':
      return EXIT.VALIDATION;
    case 'WECHAT_REJECTED':
    case 'WECHAT_UNAVAILABLE':
      return EXIT.WECHAT;
    case 'INVOICE_REQUEST_NOT_FOUND':
    case 'ORDER_NOT_FOUND':
      return EXIT.NOT_FOUND;
    case 'INVALID_STATE_TRANSITION':
    case 'INVOICE_ALREADY_REQUESTED':
    case 'ORDER_ALREADY_EXISTS':
      return EXIT.CONFLICT;
    case 'DATABASE_UNAVAILABLE':
    case 'SHUTTING_DOWN':
    case 'ROUTE_NOT_FOUND':
    case 'METHOD_NOT_ALLOWED':
      return EXIT.UNREACHABLE;
    default:
      return EXIT.UNEXPECTED;
  }
}

/** What WeChat wants done first, by the errcodes merchants meet while setting up. */
const WECHAT_HINTS: Record<number, string> = {
  72063: 'WeChat hands out no authorization URL until the merchant contact is set: ops settings contact --phone <phone> --timeout <duration>',
  72029: 'Type 1 requests (title on WeChat’s page) need the auth fields first: ops settings auth-fields <file.yaml>',
  72028: 'Invoicing after WeChat Pay needs the pay merchant linked first: ops settings pay-mch --mchid <mchid> --s-pappid <s_pappid>',
  73110: 'The first 6 characters of every fpqqlsh must be the merchant code from the invoicing platform: check the server’s FPQQLSH_PREFIX',
  72015: 'This appid has no invoicing platform permission yet: for a merchant that is its own platform, run ops platform seturl first',
  48001: 'This appid lacks the permission for this WeChat API (verification and invoice permission are needed)',
};

function hintFor(code: ErrorCode, message: string): string | undefined {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 'Check FAPIAO_ADMIN_KEY (or --admin-key-file): it must be one of the server’s ADMIN_API_KEYS';
    case 'ROUTE_NOT_FOUND':
    case 'METHOD_NOT_ALLOWED':
      return 'Is --server (FAPIAO_SERVER) a Fapiao server of this version? It has no such admin route';
    case 'DATABASE_UNAVAILABLE':
    case 'SHUTTING_DOWN':
    case 'WECHAT_UNAVAILABLE':
      return 'Nothing was changed; try again shortly';
    case 'INVALID_STATE_TRANSITION':
      return 'See where the request is now: ops invoices show <id>';
    case 'WECHAT_REJECTED': {
      const errcode = Number(/\((\d{5,6})\)/.exec(message)?.[1]);
      return WECHAT_HINTS[errcode];
    }
    default:
      return undefined;
  }
}

/** Parses a server error body, or undefined when it is not `{error: {code, message}}`. */
export function parseErrorBody(status: number, body: unknown): ApiError | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (!isErrorCode(code)) return undefined;
  return new ApiError(status, code, typeof message === 'string' ? message : code);
}

/** The fields a VALIDATION_FAILED message names ("Invalid body: a.b: …; c: …" → ["a.b", "c"]). */
export function validationProblems(message: string): { field: string; problem: string }[] {
  const rest = message.replace(/^Invalid (body|query|path): /, '');
  return rest
    .split('; ')
    .map((part) => {
      const colon = part.indexOf(': ');
      return colon < 0 ? { field: '', problem: part } : { field: part.slice(0, colon), problem: part.slice(colon + 2) };
    })
    .filter((p) => p.problem !== '');
}

/** Removes every occurrence of the secrets from text that is about to be printed. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

/**
 * Runs an API call whose body fields come from flags: a VALIDATION_FAILED answer then also says
 * which flag each refused field came from ("timeOut is --timeout").
 */
export async function namingFlags<T>(flags: Record<string, string>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ApiError) || err.code !== 'VALIDATION_FAILED') throw err;
    const named = [...new Set(validationProblems(err.serverMessage).map((p) => p.field.split('.')[0] ?? ''))]
      .filter((field) => flags[field] !== undefined)
      .map((field) => `${field} is ${flags[field]}`);
    if (!named.length) throw err;
    throw new CliError(err.message, err.exitCode, named.join('; '));
  }
}

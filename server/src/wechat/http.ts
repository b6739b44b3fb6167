import { WeChatTransportError, redactSecrets } from './errors';

/** The part of the global fetch the client uses; tests and the composition root may pass their own. */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface JsonExchange {
  /** For messages: the endpoint path without the leading slash, e.g. `cgi-bin/token`. */
  endpoint: string;
  method: 'GET' | 'POST';
  /** The full URL, query included (it may carry an access_token: it never leaves this function). */
  url: string;
  /** JSON-serialised as the body of a POST. */
  body?: unknown;
  timeoutMs: number;
  fetch: FetchFn;
}

export type JsonObject = Record<string, unknown>;

/**
 * One HTTP exchange with WeChat: sends JSON, waits at most `timeoutMs` for the complete answer
 * (headers and body), and returns the parsed JSON object. Throws WeChatTransportError for a
 * timeout, a network failure, a non-2xx status or a body that is not a JSON object. It does not
 * look at errcode: see `errcodeOf`.
 */
export async function exchangeJson(x: JsonExchange): Promise<JsonObject> {
  // Serialised before anything is sent: a body that cannot be serialised is a bug, not a transport failure.
  const body = x.body === undefined ? undefined : JSON.stringify(x.body);
  const signal = AbortSignal.timeout(x.timeoutMs);
  let status: number;
  let text: string;
  try {
    const response = await x.fetch(x.url, {
      method: x.method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json; charset=utf-8' },
      body: body ?? null,
      signal,
    });
    status = response.status;
    text = await response.text();
  } catch (err) {
    if (signal.aborted) {
      throw new WeChatTransportError({ endpoint: x.endpoint, failure: 'timeout', detail: `no answer within ${x.timeoutMs} ms` });
    }
    throw new WeChatTransportError({ endpoint: x.endpoint, failure: 'network', detail: describe(err), cause: sanitized(err) });
  }
  if (status < 200 || status > 299) {
    throw new WeChatTransportError({ endpoint: x.endpoint, failure: 'http_status', status, detail: `HTTP ${status}` });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WeChatTransportError({ endpoint: x.endpoint, failure: 'invalid_json', detail: `body is not JSON (${text.length} bytes)` });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new WeChatTransportError({ endpoint: x.endpoint, failure: 'invalid_json', detail: 'body is not a JSON object' });
  }
  return parsed as JsonObject;
}

/**
 * The errcode of a WeChat answer: absent means success (the token endpoints send none), and the
 * documents type it as a number or, for seturl, a string. Returns NaN for anything else.
 */
export function errcodeOf(body: JsonObject): number {
  const raw = body.errcode;
  if (raw === undefined || raw === null) return 0;
  if (typeof raw === 'number') return Number.isInteger(raw) ? raw : Number.NaN;
  if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim())) return Number(raw.trim());
  return Number.NaN;
}

export function errmsgOf(body: JsonObject): string {
  return typeof body.errmsg === 'string' ? body.errmsg : '';
}

/** Joins the base URL (which may carry a path prefix, e.g. a sandbox mount) and an API path. */
export function joinUrl(baseUrl: string, path: string, query: Record<string, string>): string {
  const search = new URLSearchParams(query).toString();
  return `${baseUrl.replace(/\/+$/, '')}${path}${search ? `?${search}` : ''}`;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  const parts = [err instanceof Error ? err.message : String(err)];
  if (cause && typeof cause.code === 'string') parts.push(cause.code);
  else if (cause && typeof cause.message === 'string') parts.push(cause.message);
  return redactSecrets(parts.join(': '));
}

/** A copy of the failure that cannot carry the URL (undici errors normally do not, but be sure). */
function sanitized(err: unknown): Error {
  const copy = new Error(describe(err));
  copy.name = err instanceof Error ? err.name : 'Error';
  return copy;
}

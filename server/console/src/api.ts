/**
 * The console's only way to the server: the admin API under /api/admin, with the staff session
 * cookie (sent by the browser, never readable here) and the session's CSRF token on every change.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

let csrfToken = '';
let onUnauthenticated: () => void = () => {};

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const res = await fetch(`/api/admin${path}`, { method, headers, credentials: 'same-origin', body: body === undefined ? null : JSON.stringify(body) });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : {};
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string } }).error;
    const retry = Number(res.headers.get('retry-after')) || undefined;
    const err = new ApiError(res.status, error?.code ?? 'HTTP_' + res.status, error?.message ?? res.statusText, retry);
    if (res.status === 401 && path !== '/session') onUnauthenticated();
    throw err;
  }
  return json as T;
}

/** A query string from the set values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** What to tell a person about a failed call, in Chinese, with the server's words after. */
export function describeError(err: unknown): string {
  if (!(err instanceof ApiError)) return `网络错误：${String(err)}`;
  const prefix: Record<string, string> = {
    UNAUTHENTICATED: '未登录或用户名、密码错误',
    FORBIDDEN: '当前账号无权执行此操作',
    CSRF_FAILED: '安全校验失败，请刷新页面后重试',
    RATE_LIMITED: `尝试次数过多，请${err.retryAfter ? ` ${err.retryAfter} 秒` : '稍'}后再试`,
    VALIDATION_FAILED: '输入有误',
    INVALID_STATE_TRANSITION: '当前状态不允许此操作（可能已被他人处理），请刷新',
    INVOICE_REQUEST_NOT_FOUND: '找不到该开票申请',
    ORDER_NOT_FOUND: '找不到该订单',
    WECHAT_REJECTED: '微信拒绝了请求',
    WECHAT_UNAVAILABLE: '暂时无法连接微信，请稍后重试',
    STAFF_ALREADY_EXISTS: '该用户名已存在',
  };
  return `${prefix[err.code] ?? '操作失败'}（${err.code}）：${err.message}`;
}

import { isErrorCode, type ErrorCode } from '@fapiao/shared';

/** The server's error codes plus what can go wrong before an answer arrives. */
export type ClientErrorCode = ErrorCode | 'NETWORK_ERROR' | 'TIMEOUT' | 'HTTP_ERROR' | 'BAD_RESPONSE';

/** What a service call throws. `code` is stable; `message` is zh-CN text fit to show the buyer. */
export class ApiError extends Error {
  readonly isApiError = true;
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    /** HTTP status, 0 when no response arrived. */
    readonly status: number,
    /** The server's (English) message or wx's errMsg, for logs. */
    readonly detail = '',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** instanceof-free check (compiled ES5 classes extending Error are unreliable with instanceof). */
export function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && (value as { isApiError?: unknown }).isApiError === true;
}

const USER_MESSAGES: Partial<Record<ClientErrorCode, string>> = {
  NETWORK_ERROR: '网络异常，请检查网络后重试',
  TIMEOUT: '请求超时，请稍后重试',
  HTTP_ERROR: '服务暂时不可用，请稍后重试',
  BAD_RESPONSE: '服务返回了无法识别的内容，请稍后重试',
  UNAUTHENTICATED: '登录已失效，请重新进入小程序',
  LOGIN_CODE_INVALID: '登录失败，请重新进入小程序',
  LOGIN_BLOCKED: '微信拒绝了本次登录，请稍后再试',
  ORDER_NOT_FOUND: '未找到该订单',
  INVOICE_REQUEST_NOT_FOUND: '该订单尚未申请开票',
  INVOICE_ALREADY_REQUESTED: '该订单已申请开票，请勿重复申请',
  INVALID_STATE_TRANSITION: '发票状态已变化，请刷新后重试',
  TAX_NUMBER_INVALID: '税号有误，请核对',
  VALIDATION_FAILED: '提交的信息有误，请核对',
  WECHAT_UNAVAILABLE: '微信服务繁忙，请稍后重试',
  WECHAT_REJECTED: '微信未能受理本次请求，请稍后重试',
  DATABASE_UNAVAILABLE: '服务繁忙，请稍后重试',
  SHUTTING_DOWN: '服务正在维护，请稍后重试',
  INTERNAL: '服务出错了，请稍后重试',
};

/** zh-CN text for a code; the server's own message is English and only goes to the logs. */
export function userMessage(code: ClientErrorCode): string {
  return USER_MESSAGES[code] ?? '操作失败，请稍后重试';
}

/** The error for a non-2xx response: `{error:{code}}` mapped to the shared codes. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  const error = typeof body === 'object' && body !== null ? (body as { error?: { code?: unknown; message?: unknown } }).error : undefined;
  const detail = typeof error?.message === 'string' ? error.message : '';
  if (error && isErrorCode(error.code)) {
    const code = error.code;
    // A tax-number rejection carries the validator's zh-CN explanation; show that one.
    const message = code === 'TAX_NUMBER_INVALID' && /[\u4e00-\u9fff]/.test(detail) ? detail : userMessage(code);
    return new ApiError(code, message, status, detail);
  }
  return new ApiError('HTTP_ERROR', userMessage('HTTP_ERROR'), status, `HTTP ${status}`);
}

/** Any thrown value as text for the buyer. */
export function errorText(err: unknown): string {
  if (isApiError(err)) return err.message;
  return userMessage('INTERNAL');
}

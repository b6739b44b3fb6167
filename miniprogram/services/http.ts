/**
 * The one place that calls wx.request: a Promise around its callback form (which also works on
 * old base libraries and under miniprogram-simulate), JSON in and out, timeouts, and failures
 * turned into ApiError. Authentication lives in request.ts; pages use api.ts.
 */
import { REQUEST_TIMEOUT_MS } from '../config';
import { ApiError, userMessage } from './errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpResponse {
  statusCode: number;
  data: unknown;
}

let baseUrl = '';

/** Set once by app.ts from config.ts. */
export function configureApiBase(url: string): void {
  baseUrl = url.replace(/\/+$/, '');
}

/**
 * Sends one request to `${apiBase}${path}`. Resolves for every HTTP status (wx.request calls
 * `success` for 4xx/5xx too); rejects with NETWORK_ERROR or TIMEOUT when no answer arrived.
 */
export function sendRequest(method: HttpMethod, path: string, opts: { data?: object | undefined; token?: string; timeout?: number } = {}): Promise<HttpResponse> {
  if (!baseUrl) return Promise.reject(new ApiError('NETWORK_ERROR', userMessage('NETWORK_ERROR'), 0, 'API base URL not configured'));
  const header: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) header.authorization = `Bearer ${opts.token}`;
  return new Promise<HttpResponse>((resolve, reject) => {
    wx.request({
      url: `${baseUrl}${path}`,
      method,
      header,
      ...(opts.data === undefined ? {} : { data: opts.data }),
      dataType: 'json',
      responseType: 'text',
      timeout: opts.timeout ?? REQUEST_TIMEOUT_MS,
      success: (res) => {
        let data: unknown = res.data;
        // dataType json parses for us; a body that was not JSON stays a string.
        if (typeof data === 'string' && data.length > 0) {
          try {
            data = JSON.parse(data) as unknown;
          } catch {
            // keep the text: the status decides what it means
          }
        }
        resolve({ statusCode: res.statusCode, data });
      },
      fail: (err) => {
        const errMsg = err && typeof err.errMsg === 'string' ? err.errMsg : 'request:fail';
        const code = /time\s*out/i.test(errMsg) ? 'TIMEOUT' : 'NETWORK_ERROR';
        reject(new ApiError(code, userMessage(code), 0, errMsg));
      },
    });
  });
}

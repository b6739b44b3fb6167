import { ERROR_CODES, httpStatusOf, isErrorCode, type ErrorCode } from './errors';

describe('API error codes', () => {
  it('map to HTTP error statuses', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      expect([code, httpStatusOf(code) >= 400 && httpStatusOf(code) <= 599]).toEqual([code, true]);
    }
  });

  it.each([
    ['ORDER_NOT_FOUND', 404],
    ['INVOICE_REQUEST_NOT_FOUND', 404],
    ['INVOICE_ALREADY_REQUESTED', 409],
    ['INVALID_STATE_TRANSITION', 409],
    ['TAX_NUMBER_INVALID', 400],
    ['LOGIN_CODE_INVALID', 401],
    ['WECHAT_UNAVAILABLE', 503],
  ] as const)('%s → %i', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
  });

  it('recognises codes from a response body', () => {
    expect(isErrorCode('ORDER_NOT_FOUND')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode(404)).toBe(false);
  });
});

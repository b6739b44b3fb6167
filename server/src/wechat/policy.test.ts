import fc from 'fast-check';
import { ENDPOINTS } from './endpoints';
import { backoffDelayMs, decide, DEFAULT_RETRY, quotaRetryAfterMs } from './policy';

describe('decide: errcode x endpoint -> action', () => {
  const ticketCodes = [40097];

  it.each([
    // token errors refresh only where an access_token was sent
    [40001, 'getAuthData', 'refresh_token'],
    [40014, 'makeOutInvoice', 'refresh_token'],
    [42001, 'getTicket', 'refresh_token'],
    [40001, 'stableToken', 'fail'],
    [40001, 'token', 'fail'],
    [40001, 'jscode2session', 'fail'],
    // transient: retried, except where the outcome would be unknown
    [-1, 'getAuthData', 'retry'],
    [72036, 'rejectInsert', 'retry'],
    [-1, 'jscode2session', 'retry'],
    [-1, 'makeOutInvoice', 'outcome_unknown'],
    [72036, 'clearOutInvoice', 'outcome_unknown'],
    // processing / platform errors
    [73105, 'makeOutInvoice', 'outcome_unknown'],
    [73107, 'clearOutInvoice', 'outcome_unknown'],
    [73100, 'makeOutInvoice', 'outcome_unknown'],
    [73102, 'makeOutInvoice', 'outcome_unknown'],
    [73107, 'queryInvoiceInfo', 'fail'],
    // quota everywhere
    [45009, 'stableToken', 'quota'],
    [45011, 'jscode2session', 'quota'],
    [45011, 'makeOutInvoice', 'quota'],
    // login codes only on jscode2session
    [40029, 'jscode2session', 'login'],
    [40163, 'jscode2session', 'login'],
    [40226, 'jscode2session', 'login'],
    [40029, 'getAuthData', 'fail'],
    // permanent
    [72038, 'getAuthData', 'fail'],
    [73106, 'makeOutInvoice', 'fail'],
    [40125, 'stableToken', 'fail'],
    [99999, 'setUrl', 'fail'],
  ] as const)('%i on %s -> %s', (errcode, endpoint, expected) => {
    expect(decide(errcode, ENDPOINTS[endpoint])).toBe(expected);
  });

  it('a ticket rejection refreshes the ticket only when the call carried one', () => {
    expect(decide(40097, ENDPOINTS.getAuthUrl, ticketCodes)).toBe('refresh_ticket');
    expect(decide(40097, ENDPOINTS.getAuthUrl, [])).toBe('fail');
  });
});

describe('back-off', () => {
  it('is exponential with equal jitter, capped: delay in [ceiling/2, ceiling]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, baseDelayMs, extra, random) => {
          const policy = { attempts: 3, baseDelayMs, maxDelayMs: baseDelayMs + extra };
          const ceiling = Math.min(policy.maxDelayMs, baseDelayMs * 2 ** (retry - 1));
          const delay = backoffDelayMs(retry, policy, () => random);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(delay).toBeLessThanOrEqual(Math.ceil(ceiling));
          expect(backoffDelayMs(retry + 1, policy, () => random)).toBeGreaterThanOrEqual(delay);
        },
      ),
    );
  });

  it('defaults: 3 sends, waiting 125-250 ms then 250-500 ms', () => {
    expect(DEFAULT_RETRY).toEqual({ attempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 });
    expect([backoffDelayMs(1, DEFAULT_RETRY, () => 0), backoffDelayMs(1, DEFAULT_RETRY, () => 0.999999)]).toEqual([125, 250]);
    expect([backoffDelayMs(2, DEFAULT_RETRY, () => 0), backoffDelayMs(2, DEFAULT_RETRY, () => 0.999999)]).toEqual([250, 500]);
    expect(backoffDelayMs(10, DEFAULT_RETRY, () => 0.999999)).toBe(2_000);
  });
});

describe('quota retry-after', () => {
  const cst = (y: number, mo: number, d: number, h: number, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h - 8, mi, s);

  it('45011: one minute', () => {
    expect(quotaRetryAfterMs(45011, cst(2026, 5, 1, 12))).toBe(60_000);
  });

  it('45009: until 00:00 Beijing time, at least a minute', () => {
    expect(quotaRetryAfterMs(45009, cst(2026, 5, 1, 22, 30))).toBe(90 * 60_000);
    expect(quotaRetryAfterMs(45009, cst(2026, 5, 1, 0, 0))).toBe(24 * 3_600_000);
    expect(quotaRetryAfterMs(45009, cst(2026, 5, 1, 23, 59, 50))).toBe(60_000);
    // 08:00 UTC is 16:00 in Beijing: 8 hours left whatever the server's own time zone.
    expect(quotaRetryAfterMs(45009, Date.UTC(2026, 4, 1, 8))).toBe(8 * 3_600_000);
  });
});

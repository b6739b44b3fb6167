import { buildDashboard, chinaDay, chinaDayStart, percentile, type DashboardRecord } from './dashboard';

const now = new Date('2026-05-10T03:00:00Z'); // 11:00 in China
const at = (iso: string) => new Date(iso);
const record = (over: Partial<DashboardRecord>): DashboardRecord => ({ status: 'ISSUED', amount: 100, createdAt: at('2026-05-10T01:00:00Z'), attention: false, ...over });

describe('dashboard figures', () => {
  it('counts China days: 23:30 UTC is the next day in China', () => {
    expect(chinaDay(at('2026-05-09T23:30:00Z'))).toBe('2026-05-10');
    expect(chinaDayStart(now).toISOString()).toBe('2026-05-09T16:00:00.000Z');
    expect(chinaDayStart(now, 29).toISOString()).toBe('2026-04-10T16:00:00.000Z');
  });

  it('nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('today vs 30 days: states, issued amount in fen, failures by reason, wait percentiles, attention, per-day rows', () => {
    const records = [
      record({ amount: 14300, authorizedAt: at('2026-05-10T01:00:00Z'), issuedAt: at('2026-05-10T01:00:04Z') }),
      record({ status: 'OFFSET', amount: 700, createdAt: at('2026-05-01T02:00:00Z'), authorizedAt: at('2026-05-01T02:00:00Z'), issuedAt: at('2026-05-01T02:00:10Z') }),
      record({ status: 'ISSUE_FAILED', amount: 500, lastError: { code: 'WECHAT_REJECTED', message: '72035' }, attention: true }),
      record({ status: 'ISSUE_FAILED', amount: 500, createdAt: at('2026-04-20T02:00:00Z'), lastError: { code: 'WECHAT_REJECTED', message: '72035' }, attention: true }),
      record({ status: 'AUTH_FAILED', amount: 100, createdAt: at('2026-04-20T03:00:00Z') }),
      record({ status: 'ISSUED', amount: 99999, createdAt: at('2026-03-01T00:00:00Z') }), // before the period
    ];
    const d = buildDashboard(records, now);
    expect(d.today).toMatchObject({ requests: 2, issuedAmount: 14300, issuedCount: 1, attention: 1, authToIssued: { count: 1, p50: 4, p90: 4 } });
    expect(d.today.byStatus).toMatchObject({ ISSUED: 1, ISSUE_FAILED: 1, OFFSET: 0 });
    expect(d.last30Days).toMatchObject({ requests: 5, issuedAmount: 15000, issuedCount: 2, attention: 2, authToIssued: { count: 2, p50: 4, p90: 10 } });
    expect(d.last30Days.failures).toEqual([
      { reason: 'WECHAT_REJECTED: 72035', count: 2 },
      { reason: '买家拒绝授权', count: 1 },
    ]);
    expect(d.days).toHaveLength(30);
    expect(d.days[29]).toEqual({ day: '2026-05-10', requests: 2, issued: 1, issuedAmount: 14300, failed: 1 });
    expect(d.days.find((x) => x.day === '2026-04-20')).toEqual({ day: '2026-04-20', requests: 2, issued: 0, issuedAmount: 0, failed: 2 });
    expect(d.days.reduce((n, x) => n + x.requests, 0)).toBe(5);
  });
});

/**
 * The console's dashboard figures from a period's invoice requests: pure, so the numbers under
 * each chart are the ones tested here. Days are China days (UTC+8), as the merchant counts them.
 */
import type { InvoiceState } from './invoice-state';
import { INVOICE_STATES } from './invoice-state';

export interface DashboardRecord {
  status: InvoiceState;
  amount: number;
  createdAt: Date;
  authorizedAt?: Date;
  /** When the request reached ISSUED (from its history), if it did. */
  issuedAt?: Date;
  lastError?: { code: string; message: string };
  /** Needs a human (issue-failed, or flagged). */
  attention: boolean;
}

export interface PeriodSummary {
  requests: number;
  byStatus: Record<InvoiceState, number>;
  /** Fen, of the requests whose blue invoice was issued (ISSUED, OFFSETTING, OFFSET, OFFSET_FAILED). */
  issuedAmount: number;
  issuedCount: number;
  /** ISSUE_FAILED, AUTH_FAILED and OFFSET_FAILED, by reason (the last error, or the state). */
  failures: { reason: string; count: number }[];
  /** Seconds from authorization to ISSUED. */
  authToIssued: { count: number; p50?: number | undefined; p90?: number | undefined };
  attention: number;
}

export interface DashboardDay {
  /** yyyy-mm-dd, China time. */
  day: string;
  requests: number;
  issued: number;
  issuedAmount: number;
  failed: number;
}

export interface Dashboard {
  today: PeriodSummary;
  last30Days: PeriodSummary;
  days: DashboardDay[];
}

const CHINA_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;
// A blue invoice was issued (an offset that failed leaves it standing).
const FAILED_STATES: readonly InvoiceState[] = ['ISSUE_FAILED', 'AUTH_FAILED', 'OFFSET_FAILED'];
const ISSUED_STATES: readonly InvoiceState[] = ['ISSUED', 'OFFSETTING', 'OFFSET', 'OFFSET_FAILED'];

/** yyyy-mm-dd of an instant in China time. */
export function chinaDay(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant China's day of `now` began, and the one `days - 1` days before it. */
export function chinaDayStart(now: Date, daysBack = 0): Date {
  const local = now.getTime() + CHINA_OFFSET_MS;
  return new Date(local - (local % DAY_MS) - CHINA_OFFSET_MS - daysBack * DAY_MS);
}

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!sorted.length) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

export function summarizePeriod(records: readonly DashboardRecord[]): PeriodSummary {
  const byStatus = Object.fromEntries(INVOICE_STATES.map((s) => [s, 0])) as Record<InvoiceState, number>;
  const reasons = new Map<string, number>();
  const waits: number[] = [];
  let issuedAmount = 0;
  let issuedCount = 0;
  let attention = 0;
  for (const r of records) {
    byStatus[r.status] += 1;
    if (ISSUED_STATES.includes(r.status)) {
      issuedAmount += r.amount;
      issuedCount += 1;
    }
    if (FAILED_STATES.includes(r.status)) {
      const reason = r.lastError ? `${r.lastError.code}: ${r.lastError.message}` : { AUTH_FAILED: '买家拒绝授权', OFFSET_FAILED: '红冲失败' }[r.status as string] ?? '开票失败';
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    if (r.authorizedAt && r.issuedAt) waits.push(Math.max(0, (r.issuedAt.getTime() - r.authorizedAt.getTime()) / 1000));
    if (r.attention) attention += 1;
  }
  waits.sort((a, b) => a - b);
  return {
    requests: records.length,
    byStatus,
    issuedAmount,
    issuedCount,
    failures: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
    authToIssued: { count: waits.length, ...(waits.length ? { p50: percentile(waits, 50), p90: percentile(waits, 90) } : {}) },
    attention,
  };
}

/** Today and the last 30 days (today included), with one row per day for the charts. */
export function buildDashboard(records: readonly DashboardRecord[], now: Date): Dashboard {
  const todayStart = chinaDayStart(now);
  const periodStart = chinaDayStart(now, 29);
  const inPeriod = records.filter((r) => r.createdAt >= periodStart && r.createdAt <= now);
  const days = new Map<string, DashboardDay>();
  for (let i = 29; i >= 0; i--) {
    const day = chinaDay(chinaDayStart(now, i));
    days.set(day, { day, requests: 0, issued: 0, issuedAmount: 0, failed: 0 });
  }
  for (const r of inPeriod) {
    const row = days.get(chinaDay(r.createdAt));
    if (!row) continue;
    row.requests += 1;
    if (ISSUED_STATES.includes(r.status)) {
      row.issued += 1;
      row.issuedAmount += r.amount;
    }
    if (FAILED_STATES.includes(r.status)) row.failed += 1;
  }
  return {
    today: summarizePeriod(inPeriod.filter((r) => r.createdAt >= todayStart)),
    last30Days: summarizePeriod(inPeriod),
    days: [...days.values()],
  };
}

import { buildDashboard, chinaDayStart, type Dashboard, type DashboardRecord } from '@fapiao/shared';
import type { InvoiceRequestRepository } from '../data/invoice-request/invoice-request.repository';
import type { InvoiceRequestDoc } from '../data/invoice-request/invoice-request.schema';

export interface DashboardDeps {
  requests: InvoiceRequestRepository;
  now(): Date;
}

/** More requests than this in 30 days and the dashboard reads only the newest (it says so). */
const MAX_READ = 100_000;

/**
 * Needs a human: flagged (the worker gave up, or hit what retrying cannot heal), or an issue
 * that failed and waits for ops to retry or reject it.
 */
function needsAttention(request: InvoiceRequestDoc): boolean {
  return request.needsAttention === true || request.status === 'ISSUE_FAILED';
}

function toRecord(request: InvoiceRequestDoc): DashboardRecord {
  const issued = request.history.find((h) => h.to === 'ISSUED');
  return {
    status: request.status,
    amount: request.amount,
    createdAt: request.createdAt,
    ...(request.authorizedAt ? { authorizedAt: request.authorizedAt } : {}),
    ...(issued ? { issuedAt: issued.at } : {}),
    ...(request.lastError ? { lastError: request.lastError } : {}),
    attention: needsAttention(request),
  };
}

/** Today and the last 30 days of invoice requests, as the console's dashboard shows them. */
export async function dashboard(deps: DashboardDeps): Promise<Dashboard & { generatedAt: string; truncated: boolean }> {
  const now = deps.now();
  const found = await deps.requests.list({ createdFrom: chinaDayStart(now, 29) }, MAX_READ + 1);
  const truncated = found.length > MAX_READ;
  return { ...buildDashboard(found.slice(0, MAX_READ).map(toRecord), now), generatedAt: now.toISOString(), truncated };
}

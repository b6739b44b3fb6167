import type { InvoiceState } from '@fapiao/shared';
import type { LifecycleDeps } from './deps';

/** The states a merchant back end is told about: issued, and every way a request ends or needs ops. */
const CALLBACK_STATES: readonly InvoiceState[] = ['ISSUED', 'AUTH_FAILED', 'AUTH_EXPIRED', 'REJECTED', 'ISSUE_FAILED', 'OFFSET'];
const MAX_FAILURES = 10;
const TIMEOUT_MS = 5_000;

/**
 * Tells merchant back ends (channel API callbackUrl) where their requests went: POST
 * `{requestId, orderNo, status}`. It carries no invoice data and is a hint only: the back end
 * confirms with GET /api/channel/invoices/:requestId. Run by every worker's housekeeping; a
 * failure is tried again at the next round, up to MAX_FAILURES times per state.
 */
export async function sendCallbacks(deps: LifecycleDeps, limit = 20): Promise<void> {
  const due = await deps.requests.callbacksDue(CALLBACK_STATES, MAX_FAILURES, limit);
  await Promise.all(
    due.map(async (request) => {
      const url = request.callback?.url;
      if (!url) return;
      const status = request.status;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ requestId: request._id, orderNo: request.orderNo, status }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        await deps.requests.recordCallback(request._id, status, { ok: true });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        deps.log.warn({ requestId: request._id, status, error }, 'channel callback failed; will try again');
        await deps.requests.recordCallback(request._id, status, { ok: false, error: error.slice(0, 200) });
      }
    }),
  );
}

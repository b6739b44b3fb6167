import { INVOICE_STATES, type InvoiceState } from '../../shared/src/invoice-state';
import type { AdminInvoice } from '../../shared/src/contract';
import type { AdminClient } from './client';
import { UsageError } from './errors';

/** The most the admin API returns in one page. */
export const SERVER_PAGE = 500;

export function parseStatuses(text: string): InvoiceState[] {
  const wanted = text.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unknown = wanted.filter((s) => !(INVOICE_STATES as readonly string[]).includes(s));
  if (unknown.length || !wanted.length) throw new UsageError(`--status: unknown state ${unknown.join(', ') || '(none)'}`, `States: ${INVOICE_STATES.join(', ')}`);
  return [...new Set(wanted)] as InvoiceState[];
}

export interface InvoiceFilter {
  statuses?: InvoiceState[] | undefined;
  /** Only the requests flagged as needing attention. */
  attention?: boolean | undefined;
  orderNo?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** Newest first, as the server orders them: creation time, then id. */
function newestFirst(a: AdminInvoice, b: AdminInvoice): number {
  return b.createdAt.localeCompare(a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

/**
 * Requests matching the filter, newest first: at most `limit`, or every one when it is
 * undefined. The server filters (dates: `since` inclusive, `until` exclusive) and pages; this
 * follows its cursors, `pageSize` requests a call, one state at a time, and merges the states.
 * `more` says that further matching requests exist beyond `limit`.
 */
export async function fetchInvoices(
  client: AdminClient,
  filter: InvoiceFilter,
  opts: { limit?: number | undefined; pageSize?: number } = {},
): Promise<{ invoices: AdminInvoice[]; more: boolean }> {
  const { limit } = opts;
  const pageSize = opts.pageSize ?? SERVER_PAGE;
  // By id: a request that changes state between two states' queries is listed once.
  const found = new Map<string, AdminInvoice>();
  let more = false;
  for (const status of filter.statuses ?? [undefined]) {
    let got = 0;
    let cursor: string | undefined;
    do {
      const page = await client.listInvoices({
        ...(status ? { status } : {}),
        ...(filter.attention ? { attention: true } : {}),
        ...(filter.orderNo ? { orderNo: filter.orderNo } : {}),
        ...(filter.since ? { createdAfter: filter.since } : {}),
        ...(filter.until ? { createdBefore: filter.until } : {}),
        limit: limit === undefined ? pageSize : Math.min(pageSize, limit - got),
        ...(cursor ? { cursor } : {}),
      });
      for (const request of page.invoices) found.set(request.id, request);
      got += page.invoices.length;
      cursor = page.nextCursor;
      // This state's newest `limit` are enough: the merged newest `limit` are among them.
      if (cursor && limit !== undefined && got >= limit) {
        more = true;
        break;
      }
    } while (cursor);
  }
  const invoices = [...found.values()].sort(newestFirst);
  if (limit === undefined || invoices.length <= limit) return { invoices, more };
  return { invoices: invoices.slice(0, limit), more: true };
}

/** --page-size: requests asked for per call to the server. */
export function parsePageSize(text: string): number {
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1 || size > SERVER_PAGE) throw new UsageError(`--page-size: "${text}" is not a whole number from 1 to ${SERVER_PAGE}`);
  return size;
}

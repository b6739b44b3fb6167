import { INVOICE_STATES, type InvoiceState } from '../../shared/src/invoice-state';
import type { AdminInvoice } from './api-types';
import type { AdminClient } from './client';
import { UsageError } from './errors';

/** The admin API returns at most this many per query (newest first). */
export const SERVER_PAGE = 500;

export function parseStatuses(text: string): InvoiceState[] {
  const wanted = text.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  const unknown = wanted.filter((s) => !(INVOICE_STATES as readonly string[]).includes(s));
  if (unknown.length || !wanted.length) throw new UsageError(`--status: unknown state ${unknown.join(', ') || '(none)'}`, `States: ${INVOICE_STATES.join(', ')}`);
  return [...new Set(wanted)] as InvoiceState[];
}

export interface InvoiceFilter {
  statuses?: InvoiceState[];
  orderNo?: string;
  since?: Date;
  until?: Date;
}

/**
 * Requests matching the filter, newest first, at most `limit`. The server filters by state and
 * order and returns at most 500, newest first; dates are filtered here. `incomplete` says when
 * older matching requests may exist beyond what the server returned.
 */
export async function fetchInvoices(client: AdminClient, filter: InvoiceFilter, limit: number): Promise<{ invoices: AdminInvoice[]; incomplete?: string }> {
  const dated = filter.since !== undefined || filter.until !== undefined;
  const serverLimit = dated ? SERVER_PAGE : Math.min(limit, SERVER_PAGE);
  const found = new Map<string, AdminInvoice>();
  const cut: string[] = [];
  for (const status of filter.statuses ?? [undefined]) {
    const page = await client.listInvoices({ ...(status ? { status } : {}), ...(filter.orderNo ? { orderNo: filter.orderNo } : {}), limit: serverLimit });
    for (const request of page) found.set(request.id, request);
    const oldest = page[page.length - 1];
    if (dated && page.length === serverLimit && oldest && (!filter.since || new Date(oldest.createdAt) >= filter.since)) cut.push(status ?? 'any state');
  }
  const invoices = [...found.values()]
    .filter((r) => (!filter.since || new Date(r.createdAt) >= filter.since) && (!filter.until || new Date(r.createdAt) < filter.until))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, limit);
  if (!cut.length) return { invoices };
  return {
    invoices,
    incomplete: `the server returns at most the newest ${SERVER_PAGE} requests per state, and more than that match (${cut.join(', ')}): older ones in the date range are missing; narrow the range or the states`,
  };
}


import { formatFen, invoiceStateText } from '@fapiao/shared';
import type { InvoiceFilters } from '@fapiao/shared/contract';
import type { InvoiceRequestRepository } from '../../data/invoice-request/invoice-request.repository';
import type { InvoiceRequestDoc } from '../../data/invoice-request/invoice-request.schema';
import { AppError } from '../../errors';
import { listFilterOf } from './invoice-view';

export interface InvoiceFileDeps {
  requests: InvoiceRequestRepository;
  /** Fetches a PDF from WeChat's (or the sandbox's) pdf_url. */
  fetchPdf(url: string): Promise<Buffer>;
}

/** At most this many rows in one export: narrow the filters for more. */
const MAX_EXPORT = 50_000;
const PAGE = 1_000;

const COLUMNS: [string, (r: InvoiceRequestDoc) => string][] = [
  ['申请编号', (r) => r._id],
  ['订单号', (r) => r.orderNo],
  ['状态', (r) => invoiceStateText(r.status)],
  ['状态代码', (r) => r.status],
  ['金额（元）', (r) => formatFen(r.amount)],
  ['抬头', (r) => r.title?.name ?? ''],
  ['税号', (r) => r.title?.taxNumber ?? ''],
  ['发票代码', (r) => r.invoice?.fpdm ?? ''],
  ['发票号码', (r) => r.invoice?.fphm ?? ''],
  ['开票日期', (r) => r.invoice?.kprq ?? ''],
  ['申请时间', (r) => r.createdAt.toISOString()],
  ['驳回原因', (r) => r.rejectReason ?? ''],
  ['需处理', (r) => (r.needsAttention ? `是：${r.attention?.reason ?? ''}` : '')],
  ['最近错误', (r) => (r.lastError ? `${r.lastError.code}: ${r.lastError.message}` : '')],
];

/** RFC 4180 quoting; a leading =+-@ is defused so a spreadsheet never runs a cell as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The invoice list with the list's filters as CSV (UTF-8 with BOM, so Excel opens it as is), newest first. */
export async function exportInvoicesCsv(deps: Pick<InvoiceFileDeps, 'requests'>, filters: InvoiceFilters): Promise<string> {
  const filter = listFilterOf(filters);
  const rows: string[] = [COLUMNS.map(([name]) => csvCell(name)).join(',')];
  let after: { createdAt: Date; id: string } | undefined;
  let count = 0;
  for (;;) {
    const page = await deps.requests.list({ ...filter, after }, PAGE);
    for (const r of page) rows.push(COLUMNS.map(([, get]) => csvCell(get(r))).join(','));
    count += page.length;
    const last = page[page.length - 1];
    if (page.length < PAGE || !last || count >= MAX_EXPORT) break;
    after = { createdAt: last.createdAt, id: last._id };
  }
  return `\uFEFF${rows.slice(0, MAX_EXPORT + 1).join('\r\n')}\r\n`;
}

/** The issued invoice's PDF (from WeChat's pdf_url), named for its order. */
export async function invoicePdf(deps: InvoiceFileDeps, id: string): Promise<{ pdf: Buffer; orderNo: string }> {
  const request = await deps.requests.findById(id);
  if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${id}`);
  const url = request.invoice?.pdfUrl;
  if (!url) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `${id} has no issued invoice yet`);
  return { pdf: await deps.fetchPdf(url), orderNo: request.orderNo };
}

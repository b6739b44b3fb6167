import { formatFen, invoiceStateText } from '@fapiao/shared';
import ExcelJS from 'exceljs';
import type { InvoiceFilters } from '@fapiao/shared/contract';
import type { InvoiceRequestRepository } from '../../data/invoice-request/invoice-request.repository';
import type { InvoiceRequestDoc } from '../entities/invoice-request';
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

/** A column of the export: its zh-CN header, the cell (money is integer fen, formatted per file type), its width in Excel. */
type Column = [header: string, cell: (r: InvoiceRequestDoc) => string | { fen: number }, width: number];

const COLUMNS: Column[] = [
  ['申请编号', (r) => r._id, 22],
  ['订单号', (r) => r.orderNo, 20],
  ['状态', (r) => invoiceStateText(r.status), 10],
  ['状态代码', (r) => r.status, 14],
  ['金额（元）', (r) => ({ fen: r.amount }), 12],
  ['抬头', (r) => r.title?.name ?? '', 28],
  ['税号', (r) => r.title?.taxNumber ?? '', 22],
  ['发票代码', (r) => r.invoice?.fpdm ?? '', 14],
  ['发票号码', (r) => r.invoice?.fphm ?? '', 12],
  ['开票日期', (r) => r.invoice?.kprq ?? '', 12],
  ['申请时间', (r) => r.createdAt.toISOString(), 24],
  ['驳回原因', (r) => r.rejectReason ?? '', 24],
  ['需处理', (r) => (r.needsAttention ? `是：${r.attention?.reason ?? ''}` : ''), 24],
  ['最近错误', (r) => (r.lastError ? `${r.lastError.code}: ${r.lastError.message}` : ''), 30],
];

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** RFC 4180 quoting; a leading =+-@ is defused so a spreadsheet never runs a cell as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Every request the filters match, newest first, read a page at a time, at most MAX_EXPORT. */
async function matching(deps: Pick<InvoiceFileDeps, 'requests'>, filters: InvoiceFilters): Promise<InvoiceRequestDoc[]> {
  const filter = listFilterOf(filters);
  const all: InvoiceRequestDoc[] = [];
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const page = await deps.requests.list({ ...filter, after }, PAGE);
    all.push(...page);
    const last = page[page.length - 1];
    if (page.length < PAGE || !last || all.length >= MAX_EXPORT) break;
    after = { createdAt: last.createdAt, id: last._id };
  }
  return all.slice(0, MAX_EXPORT);
}

const textOf = (cell: string | { fen: number }): string => (typeof cell === 'string' ? cell : formatFen(cell.fen));

/** The invoice list with the list's filters as CSV (UTF-8 with BOM, so Excel opens it as is), newest first. */
export async function exportInvoicesCsv(deps: Pick<InvoiceFileDeps, 'requests'>, filters: InvoiceFilters): Promise<string> {
  const requests = await matching(deps, filters);
  const rows = [COLUMNS.map(([name]) => csvCell(name)).join(','), ...requests.map((r) => COLUMNS.map(([, cell]) => csvCell(textOf(cell(r)))).join(','))];
  return `\uFEFF${rows.join('\r\n')}\r\n`;
}

/**
 * The same rows as an Excel workbook (exceljs). Money is a number of yuan shown with 2 decimals,
 * made from the fen string ("143.00"), so a sum in Excel adds what the invoices say; every other
 * cell is text (Excel never evaluates it), ids and tax numbers included.
 */
export async function exportInvoicesXlsx(deps: Pick<InvoiceFileDeps, 'requests'>, filters: InvoiceFilters): Promise<Buffer> {
  const requests = await matching(deps, filters);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Fapiao';
  const sheet = workbook.addWorksheet('开票申请', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map(([header, , width]) => ({ header, width }));
  sheet.getRow(1).font = { bold: true };
  for (const r of requests) sheet.addRow(COLUMNS.map(([, cell]) => moneyOrText(cell(r))));
  // Money columns: the same 2 decimals as the CSV, as numbers.
  const first = requests[0];
  COLUMNS.forEach(([, cell], i) => {
    if (first && typeof cell(first) !== 'string') sheet.getColumn(i + 1).numFmt = '0.00';
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function moneyOrText(cell: string | { fen: number }): string | number {
  return typeof cell === 'string' ? cell : Number(formatFen(cell.fen));
}

/** The issued invoice's PDF (from WeChat's pdf_url), named for its order. */
export async function invoicePdf(deps: InvoiceFileDeps, id: string): Promise<{ pdf: Buffer; orderNo: string }> {
  const request = await deps.requests.findById(id);
  if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${id}`);
  const url = request.invoice?.pdfUrl;
  if (!url) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `${id} has no issued invoice yet`);
  return { pdf: await deps.fetchPdf(url), orderNo: request.orderNo };
}

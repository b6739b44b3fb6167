import { formatFen, invoiceStateText } from '@fapiao/shared';
import ExcelJS from 'exceljs';
import { z } from 'zod';
import type { InvoiceRequestListFilter, InvoiceRequestRepository } from '../../data/invoice-request/invoice-request.repository';
import type { InvoiceRequestDoc } from '../../data/invoice-request/invoice-request.schema';
import { AppError } from '../../errors';
import { route, type AnyApiRoute } from '../api-route';
import { idParams, invoiceFilters, listFilterOf } from './routes';

export interface InvoiceFileDeps {
  requests: InvoiceRequestRepository;
  /** Fetches a PDF from WeChat's (or the sandbox's) pdf_url. */
  fetchPdf(url: string): Promise<Buffer>;
}

/** At most this many rows in one export: narrow the filters for more. */
const MAX_EXPORT = 50_000;
const PAGE = 1_000;

/** A column of the export: its zh-CN header, and the cell (money is integer fen, formatted per file type). */
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

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** RFC 4180 quoting; a leading =+-@ is defused so a spreadsheet never runs a cell as a formula. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Files about invoice requests: the list as CSV, an invoice's PDF. */
export function invoiceFileRoutes(deps: InvoiceFileDeps): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/invoices/export',
      summary: 'The invoice list with the same filters, as CSV (UTF-8 with BOM, so Excel opens it as is) or an Excel workbook (format=xlsx); at most 50,000 rows',
      auth: 'admin',
      produces: ['text/csv; charset=utf-8', XLSX],
      query: z
        .object({
          ...invoiceFilters,
          format: z.enum(['csv', 'xlsx']).default('csv').describe('csv (UTF-8 with BOM) or xlsx (Excel: amounts are numbers in yuan with 2 decimals)'),
        })
        .strict(),
      response: z.string().describe('one row per request, newest first, zh-CN headers'),
      handler: async ({ query, ctx }) => {
        const requests = await matching(deps.requests, listFilterOf(query));
        const stamp = new Date().toISOString().slice(0, 10);
        ctx.set('Content-Disposition', `attachment; filename="invoices-${stamp}.${query.format}"`);
        if (query.format === 'xlsx') {
          ctx.type = XLSX;
          return (await workbookOf(requests)) as unknown as string;
        }
        const rows = [COLUMNS.map(([name]) => csvCell(name)).join(','), ...requests.map((r) => COLUMNS.map(([, cell]) => csvCell(textOf(cell(r)))).join(','))];
        return `\uFEFF${rows.join('\r\n')}\r\n`;
      },
    }),
    route({
      method: 'get',
      path: '/invoices/:id/pdf',
      summary: 'The issued invoice’s PDF (fetched from WeChat’s pdf_url), for showing inline',
      auth: 'admin',
      produces: 'application/pdf',
      params: idParams,
      response: z.string().describe('the PDF'),
      handler: async ({ params, ctx }) => {
        const request = await deps.requests.findById(params.id);
        if (!request) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `No invoice request ${params.id}`);
        const url = request.invoice?.pdfUrl;
        if (!url) throw new AppError('INVOICE_REQUEST_NOT_FOUND', `${params.id} has no issued invoice yet`);
        const pdf = await deps.fetchPdf(url);
        ctx.set('Content-Disposition', `inline; filename="${request.orderNo}.pdf"`);
        return pdf as unknown as string;
      },
    }),
  ];
}

/** Every request the filter matches, newest first, read a page at a time, at most MAX_EXPORT. */
async function matching(requests: InvoiceRequestRepository, filter: InvoiceRequestListFilter): Promise<InvoiceRequestDoc[]> {
  const all: InvoiceRequestDoc[] = [];
  let after: { createdAt: Date; id: string } | undefined;
  for (;;) {
    const page = await requests.list({ ...filter, after }, PAGE);
    all.push(...page);
    const last = page[page.length - 1];
    if (page.length < PAGE || !last || all.length >= MAX_EXPORT) break;
    after = { createdAt: last.createdAt, id: last._id };
  }
  return all.slice(0, MAX_EXPORT);
}

function textOf(cell: string | { fen: number }): string {
  return typeof cell === 'string' ? cell : formatFen(cell.fen);
}

/**
 * The same rows as an Excel workbook (exceljs). Money is a number of yuan shown with 2 decimals,
 * made from the fen string ("143.00"), so a sum in Excel adds what the invoices say; text cells
 * are text (Excel never evaluates them), ids and tax numbers included.
 */
async function workbookOf(requests: InvoiceRequestDoc[]): Promise<Buffer> {
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

import { formatFen, invoiceStateText } from '@fapiao/shared';
import { z } from 'zod';
import type { InvoiceRequestRepository } from '../../data/invoice-request/invoice-request.repository';
import type { InvoiceRequestDoc } from '../../domain/entities/invoice-request';
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
      summary: 'The invoice list with the same filters, as CSV (UTF-8 with BOM, so Excel opens it as is); at most 50,000 rows',
      auth: 'admin',
      produces: 'text/csv; charset=utf-8',
      query: z.object(invoiceFilters).strict(),
      response: z.string().describe('CSV, one row per request, newest first'),
      handler: async ({ query, ctx }) => {
        const filter = listFilterOf(query);
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
        const stamp = new Date().toISOString().slice(0, 10);
        ctx.set('Content-Disposition', `attachment; filename="invoices-${stamp}.csv"`);
        return `\uFEFF${rows.slice(0, MAX_EXPORT + 1).join('\r\n')}\r\n`;
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

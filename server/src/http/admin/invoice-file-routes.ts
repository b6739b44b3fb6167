import { idParams, invoiceExportQuery } from '@fapiao/shared/contract';
import { z } from 'zod';
import { exportInvoicesCsv, exportInvoicesXlsx, invoicePdf, XLSX_TYPE, type InvoiceFileDeps } from '../../domain/admin/invoice-files';
import { route, type AnyApiRoute } from '../api-route';

/** Files about invoice requests: the list as CSV or Excel, an invoice's PDF (domain/admin/invoice-files.ts). */
export function invoiceFileRoutes(deps: InvoiceFileDeps): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/invoices/export',
      summary:
        'The invoice list with the same filters, as CSV (UTF-8 with BOM, so Excel opens it as is) or an Excel workbook (format=xlsx); at most 50,000 rows',
      auth: 'admin',
      produces: ['text/csv; charset=utf-8', XLSX_TYPE],
      query: invoiceExportQuery,
      response: z.string().describe('one row per request, newest first, zh-CN headers'),
      handler: async ({ query, ctx }) => {
        const { format, ...filters } = query;
        const stamp = new Date().toISOString().slice(0, 10);
        ctx.set('Content-Disposition', `attachment; filename="invoices-${stamp}.${format}"`);
        if (format === 'xlsx') {
          ctx.type = XLSX_TYPE;
          return (await exportInvoicesXlsx(deps, filters)) as unknown as string;
        }
        return exportInvoicesCsv(deps, filters);
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
        const { pdf, orderNo } = await invoicePdf(deps, params.id);
        ctx.set('Content-Disposition', `inline; filename="${orderNo}.pdf"`);
        return pdf as unknown as string;
      },
    }),
  ];
}

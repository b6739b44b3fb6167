import { idParams, invoiceFilterQuery } from '@fapiao/shared/contract';
import { z } from 'zod';
import { exportInvoicesCsv, invoicePdf, type InvoiceFileDeps } from '../../domain/admin/invoice-files';
import { route, type AnyApiRoute } from '../api-route';

/** Files about invoice requests: the list as CSV, an invoice's PDF (domain/admin/invoice-files.ts). */
export function invoiceFileRoutes(deps: InvoiceFileDeps): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/invoices/export',
      summary: 'The invoice list with the same filters, as CSV (UTF-8 with BOM, so Excel opens it as is); at most 50,000 rows',
      auth: 'admin',
      produces: 'text/csv; charset=utf-8',
      query: invoiceFilterQuery,
      response: z.string().describe('CSV, one row per request, newest first'),
      handler: async ({ query, ctx }) => {
        const csv = await exportInvoicesCsv(deps, query);
        const stamp = new Date().toISOString().slice(0, 10);
        ctx.set('Content-Disposition', `attachment; filename="invoices-${stamp}.csv"`);
        return csv;
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

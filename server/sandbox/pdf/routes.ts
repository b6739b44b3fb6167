import Router from '@koa/router';
import type { SandboxContext } from '../context';
import { invoicePdf } from './invoice-pdf';

/** Where an issued invoice's PDF is served (queryinvoceinfo's pdfurl): unguessable per invoice. */
export function pdfUrlOf(sb: SandboxContext, pdfId: string): string {
  return `${sb.publicUrl}/sandbox/pdf/${pdfId}.pdf`;
}

/** GET /sandbox/pdf/<pdfId>.pdf: rendered from the invoice each time (it never changes once issued). */
export function pdfRoutes(sb: SandboxContext): Router {
  const router = new Router();
  router.get('/sandbox/pdf/:file', async (ctx) => {
    const match = /^([0-9a-f]{32})\.pdf$/.exec(ctx.params.file ?? '');
    const pdfId = match?.[1];
    const invoice = pdfId ? await sb.models.Invoice.findOne({ pdfId, status: 'issued' }).lean() : null;
    if (!invoice) {
      ctx.status = 404;
      ctx.body = { error: { code: 'PDF_NOT_FOUND', message: 'no issued invoice has this PDF' } };
      return;
    }
    ctx.type = 'application/pdf';
    ctx.set('Content-Disposition', `inline; filename="${invoice.fpdm ?? ''}_${invoice.fphm ?? ''}.pdf"`);
    ctx.body = invoicePdf(invoice);
  });
  return router;
}

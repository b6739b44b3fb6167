import type { SandboxContext } from '../context';
import { pdfUrlOf } from '../pdf/routes';
import { fail } from '../reply';
import { invalidParams, objectBody, requiredText, type Json } from './fields';

/**
 * POST /card/invoice/queryinvoceinfo (sic). Issued (blue or red): errcode 0 and invoicedetail, as
 * in the seeds. Otherwise, where the seeds are silent: still processing 73107 ("please wait and
 * query later"); issuing failed 73000 ("make out invoice failed"); an fpqqlsh this app never sent
 * 72031; another seller's nsrsbh 73101.
 */
export async function queryInvoiceInfo(sb: SandboxContext, appid: string, rawBody: unknown): Promise<Json> {
  const body = objectBody(rawBody);
  const fpqqlsh = requiredText(body, 'fpqqlsh', 73003);
  const nsrsbh = requiredText(body, 'nsrsbh', 73016);
  const invoice = await sb.models.Invoice.findOne({ appid, fpqqlsh }).lean();
  if (!invoice) invalidParams('unknown fpqqlsh');
  if (invoice.content.nsrsbh !== nsrsbh) fail(73101);
  if (invoice.status === 'processing') fail(73107);
  if (invoice.status === 'failed') fail(73000);
  return {
    errcode: 0,
    errmsg: 'Invoice data obtained successfully',
    invoicedetail: {
      fpqqlsh,
      fpdm: invoice.fpdm ?? '',
      fphm: invoice.fphm ?? '',
      jym: invoice.jym ?? '',
      kprq: invoice.kprq ?? '',
      pdfurl: pdfUrlOf(sb, invoice.pdfId ?? ''),
    },
  };
}

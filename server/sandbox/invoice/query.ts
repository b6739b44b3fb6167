import type { SandboxContext } from '../context';
import { readBehaviour } from '../control/behaviour';
import { pdfUrlOf } from '../pdf/routes';
import { fail } from '../reply';
import { objectBody, requiredText, type Json } from './fields';

/**
 * POST /card/invoice/queryinvoceinfo (sic). Issued (blue or red): errcode 0 and invoicedetail, as
 * documented. Otherwise the documents are silent, and the behaviour switches decide
 * (docs/wechat-behaviour.md): by default still processing 73107 ("please wait and query later"),
 * issuing failed 73000 ("make out invoice failed"), an fpqqlsh this app never sent 72031; with
 * `outcomeQuery: empty-success`, processing and failed both answer errcode 0 with empty numbers.
 * Another seller's nsrsbh is 73101.
 */
export async function queryInvoiceInfo(sb: SandboxContext, appid: string, rawBody: unknown): Promise<Json> {
  const body = objectBody(rawBody);
  const fpqqlsh = requiredText(body, 'fpqqlsh', 73003);
  const nsrsbh = requiredText(body, 'nsrsbh', 73016);
  const behaviour = await readBehaviour(sb);
  const invoice = await sb.models.Invoice.findOne({ appid, fpqqlsh }).lean();
  if (!invoice) fail(behaviour.unknownFpqqlshErrcode);
  if (invoice.content.nsrsbh !== nsrsbh) fail(73101);
  if (invoice.status !== 'issued') {
    if (behaviour.outcomeQuery === 'empty-success') {
      return { errcode: 0, errmsg: 'ok', invoicedetail: { fpqqlsh, fpdm: '', fphm: '', jym: '', kprq: '', pdfurl: '' } };
    }
    fail(invoice.status === 'processing' ? behaviour.processingErrcode : behaviour.failedErrcode);
  }
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

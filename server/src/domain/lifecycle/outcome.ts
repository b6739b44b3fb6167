import type { IssuedInvoice } from '../../data/invoice-request/invoice-request.schema';
import { WeChatApiError, WECHAT_ERR, type QueryInvoiceInfoResponse } from '../../wechat';
import type { LifecycleDeps } from './deps';

/**
 * What queryinvoceinfo says about an fpqqlsh, read as WeChat's documents allow and no further.
 * The documents define only the issued answer; everything else is our reading of the sandbox's
 * defaults (docs/wechat-behaviour.md), so anything we do not recognise is `unknown`, never taken
 * as "processing" or "failed".
 */
export type Outcome =
  | { kind: 'issued'; invoice: IssuedInvoice }
  /** Still being processed (73107), or errcode 0 without all of fpdm, fphm, jym and kprq. */
  | { kind: 'pending'; detail: string }
  /** The invoicing platform failed it (73000). */
  | { kind: 'failed'; errcode: number; meaning: string }
  /** WeChat has no invoice by this fpqqlsh (72031, as the sandbox answers). */
  | { kind: 'not_found'; errcode: number; meaning: string }
  | { kind: 'unknown'; errcode: number; meaning: string };

/** Asks WeChat; transport failures, quotas and the like are thrown (the worker retries them). */
export async function queryOutcome(deps: Pick<LifecycleDeps, 'invoice' | 'invoicing'>, fpqqlsh: string): Promise<Outcome> {
  try {
    return outcomeOfAnswer(await deps.invoice.queryInvoiceInfo({ fpqqlsh, nsrsbh: deps.invoicing.seller.nsrsbh }));
  } catch (err) {
    if (err instanceof WeChatApiError) return outcomeOfError(err.errcode, err.meaning);
    throw err;
  }
}

/** An errcode-0 answer is an invoice only with all four numbers: otherwise "not issued yet". */
function outcomeOfAnswer(answer: QueryInvoiceInfoResponse): Outcome {
  const d = answer.invoicedetail;
  const missing = (['fpdm', 'fphm', 'jym', 'kprq'] as const).filter((k) => !d[k]);
  if (missing.length) return { kind: 'pending', detail: `WeChat answered errcode 0 without ${missing.join(', ')}` };
  return { kind: 'issued', invoice: { fpdm: d.fpdm, fphm: d.fphm, jym: d.jym, kprq: d.kprq, pdfUrl: d.pdfurl } };
}

function outcomeOfError(errcode: number, meaning: string): Outcome {
  switch (errcode) {
    case WECHAT_ERR.FPQQLSH_PROCESSING:
      return { kind: 'pending', detail: `${errcode}: ${meaning}` };
    case WECHAT_ERR.PLATFORM_FAILED:
      return { kind: 'failed', errcode, meaning };
    case WECHAT_ERR.INVALID_PARAMS:
      return { kind: 'not_found', errcode, meaning };
    default:
      return { kind: 'unknown', errcode, meaning };
  }
}

export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'issued':
      return `issued ${outcome.invoice.fpdm}/${outcome.invoice.fphm}`;
    case 'pending':
      return `not issued yet (${outcome.detail})`;
    default:
      return `${outcome.kind} (${outcome.errcode} ${outcome.meaning})`;
  }
}

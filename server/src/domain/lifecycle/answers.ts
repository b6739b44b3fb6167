import type { WeChatAnswer } from '../entities/invoice-request';
import { WeChatApiError, WeChatError, WeChatOutcomeUnknownError, WeChatQuotaError, WeChatTransportError, type InvoiceApi } from '../../wechat';
import { ENDPOINTS } from '../../wechat/endpoints';

/** How many of WeChat's answers a request keeps for ops (newest last). */
export const KEPT_ANSWERS = 5;

/** One call as the journal keeps it (wechat_calls): the answer, plus WeChat's API path, errmsg and duration. */
export interface RecordedCall extends WeChatAnswer {
  api: string;
  errmsg: string;
  durationMs: number;
}

/**
 * The invoice API as one worker step (or ops action) sees it: every answer (or failure) is
 * noted, so that a request handed to a human carries what WeChat last said, and the call journal
 * has every call. Summaries name fields and errcodes, never tokens or tickets.
 */
export function recordingInvoiceApi(api: InvoiceApi, now: () => Date): { api: InvoiceApi; answers: WeChatAnswer[]; calls: RecordedCall[] } {
  const answers: WeChatAnswer[] = [];
  const calls: RecordedCall[] = [];
  const wrapped = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(api) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    const path = (ENDPOINTS as Record<string, { name: string } | undefined>)[name]?.name ?? name;
    wrapped[name] = async (...args: unknown[]) => {
      const started = now();
      const note = (answer: WeChatAnswer, errmsg: string) => {
        answers.push(answer);
        calls.push({ ...answer, at: started, api: path, errmsg: errmsg.slice(0, 200), durationMs: Math.max(0, now().getTime() - started.getTime()) });
      };
      try {
        const answer = await method(...args);
        const errmsg = (answer as { errmsg?: unknown } | undefined)?.errmsg;
        note({ at: now(), call: name, errcode: 0, summary: summarize(answer) }, typeof errmsg === 'string' ? errmsg : 'ok');
        return answer;
      } catch (err) {
        note({ at: now(), call: name, ...failure(err) }, errmsgOf(err));
        throw err;
      }
    };
  }
  return { api: wrapped as unknown as InvoiceApi, answers, calls };
}

/** The last KEPT_ANSWERS of `before` then `added`. */
export function keepLatest(before: WeChatAnswer[] | undefined, added: WeChatAnswer[]): WeChatAnswer[] {
  return [...(before ?? []), ...added].slice(-KEPT_ANSWERS);
}

function summarize(answer: unknown): string {
  if (!answer || typeof answer !== 'object') return 'ok';
  const a = answer as Record<string, unknown>;
  if (a.invoicedetail && typeof a.invoicedetail === 'object') {
    const d = a.invoicedetail as Record<string, unknown>;
    const shown = ['fpdm', 'fphm', 'jym', 'kprq'].map((k) => `${k}=${typeof d[k] === 'string' && d[k] ? String(d[k]) : '(empty)'}`);
    return `invoicedetail ${shown.join(' ')}`;
  }
  if (typeof a.invoice_status === 'string') return `invoice_status "${a.invoice_status}"`;
  return typeof a.errmsg === 'string' ? a.errmsg.slice(0, 120) : 'ok';
}

function errmsgOf(err: unknown): string {
  if (err instanceof WeChatApiError || err instanceof WeChatQuotaError) return err.errmsg;
  if (err instanceof WeChatOutcomeUnknownError) return err.errmsg ?? '';
  return '';
}

function failure(err: unknown): { errcode: number; summary: string } {
  if (err instanceof WeChatApiError || err instanceof WeChatQuotaError) return { errcode: err.errcode, summary: `${err.errmsg || err.meaning}`.slice(0, 200) };
  if (err instanceof WeChatOutcomeUnknownError) return { errcode: err.errcode ?? -1, summary: `outcome unknown: ${err.errmsg ?? 'no answer'}`.slice(0, 200) };
  if (err instanceof WeChatTransportError) return { errcode: -1, summary: `no answer: ${err.failure}` };
  if (err instanceof WeChatError) return { errcode: -1, summary: err.code };
  return { errcode: -1, summary: err instanceof Error ? err.name : 'error' };
}

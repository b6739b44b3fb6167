/**
 * The admin API's record of work done for a request or a period: every WeChat call made for an
 * invoice request, and reconcile runs of a period run on the server.
 */
import { z } from 'zod';
import { invoiceStatus } from './common';

// WeChat calls of one request ------------------------------------------------------------------

export const wechatCall = z
  .object({
    at: z.string().describe('when the call was sent'),
    api: z.string().describe('WeChat’s API, e.g. card/invoice/makeoutinvoice'),
    errcode: z.number().int().describe('0 success; WeChat’s errcode; -1 when no usable answer came (timeout, network)'),
    errmsg: z.string(),
    summary: z.string().describe('what the answer said, by field names and errcodes (never tokens or tickets)'),
    durationMs: z.number().int(),
    by: z.string().describe('worker, buyer, merchant, staff:<username> or admin:<key id>'),
    stateBefore: invoiceStatus.nullable().describe('the request’s state when the step that made the call began'),
    stateAfter: invoiceStatus.optional().describe('its state when that step ended'),
  })
  .meta({ id: 'WeChatCall' });
export type WeChatCall = z.infer<typeof wechatCall>;

export const wechatCallPage = z.object({
  calls: z.array(wechatCall),
  nextCursor: z.string().optional().describe('present when older calls follow: pass it as `cursor`'),
});
export type WeChatCallPage = z.infer<typeof wechatCallPage>;

// Reconcile runs --------------------------------------------------------------------------------

export const RECONCILE_VERDICTS = ['ok', 'mismatch', 'stuck', 'moved', 'unchecked'] as const;
export type ReconcileVerdict = (typeof RECONCILE_VERDICTS)[number];
export const reconcileVerdict = z.enum(RECONCILE_VERDICTS);

export const reconcileRun = z
  .object({
    id: z.string(),
    from: z.string().describe('requests created at or after (inclusive)'),
    to: z.string().describe('and before (exclusive)'),
    status: z.enum(['running', 'done', 'failed', 'interrupted']).describe('interrupted: the server running it stopped; start the period again'),
    startedBy: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    total: z.number().int().describe('requests in ISSUING, ISSUED, OFFSETTING or OFFSET_FAILED created in the period'),
    done: z.number().int(),
    counts: z.object(Object.fromEntries(RECONCILE_VERDICTS.map((v) => [v, z.number().int()])) as Record<ReconcileVerdict, z.ZodNumber>),
    attention: z.number().int().optional().describe('requests flagged as needing attention when it finished'),
    needsHuman: z.boolean().describe('a mismatch, a stuck or unchecked request, or one needing attention'),
    error: z.string().optional(),
  })
  .meta({ id: 'ReconcileRun' });
export type ReconcileRunView = z.infer<typeof reconcileRun>;

export const reconcileProblem = z
  .object({ requestId: z.string(), orderNo: z.string(), status: invoiceStatus, verdict: reconcileVerdict, detail: z.string(), code: z.string().optional() })
  .meta({ id: 'ReconcileProblem' });

export const reconcileRunDetail = reconcileRun.extend({ problems: z.array(reconcileProblem) }).meta({ id: 'ReconcileRunDetail' });
export type ReconcileRunDetail = z.infer<typeof reconcileRunDetail>;

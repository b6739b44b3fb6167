import { z } from 'zod';
import { RECONCILE_VERDICTS } from '../../domain/entities/reconcile-run';
import { readRun, recentRuns, runReport, startReconcileRun, type ReconcileRunDeps, type RunView } from '../../domain/reconcile-runs';
import { route, type AnyApiRoute } from '../api-route';
import { invoiceStatus, isoTime } from '@fapiao/shared/contract';
import { actor } from './actor';

const runParams = z.object({ runId: z.string().regex(/^rr_[0-9a-f]{16}$/, 'must be a reconcile run id') }).strict();
const verdict = z.enum(RECONCILE_VERDICTS as [string, ...string[]]);

const runDto = z.object({
  id: z.string(),
  from: z.string().describe('requests created at or after (inclusive)'),
  to: z.string().describe('and before (exclusive)'),
  status: z.enum(['running', 'done', 'failed', 'interrupted']).describe('interrupted: the server running it stopped; start the period again'),
  startedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  total: z.number().int().describe('requests in ISSUING, ISSUED, OFFSETTING or OFFSET_FAILED created in the period'),
  done: z.number().int(),
  counts: z.object(Object.fromEntries(RECONCILE_VERDICTS.map((v) => [v, z.number().int()])) as Record<(typeof RECONCILE_VERDICTS)[number], z.ZodNumber>),
  attention: z.number().int().optional().describe('requests flagged as needing attention when it finished'),
  needsHuman: z.boolean().describe('a mismatch, a stuck or unchecked request, or one needing attention'),
  error: z.string().optional(),
});

function runOut(run: RunView): z.infer<typeof runDto> {
  const { counts } = run;
  return {
    id: run._id,
    from: run.from.toISOString(),
    to: run.to.toISOString(),
    status: run.interrupted ? 'interrupted' : run.status,
    startedBy: run.startedBy,
    startedAt: run.startedAt.toISOString(),
    ...(run.finishedAt ? { finishedAt: run.finishedAt.toISOString() } : {}),
    total: run.total,
    done: run.done,
    counts: { ok: counts.ok ?? 0, mismatch: counts.mismatch ?? 0, stuck: counts.stuck ?? 0, moved: counts.moved ?? 0, unchecked: counts.unchecked ?? 0 },
    ...(run.attention !== undefined ? { attention: run.attention } : {}),
    needsHuman: (counts.mismatch ?? 0) + (counts.stuck ?? 0) + (counts.unchecked ?? 0) + (run.attention ?? 0) > 0,
    ...(run.error ? { error: run.error } : {}),
  };
}

/** Reconcile a period as a server job: started, followed and downloaded by any staff member. */
export function reconcileRunRoutes(deps: ReconcileRunDeps): AnyApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/reconcile-runs',
      summary:
        'Start reconciling a period with WeChat on the server (the same check as `ops invoices reconcile`): 202 with the run; ' +
        '409 RECONCILE_ALREADY_RUNNING while the same period is running',
      auth: 'admin',
      status: 202,
      body: z.object({ from: isoTime.describe('requests created at or after'), to: isoTime.describe('and before') }).strict(),
      response: runDto,
      handler: async ({ body, caller }) => {
        const { run, finished } = await startReconcileRun(deps, body.from, body.to, actor(caller));
        void finished;
        return runOut(run);
      },
    }),
    route({
      method: 'get',
      path: '/reconcile-runs',
      summary: 'The latest reconcile runs, newest first, with their progress',
      auth: 'admin',
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }).strict(),
      response: z.object({ runs: z.array(runDto) }),
      handler: async ({ query }) => ({ runs: (await recentRuns(deps, query.limit)).map(runOut) }),
    }),
    route({
      method: 'get',
      path: '/reconcile-runs/:runId',
      summary: 'One reconcile run: progress (done of total, counts by verdict) and, as they come, the findings that need a human (at most 500)',
      auth: 'admin',
      params: runParams,
      response: runDto.extend({
        problems: z.array(z.object({ requestId: z.string(), orderNo: z.string(), status: invoiceStatus, verdict, detail: z.string(), code: z.string().optional() })),
      }),
      handler: async ({ params }) => {
        const run = await readRun(deps, params.runId);
        const rows = await deps.runs.rows(params.runId, { verdictNot: 'ok' }, 500);
        return { ...runOut(run), problems: rows.map((r) => ({ requestId: r.requestId, orderNo: r.orderNo, status: r.status, verdict: r.verdict, detail: r.detail, ...(r.code ? { code: r.code } : {}) })) };
      },
    }),
    route({
      method: 'get',
      path: '/reconcile-runs/:runId/report',
      summary: 'The finished run’s report, one row per request (CSV, UTF-8 with BOM); 409 RECONCILE_RUN_NOT_FINISHED while it runs',
      auth: 'admin',
      params: runParams,
      produces: 'text/csv; charset=utf-8',
      response: z.string().describe('结论,申请编号,订单号,状态,说明'),
      handler: async ({ params, ctx }) => {
        const { run, csv } = await runReport(deps, params.runId);
        ctx.set('Content-Disposition', `attachment; filename="reconcile-${run.from.toISOString().slice(0, 10)}-${run.to.toISOString().slice(0, 10)}.csv"`);
        return csv;
      },
    }),
  ];
}

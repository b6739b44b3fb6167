import { z } from 'zod';
import { readRun, recentRuns, runReport, startReconcileRun, type ReconcileRunDeps, type RunView } from '../../domain/reconcile-runs';
import { route, type AnyApiRoute } from '../api-route';
import { isoTime, reconcileRun, reconcileRunDetail, type ReconcileRunView } from '@fapiao/shared/contract';
import { actor } from './actor';

const runParams = z.object({ runId: z.string().regex(/^rr_[0-9a-f]{16}$/, 'must be a reconcile run id') }).strict();
function runOut(run: RunView): ReconcileRunView {
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
      response: reconcileRun,
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
      response: z.object({ runs: z.array(reconcileRun) }),
      handler: async ({ query }) => ({ runs: (await recentRuns(deps, query.limit)).map(runOut) }),
    }),
    route({
      method: 'get',
      path: '/reconcile-runs/:runId',
      summary: 'One reconcile run: progress (done of total, counts by verdict) and, as they come, the findings that need a human (at most 500)',
      auth: 'admin',
      params: runParams,
      response: reconcileRunDetail,
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

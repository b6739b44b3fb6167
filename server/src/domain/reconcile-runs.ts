import crypto from 'node:crypto';
import type { InvoiceState } from '@fapiao/shared';
import type { InvoiceRequestDoc } from './entities/invoice-request';
import type { ReconcileRunRepository } from '../data/reconcile-run/reconcile-run.repository';
import { RECONCILE_VERDICTS, type ReconcileRowDoc, type ReconcileRunDoc, type ReconcileVerdict } from './entities/reconcile-run';
import { AppError } from '../errors';
import type { LifecycleDeps } from './lifecycle/deps';
import { reconcileRequest } from './lifecycle/reconcile';

/** The states WeChat can be asked about (queryinvoceinfo): what `ops invoices reconcile` checks. */
const RECONCILED_STATES: readonly InvoiceState[] = ['ISSUING', 'ISSUED', 'OFFSETTING', 'OFFSET_FAILED'];

export interface ReconcileRunDeps {
  runs: ReconcileRunRepository;
  lifecycle: LifecycleDeps;
  /** Requests flagged as needing attention now (any state, any age), as the CLI's report counts them. */
  countNeedingAttention(): Promise<number>;
  now(): Date;
  /** Requests asked about at a time (the CLI's default is 4). */
  concurrency?: number;
  /** A run whose heartbeat is older than this was left by a process that died. */
  staleAfterMs?: number;
}

const PAGE = 500;
const DEFAULT_STALE_MS = 2 * 60_000;
/** A longer period is refused: narrow it (a year of requests is already a long run). */
const MAX_PERIOD_MS = 366 * 24 * 3600_000;

export type RunView = ReconcileRunDoc & { interrupted: boolean };

const periodKey = (from: Date, to: Date) => `${from.toISOString()}/${to.toISOString()}`;

/**
 * Starts reconciling every request created in [from, to) in ISSUING, ISSUED, OFFSETTING or
 * OFFSET_FAILED with WeChat, the same check as `ops invoices reconcile`, in the background of
 * this process. One run per period at a time (a second start is refused with the running one's
 * id). Answers the run as stored, with its total; progress is read with `readRun`.
 */
export async function startReconcileRun(deps: ReconcileRunDeps, from: Date, to: Date, by: string): Promise<{ run: RunView; finished: Promise<void> }> {
  if (!(from < to)) throw new AppError('VALIDATION_FAILED', 'from: must be before to');
  if (to.getTime() - from.getTime() > MAX_PERIOD_MS) throw new AppError('VALIDATION_FAILED', 'to: a period is at most 366 days; reconcile a longer one in parts');
  const id = `rr_${crypto.randomBytes(8).toString('hex')}`;
  const now = deps.now();
  const period = periodKey(from, to);
  const held = await deps.runs.lockPeriod(period, id, now, new Date(now.getTime() - (deps.staleAfterMs ?? DEFAULT_STALE_MS)));
  if (held !== true) throw new AppError('RECONCILE_ALREADY_RUNNING', `This period is being reconciled already (run ${held}): follow that run`, { runId: held });
  let requests: Pick<InvoiceRequestDoc, '_id' | 'orderNo' | 'status'>[];
  try {
    requests = await requestsIn(deps, from, to);
    const run: ReconcileRunDoc = {
      _id: id,
      from,
      to,
      status: 'running',
      startedBy: by,
      startedAt: now,
      heartbeatAt: now,
      total: requests.length,
      done: 0,
      counts: Object.fromEntries(RECONCILE_VERDICTS.map((v) => [v, 0])) as Record<ReconcileVerdict, number>,
    };
    await deps.runs.create(run);
    const finished = checkAll(deps, run, requests, by).finally(() => deps.runs.unlockPeriod(period, id).catch(() => undefined));
    return { run: { ...run, interrupted: false }, finished };
  } catch (err) {
    await deps.runs.unlockPeriod(period, id).catch(() => undefined);
    throw err;
  }
}

/** The run, and whether it was interrupted (still "running" with a heartbeat that stopped). */
export async function readRun(deps: ReconcileRunDeps, id: string): Promise<RunView> {
  const run = await deps.runs.findById(id);
  if (!run) throw new AppError('RECONCILE_RUN_NOT_FOUND', `No reconcile run ${id}`);
  return view(deps, run);
}

export async function recentRuns(deps: ReconcileRunDeps, limit: number): Promise<RunView[]> {
  return (await deps.runs.recent(limit)).map((run) => view(deps, run));
}

function view(deps: ReconcileRunDeps, run: ReconcileRunDoc): RunView {
  const stale = deps.now().getTime() - run.heartbeatAt.getTime() > (deps.staleAfterMs ?? DEFAULT_STALE_MS);
  return { ...run, interrupted: run.status === 'running' && stale };
}

/** The report of a finished run as CSV (UTF-8 with BOM, so Excel opens it as is). */
export async function runReport(deps: ReconcileRunDeps, id: string): Promise<{ run: RunView; csv: string }> {
  const run = await readRun(deps, id);
  if (run.status === 'running') throw new AppError('RECONCILE_RUN_NOT_FINISHED', `Run ${id} has checked ${run.done} of ${run.total}; the report is ready when it is done`);
  const rows = await deps.runs.rows(id, {}, run.total + 1);
  const lines = [['结论', '申请编号', '订单号', '状态', '说明'], ...rows.map((r) => [VERDICT_TEXT[r.verdict], r.requestId, r.orderNo, r.status, r.code ? `${r.code}: ${r.detail}` : r.detail])];
  return { run, csv: `\uFEFF${lines.map((l) => l.map(csvCell).join(',')).join('\r\n')}\r\n` };
}

const VERDICT_TEXT: Record<ReconcileVerdict, string> = { ok: '一致', mismatch: '不一致', stuck: '卡住', moved: '已变化', unchecked: '未能核对' };

/** RFC 4180 quoting; a leading =+-@ is defused so a spreadsheet never runs a cell as a formula. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

async function requestsIn(deps: ReconcileRunDeps, from: Date, to: Date): Promise<Pick<InvoiceRequestDoc, '_id' | 'orderNo' | 'status'>[]> {
  const all: Pick<InvoiceRequestDoc, '_id' | 'orderNo' | 'status'>[] = [];
  for (const status of RECONCILED_STATES) {
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await deps.lifecycle.requests.list({ status, createdFrom: from, createdBefore: to, after }, PAGE);
      all.push(...page.map((r) => ({ _id: r._id, orderNo: r.orderNo, status: r.status })));
      const last = page[page.length - 1];
      if (page.length < PAGE || !last) break;
      after = { createdAt: last.createdAt, id: last._id };
    }
  }
  return all;
}

/** Asks about each request, a few at a time, storing each finding as it comes; then the run is done. */
async function checkAll(deps: ReconcileRunDeps, run: ReconcileRunDoc, requests: Pick<InvoiceRequestDoc, '_id' | 'orderNo' | 'status'>[], by: string): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const seq = next++;
      const request = requests[seq]!;
      await deps.runs.addRow({ runId: run._id, seq, ...(await check(deps, request, by)) }, deps.now());
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 4, Math.max(1, requests.length)) }, worker));
    const attention = await deps.countNeedingAttention();
    await deps.runs.finish(run._id, { status: 'done', attention }, deps.now());
  } catch (err) {
    // The database went away mid-run (a finding could not be stored): the run says so; start it again.
    deps.lifecycle.log.error({ err, runId: run._id }, 'reconcile run failed');
    await deps.runs.finish(run._id, { status: 'failed', error: err instanceof Error ? err.message.slice(0, 300) : String(err) }, deps.now()).catch(() => undefined);
  }
}

async function check(deps: ReconcileRunDeps, request: Pick<InvoiceRequestDoc, '_id' | 'orderNo' | 'status'>, by: string): Promise<Omit<ReconcileRowDoc, 'runId' | 'seq'>> {
  const base = { requestId: request._id, orderNo: request.orderNo, status: request.status };
  try {
    const answer = await reconcileRequest(deps.lifecycle, request._id, by);
    return { ...base, status: answer.status, verdict: answer.verdict, detail: answer.detail };
  } catch (err) {
    // As the CLI: a request that left the reconciled states meanwhile "moved"; one WeChat could not
    // be asked about is "unchecked" and needs a look again.
    if (err instanceof AppError && err.code === 'INVALID_STATE_TRANSITION') return { ...base, verdict: 'moved', detail: err.message };
    if (err instanceof AppError) return { ...base, verdict: 'unchecked', code: err.code, detail: err.message };
    if (err instanceof Error && /Mongo/.test(err.name)) throw err;
    return { ...base, verdict: 'unchecked', code: 'INTERNAL', detail: err instanceof Error ? err.name : 'error' };
  }
}

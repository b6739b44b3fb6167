import crypto from 'node:crypto';
import os from 'node:os';
import type { InvoiceRequestRepository } from '../data/invoice-request/invoice-request.repository';
import type { InvoiceRequestDoc } from '../domain/entities/invoice-request';
import type { WeChatAnswer } from '../domain/entities/invoice-request';
import { keepLatest, recordingInvoiceApi } from '../domain/lifecycle/answers';
import { journalCalls, recordedFor } from '../domain/lifecycle/call-journal';
import { flagAttention } from '../domain/lifecycle/attention';
import { backoff, type LifecycleDeps, type Next } from '../domain/lifecycle/deps';
import { failIssue } from '../domain/lifecycle/issuing';
import type { WorkerJob } from '../domain/worker-jobs';
import { stepFor } from '../domain/lifecycle/steps';
import { withLogContext } from '../logger';
import { WeChatApiError, WeChatOutcomeUnknownError, WeChatQuotaError, WeChatTransportError } from '../wechat';

export interface WorkerOptions {
  /** How many requests one process works on at once. */
  concurrency: number;
  /** How long a claim is exclusive; a crashed process's claims expire after this. */
  leaseMs: number;
  /** How long to sleep when nothing is due. */
  idleMs: number;
  /** Told how late each claim was (now − the request's due time), in ms: the claim-lag metric. */
  onClaim?: (lagMs: number) => void;
}

/** Nudges closer together than this are one nudge. */
const NUDGE_SPACING_MS = 20;

export const DEFAULT_WORKER: WorkerOptions = { concurrency: 4, leaseMs: 60_000, idleMs: 500 };

export interface RunningWorker {
  readonly owner: string;
  /** Work became due (a push arrived): the idle scout looks now rather than at the end of its wait. */
  nudge(): void;
  /** Stops claiming and waits for the requests in hand. */
  stop(): Promise<void>;
}

/**
 * The scheduler every server process runs. Its own job, "claim due requests": claim the most
 * overdue request with one atomic update (lease + nextActionAt), run the step for its state, and
 * release it with the time of the next look. Between claims it runs the named `jobs` that are due
 * (domain/worker-jobs.ts: sweep unprocessed pushes, …). A process that dies leaves leases that
 * expire; another process takes over. Nothing is queued in memory.
 */
export function startInvoiceWorker(deps: LifecycleDeps, options: WorkerOptions = DEFAULT_WORKER, jobs: readonly WorkerJob[] = []): RunningWorker {
  const owner = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  let stopping = false;
  // When nothing is due, one loop (the scout) keeps looking every idleMs and the others wait for
  // it: idle polling costs the database one query per idleMs per process, not one per loop.
  let scouting = false;
  let cancelScoutSleep: (() => void) | undefined;
  let lastNudge = 0;
  const waiting: (() => void)[] = [];
  const wakeOne = () => waiting.shift()?.();
  const wakeAll = () => {
    for (const resume of waiting.splice(0)) resume();
  };
  const lastRun = new Map<WorkerJob, number>();
  const loops = Array.from({ length: options.concurrency }, () => loop());

  /** Each due job, in one loop at a time (the first loop to see it due takes it); a failure names the job. */
  async function runDueJobs(): Promise<void> {
    for (const job of jobs) {
      if (Date.now() - (lastRun.get(job) ?? 0) < job.everyMs) continue;
      lastRun.set(job, Date.now());
      try {
        await job.run();
      } catch (err) {
        deps.log.error({ err, job: job.name }, `worker job failed: ${job.name}`);
      }
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      let worked = false;
      try {
        await runDueJobs();
        // A claim that succeeds means more may be due: one waiting loop looks too (and wakes the
        // next if it finds some). Waking them all would send a burst of empty claims each time.
        worked = await runOne(deps, deps.requests, owner, options, wakeOne);
      } catch (err) {
        deps.log.error({ err }, 'worker: claim failed');
      }
      if (worked) continue;
      if (stopping) break;
      if (!scouting) {
        scouting = true;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, options.idleMs);
          cancelScoutSleep = () => (clearTimeout(timer), resolve());
        });
        scouting = false;
        cancelScoutSleep = undefined;
      } else {
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
    }
  }

  return {
    owner,
    nudge() {
      // A burst of pushes would otherwise send one claim per push; a loop that claims something
      // keeps claiming anyway, so one look per NUDGE_SPACING_MS loses nothing.
      const now = Date.now();
      if (now - lastNudge < NUDGE_SPACING_MS) return;
      lastNudge = now;
      cancelScoutSleep?.();
    },
    async stop() {
      stopping = true;
      cancelScoutSleep?.();
      wakeAll();
      await Promise.all(loops);
    },
  };
}

/** Claims and works one due request; false when none was due. Exported for tests and benchmarks. */
async function runOne(
  deps: LifecycleDeps,
  requests: InvoiceRequestRepository,
  owner: string,
  options: WorkerOptions,
  onClaimed?: () => void,
): Promise<boolean> {
  const claimedAt = deps.now();
  const request = await requests.claimDue(owner, claimedAt, options.leaseMs);
  if (!request) return false;
  onClaimed?.();
  if (request.nextActionAt) options.onClaim?.(Math.max(0, claimedAt.getTime() - new Date(request.nextActionAt).getTime()));
  // Every line logged while this request is worked on (the WeChat client's too) names it and its order.
  await withLogContext({ requestId: request._id, orderNo: request.orderNo }, async () => {
    const same = request.looks?.state === request.status ? request.looks : undefined;
    const looks = { state: request.status, n: (same?.n ?? 0) + 1, ...(same?.since ? { since: same.since } : {}) };
    // The request's calls go to its own account's API (channel.ts): record that one, so a flagged
    // request carries what WeChat said to it.
    const own = deps.accounts.resolve(request);
    const recorder = recordingInvoiceApi(own ? own.client.invoice : deps.invoice, () => deps.now());
    const seen = { ...request, looks };
    const stepDeps: LifecycleDeps = { ...deps, invoice: recorder.api, stepAnswers: recorder.answers, accounts: recordedFor(deps.accounts, own, recorder.api) };
    let next = await step(stepDeps, seen, recorder.answers);
    // The step's work is done: a failing limits check must not keep the lease (the request would
    // wait for the lease to expire, a minute in production); it is given back and checked next look.
    if (next) {
      const stepNext = next;
      next = await withinLimits(deps, seen, stepNext, recorder.answers).catch((err: unknown) => {
        deps.log.error({ err, requestId: request._id, status: request.status }, 'worker: checking the state limits failed; the request is looked at again as the step said');
        return stepNext;
      });
    }
    const stateAfter = await requests.release(
      request._id,
      owner,
      { nextActionAt: next?.at, attempts: next?.attempts ?? 0, looks, answers: keepLatest(request.answers, recorder.answers) },
      deps.now(),
    );
    await journalCalls(deps, request._id, recorder.calls, 'worker', request.status, stateAfter);
  });
  return true;
}

async function step(deps: LifecycleDeps, request: InvoiceRequestDoc, answers: WeChatAnswer[]): Promise<Next> {
  try {
    return await stepFor(deps, request);
  } catch (err) {
    if (!canHeal(err)) {
      await giveUp(deps, request, err, answers);
      return undefined;
    }
    // WeChat busy or unreachable, a quota, the database blinking: look again later.
    const attempts = request.attempts + 1;
    const delay = backoff(deps, deps.schedule.retryBaseMs, deps.schedule.retryMaxMs, attempts);
    const quota = (err as { retryAfterMs?: number }).retryAfterMs;
    deps.log.warn({ err, requestId: request._id, status: request.status, attempts }, 'worker step failed; will retry');
    return { at: new Date(deps.now().getTime() + Math.max(delay, quota ?? 0)), attempts };
  }
}

/**
 * Whether retrying may help: WeChat unreachable, busy or over quota (or an outcome the query will
 * tell), the database blinking. A permanent WeChat refusal, a money error, a bug: no.
 */
function canHeal(err: unknown): boolean {
  if (err instanceof WeChatTransportError || err instanceof WeChatQuotaError || err instanceof WeChatOutcomeUnknownError) return true;
  if (err instanceof WeChatApiError) return err.errclass === 'transient' || err.errclass === 'token';
  const name = err instanceof Error ? err.name : '';
  return /Mongo/.test(name);
}

/** An error that cannot heal: issuing ends ISSUE_FAILED, and in every state a human is told why. */
async function giveUp(deps: LifecycleDeps, request: InvoiceRequestDoc, err: unknown, answers: WeChatAnswer[]): Promise<void> {
  const reason = `${request.status}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`.slice(0, 500);
  deps.log.error({ err, requestId: request._id, status: request.status }, 'worker step failed in a way retrying cannot heal');
  let current: InvoiceRequestDoc = request;
  if (request.status === 'AUTHORIZED' || request.status === 'ISSUING') {
    current = (await failIssue(deps, request, request.status, 'CANNOT_HEAL', reason, { flag: false })) ?? request;
  }
  await flagAttention(deps, current, { code: 'CANNOT_HEAL', reason, answers });
}

/** The state's attempt and age limits: past either, a human is told, and the worker stops. */
async function withinLimits(deps: LifecycleDeps, request: InvoiceRequestDoc, next: Next, answers: WeChatAnswer[]): Promise<Next> {
  const state = request.status;
  if (state === 'AUTH_PENDING') {
    // A poll past the deadline that succeeds ends the request; one still wanting a look failed.
    if (!request.authDeadline || deps.now() < request.authDeadline) return next;
    const flagged = await flagAttention(deps, request, { code: 'LIMIT_REACHED', reason: 'the authorization window has passed and WeChat could not be asked whether the buyer authorized', answers });
    return flagged ? undefined : next;
  }
  if (state !== 'AUTHORIZED' && state !== 'ISSUING' && state !== 'OFFSETTING') return next;
  const limit = deps.schedule.limits[state];
  const since = request.looks?.since ?? request.history[request.history.length - 1]?.at ?? request.createdAt;
  const ageMs = deps.now().getTime() - since.getTime();
  const looks = request.looks?.n ?? 0;
  if (looks < limit.looks && ageMs < limit.ageMs) return next;
  // Only if the step left it where it was (a step that moved it on is judged in its new state).
  const current = await deps.requests.findById(request._id);
  if (!current || current.status !== state) return next;
  const reason = `${state} for ${Math.round(ageMs / 1000)} s over ${looks} looks without an outcome (limits: ${limit.looks} looks, ${Math.round(limit.ageMs / 1000)} s)`;
  const flagged = await flagAttention(deps, { ...current, answers: request.answers }, { code: 'LIMIT_REACHED', reason, answers });
  return flagged ? undefined : next;
}

import crypto from 'node:crypto';
import os from 'node:os';
import type { InvoiceRequestRepository } from '../data/invoice-request/invoice-request.repository';
import type { InvoiceRequestDoc } from '../data/invoice-request/invoice-request.schema';
import { backoff, type LifecycleDeps } from '../domain/lifecycle/deps';
import { stepFor } from '../domain/lifecycle/steps';

export interface WorkerOptions {
  /** How many requests one process works on at once. */
  concurrency: number;
  /** How long a claim is exclusive; a crashed process's claims expire after this. */
  leaseMs: number;
  /** How long to sleep when nothing is due. */
  idleMs: number;
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
 * The scheduler every server process runs: claim the most overdue request with one atomic
 * update (lease + nextActionAt), run the step for its state, and release it with the time of the
 * next look. A process that dies leaves leases that expire; another process takes over. Nothing
 * is queued in memory.
 */
export function startInvoiceWorker(deps: LifecycleDeps, options: WorkerOptions = DEFAULT_WORKER, extraTick?: () => Promise<void>): RunningWorker {
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
  const loops = Array.from({ length: options.concurrency }, () => loop());

  async function loop(): Promise<void> {
    while (!stopping) {
      let worked = false;
      try {
        if (extraTick) await extraTick();
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
export async function runOne(
  deps: LifecycleDeps,
  requests: InvoiceRequestRepository,
  owner: string,
  options: WorkerOptions,
  onClaimed?: () => void,
): Promise<boolean> {
  const request = await requests.claimDue(owner, deps.now(), options.leaseMs);
  if (!request) return false;
  onClaimed?.();
  const next = await step(deps, request);
  await requests.release(request._id, owner, { nextActionAt: next?.at, attempts: next?.attempts ?? 0 }, deps.now());
  return true;
}

async function step(deps: LifecycleDeps, request: InvoiceRequestDoc) {
  try {
    return await stepFor(deps, request);
  } catch (err) {
    // WeChat busy or unreachable, a quota, the database blinking: look again later.
    const attempts = request.attempts + 1;
    const delay = backoff(deps, deps.schedule.retryBaseMs, deps.schedule.retryMaxMs, attempts);
    const quota = (err as { retryAfterMs?: number }).retryAfterMs;
    deps.log.warn({ err, requestId: request._id, status: request.status, attempts }, 'worker step failed; will retry');
    return { at: new Date(deps.now().getTime() + Math.max(delay, quota ?? 0)), attempts };
  }
}

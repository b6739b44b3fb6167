import type { Middleware } from 'koa';
import { z } from 'zod';
import type { SandboxContext } from '../context';
import type { SandboxFaultsDoc } from '../data/models';
import { fail } from '../reply';

/**
 * Fault switches, so tests can make the sandbox misbehave the way WeChat does:
 * per endpoint an error rate and errcode (the call has no effect) and added latency (the call
 * then runs, so a client that timed out does not know its outcome); for pushes, duplicates and
 * drops (used by the push delivery); and forcing every access token to expire now.
 */
export const faultsInput = z
  .object({
    endpoints: z
      .record(
        z.string().startsWith('/'),
        z
          .object({
            errorRate: z.number().min(0).max(1).optional(),
            errcode: z.number().int().optional(),
            delayMs: z.number().int().min(0).max(120_000).optional(),
            delayRate: z.number().min(0).max(1).optional(),
          })
          .strict(),
      )
      .optional(),
    push: z
      .object({ duplicates: z.number().int().min(0).max(10).optional(), dropRate: z.number().min(0).max(1).optional() })
      .strict()
      .optional(),
    expireTokens: z.boolean().optional(),
  })
  .strict();
export type FaultsInput = z.infer<typeof faultsInput>;

type Faults = Pick<SandboxFaultsDoc, 'endpoints' | 'push'>;

/**
 * Every call reads the switches, and they change only through setFaults: a copy younger than this
 * spares the database a read per call. setFaults drops this process's copy at once; another sandbox
 * process sharing the database sees a change within this time.
 */
const FAULTS_COPY_MS = 1_000;
const copies = new WeakMap<SandboxContext['models'], { faults: Faults; at: number }>();

export async function readFaults(sb: SandboxContext): Promise<Faults> {
  const copy = copies.get(sb.models);
  if (copy && Date.now() - copy.at < FAULTS_COPY_MS) return copy.faults;
  const doc = await sb.models.Faults.findById('faults').lean();
  const faults = { endpoints: doc?.endpoints ?? {}, push: doc?.push ?? {} };
  copies.set(sb.models, { faults, at: Date.now() });
  return faults;
}

/** Replaces the switches (what is not given is switched off); expireTokens acts once, now. */
export async function setFaults(sb: SandboxContext, input: FaultsInput): Promise<void> {
  await sb.models.Faults.updateOne(
    { _id: 'faults' },
    { $set: { endpoints: input.endpoints ?? {}, push: input.push ?? {} } },
    { upsert: true },
  );
  copies.delete(sb.models);
  if (input.expireTokens) await sb.models.AccessToken.updateMany({ expiresAt: { $gt: sb.now() } }, { $set: { expiresAt: sb.now() } });
}

/** Applies the endpoint switches before the real handler runs. */
export function faultInjection(sb: SandboxContext, random: () => number = Math.random): Middleware {
  return async (ctx, next) => {
    const fault = (await readFaults(sb)).endpoints[ctx.path];
    if (fault?.delayMs && random() < (fault.delayRate ?? 1)) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.errorRate && random() < fault.errorRate) fail(fault.errcode ?? -1);
    await next();
  };
}

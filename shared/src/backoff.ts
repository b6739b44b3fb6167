/** The range a capped delay is multiplied by: ±25 %, so many processes do not retry in step. */
export const JITTER_25_PERCENT: readonly [number, number] = [0.75, 1.25];
/** "Equal jitter": half fixed, half random, never above the cap. */
export const EQUAL_JITTER: readonly [number, number] = [0.5, 1];

export interface BackoffPolicy {
  /** The delay at step 0… */
  firstMs: number;
  /** …doubling each step up to this cap (before jitter). */
  maxMs: number;
  /** Default JITTER_25_PERCENT. */
  jitter?: readonly [number, number];
}

/**
 * The one exponential back-off: `firstMs · 2^step`, capped at `maxMs`, times a random factor in
 * the policy's jitter range. Steps past 30 count as 30 (the cap is reached long before).
 */
export function backoffMs(step: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.firstMs * 2 ** Math.min(Math.max(0, step), 30));
  const [low, high] = policy.jitter ?? JITTER_25_PERCENT;
  return Math.round(ceiling * (low + random() * (high - low)));
}

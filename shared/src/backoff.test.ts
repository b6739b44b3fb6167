import fc from 'fast-check';
import { backoffMs, EQUAL_JITTER } from './backoff';

describe('backoffMs', () => {
  it('doubles from firstMs each step up to maxMs, ±25 % by default', () => {
    const policy = { firstMs: 1_000, maxMs: 10_000 };
    expect([0, 1, 2, 3, 4, 40].map((step) => backoffMs(step, policy, () => 0.5))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(backoffMs(1, policy, () => 0)).toBe(1_500);
    expect(backoffMs(1, policy, () => 0.999999)).toBe(2_500);
  });

  it('stays within its jitter range around the capped delay and never shrinks with the step', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 0, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.boolean(),
        (step, firstMs, extra, random, equal) => {
          const policy = { firstMs, maxMs: firstMs + extra, ...(equal ? { jitter: EQUAL_JITTER } : {}) };
          const ceiling = Math.min(policy.maxMs, firstMs * 2 ** Math.min(step, 30));
          const delay = backoffMs(step, policy, () => random);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(ceiling * (equal ? 0.5 : 0.75)));
          expect(delay).toBeLessThanOrEqual(Math.ceil(ceiling * (equal ? 1 : 1.25)));
          expect(backoffMs(step + 1, policy, () => random)).toBeGreaterThanOrEqual(delay);
        },
      ),
    );
  });
});

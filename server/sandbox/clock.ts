/**
 * The sandbox's time: every lifetime and due time it keeps (token and ticket expiry, the
 * authorization time-out, the issuing delay, push retries) is read from one clock, so a test can
 * move time forward instead of sleeping. Real time keeps flowing underneath: a jump ahead makes
 * whatever was due in between due at once, and the background loop (every workerPollMs) acts on it.
 */
export interface SandboxClock {
  now(): Date;
  /** Moves the clock `ms` forward (never back: what was issued or expired stays so). */
  advance(ms: number): Date;
  /** How far ahead of real time the clock is. */
  readonly offsetMs: number;
}

/** Real time, `offsetMs` ahead (0: the wall clock). */
export function sandboxClock(offsetMs = 0): SandboxClock {
  let offset = offsetMs;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`the sandbox clock moves forward by whole milliseconds, not ${ms}`);
      offset += ms;
      return new Date(Date.now() + offset);
    },
    get offsetMs() {
      return offset;
    },
  };
}

/** Falsy answers: not there yet. */
type NotYet = undefined | null | false | '' | 0;

/**
 * Polls `check` until it gives something (not undefined, null, false, '' or 0) and returns that, or
 * fails naming `what` after `timeoutMs`. The one way tests wait: for a state, never for a time.
 */
export async function eventually<T>(check: () => T | NotYet | Promise<T | NotYet>, what = 'condition', timeoutMs = 30_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

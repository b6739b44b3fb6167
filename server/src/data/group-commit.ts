/**
 * Group commit: writes that callers make at nearly the same moment go to the database as one
 * batch (one round trip, one acknowledgement), and each caller still gets its own outcome, only
 * once the batch is acknowledged. A database serves one bulk insert of 100 documents far faster
 * than 100 single inserts, so a burst of pushes stops queueing behind itself.
 */

export interface GroupCommitOptions {
  /** How long the first item of a batch waits for others to join it. */
  windowMs: number;
  /** A batch this full is committed at once, without waiting for the window. */
  maxBatch: number;
}

/** One item's outcome in a committed batch. */
export type ItemOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Returns `submit(item)`, which resolves with the item's own outcome once its batch is committed.
 * `commit(items)` answers one outcome per item, in order; if it throws, every item of that batch
 * fails with the error (nothing is claimed to be stored that may not be).
 */
export function groupCommit<T, R>(commit: (items: readonly T[]) => Promise<ItemOutcome<R>[]>, options: GroupCommitOptions): (item: T) => Promise<R> {
  if (!(options.maxBatch >= 1) || !(options.windowMs >= 0)) throw new RangeError('group commit needs maxBatch ≥ 1 and windowMs ≥ 0');
  type Waiting = { item: T; resolve: (value: R) => void; reject: (error: unknown) => void };
  let waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;

  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = [];
    Promise.resolve()
      .then(() => commit(batch.map((w) => w.item)))
      .then(
        (outcomes) =>
          batch.forEach((w, i) => {
            const outcome = outcomes[i];
            if (!outcome) w.reject(new Error(`group commit: no outcome for item ${i} of ${batch.length}`));
            else if (outcome.ok) w.resolve(outcome.value);
            else w.reject(outcome.error);
          }),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      );
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (waiting.length >= options.maxBatch) flush();
      else timer ??= setTimeout(flush, options.windowMs);
    });
}

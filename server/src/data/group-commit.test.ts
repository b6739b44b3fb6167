import { groupCommit, type ItemOutcome } from './group-commit';

/** A commit function that records the batches it was handed and answers each item by `answer`. */
function recordingCommit<T, R>(answer: (item: T) => ItemOutcome<R>) {
  const batches: T[][] = [];
  const commit = async (items: readonly T[]) => {
    batches.push([...items]);
    return items.map(answer);
  };
  return { batches, commit };
}

describe('groupCommit', () => {
  it('commits items submitted together as one batch and answers each caller with its own outcome', async () => {
    const { batches, commit } = recordingCommit((n: number) => ({ ok: true, value: n * 10 }));
    const submit = groupCommit(commit, { windowMs: 1, maxBatch: 100 });
    const answers = await Promise.all([1, 2, 3, 4, 5].map(submit));
    expect(answers).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('commits a full batch at once and starts the next one', async () => {
    const { batches, commit } = recordingCommit((n: number) => ({ ok: true, value: n }));
    const submit = groupCommit(commit, { windowMs: 1, maxBatch: 4 });
    expect(await Promise.all(Array.from({ length: 10 }, (_, i) => submit(i)))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it("fails only the items the commit refused; the others keep their outcome", async () => {
    const refused = new Error('refused');
    const { commit } = recordingCommit((n: number): ItemOutcome<number> => (n % 2 ? { ok: false, error: refused } : { ok: true, value: n }));
    const submit = groupCommit(commit, { windowMs: 1, maxBatch: 100 });
    const settled = await Promise.allSettled([0, 1, 2, 3].map(submit));
    expect(settled).toEqual([
      { status: 'fulfilled', value: 0 },
      { status: 'rejected', reason: refused },
      { status: 'fulfilled', value: 2 },
      { status: 'rejected', reason: refused },
    ]);
  });

  it('fails every item of a batch whose commit throws, and commits the next batch normally', async () => {
    let calls = 0;
    const submit = groupCommit(
      async (items: readonly string[]) => {
        calls += 1;
        if (calls === 1) throw new Error('database unavailable');
        return items.map((value) => ({ ok: true as const, value }));
      },
      { windowMs: 1, maxBatch: 100 },
    );
    const first = await Promise.allSettled(['a', 'b'].map(submit));
    expect(first.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(await Promise.all(['c', 'd'].map(submit))).toEqual(['c', 'd']);
  });

  it('refuses nonsense options', () => {
    const commit = async () => [];
    expect(() => groupCommit(commit, { windowMs: 1, maxBatch: 0 })).toThrow(RangeError);
    expect(() => groupCommit(commit, { windowMs: -1, maxBatch: 10 })).toThrow(RangeError);
  });
});

/** Runs `work` over items, `lanes` at a time, in order of the items; `stop` ends it early. */
export async function mapPool<T, R>(items: T[], lanes: number, work: (item: T) => Promise<R>, stop: () => boolean = () => false): Promise<(R | undefined)[]> {
  const results = new Array<R | undefined>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length && !stop()) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return results;
}

/**
 * Run fn over items with at most n calls in flight: a sliding window, so one slow call does not hold up the
 * other n - 1 slots the way waves of Promise.all do. Resolves to the results in item order; the first
 * failure rejects (calls already in flight finish on their own).
 */
export async function mapConcurrent<T, R>(items: readonly T[], n: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, lane));
  return out;
}

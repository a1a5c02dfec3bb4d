/**
 * Runs `work` on every item with at most `limit` in flight: enough parallel reads to hide S3 latency without
 * opening thousands of sockets (or files) at once. After a failure no new item starts; the first failure is
 * rethrown once the items in flight have settled.
 */
export async function forEachConcurrently<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency must be a whole number >= 1, got ${limit}`);
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped && next < items.length) {
      const index = next;
      next += 1;
      try {
        signal?.throwIfAborted();
        await work(items[index] as T, index);
      } catch (error) {
        stopped = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

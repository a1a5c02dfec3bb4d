import type { RunView } from './render/run-view.ts';
import { FINAL_EXECUTION_STATUSES, watchLines, type WatchSnapshot } from './render/watch-lines.ts';
import type { RunSource } from './run-sources.ts';

export interface WatchOptions {
  /** Time between two polls. */
  intervalMs: number;
  /** Aborting stops the watching (never the execution) and resolves with undefined. */
  signal?: AbortSignal;
  print: (line: string) => void;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Follows one execution until it ends, printing what changed at each poll (render/watch-lines.ts). Resolves with
 * the final run view, or undefined when the signal stopped the watching first.
 */
export async function watchRun(source: RunSource, reference: string, options: WatchOptions): Promise<RunView | undefined> {
  let previous: WatchSnapshot | undefined;
  for (;;) {
    if (options.signal?.aborted) return undefined;
    const current = await source.snapshot(reference);
    for (const line of watchLines(previous, current)) options.print(line);
    if (FINAL_EXECUTION_STATUSES.has(current.view.status)) return current.view;
    previous = current;
    await pause(options.intervalMs, options.signal);
  }
}

import { ConfigError } from '../core/config/errors.ts';

/** Exit codes of every yolops command. */
export const EXIT = {
  ok: 0,
  /** The thing asked for ran and failed: an invalid dataset, a failed execution, a rejected gate. */
  failed: 1,
  /** Bad usage or bad config: nothing was started. */
  usage: 2,
} as const;

/** A failure the user can act on: printed without a stack trace. */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.usage, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Progress and status lines go to stderr so that stdout stays clean for `--json` and pipes. */
export function info(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

/** Prints an error the way a user should see it and returns the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`yolops: invalid config: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof UserError) {
    process.stderr.write(`yolops: ${error.message}\n`);
    return error.exitCode;
  }
  const err = error instanceof Error ? error : new Error(String(error));
  process.stderr.write(`yolops: unexpected error: ${err.stack ?? err.message}\n`);
  return EXIT.failed;
}

/** Renders rows as an aligned text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

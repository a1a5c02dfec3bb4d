import { isUserError } from '../core/errors.ts';
import { CliError, EXIT } from './errors.ts';

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

export interface ReportOptions {
  /** Print the stack and the chain of causes (`--debug`, YOLOPS_DEBUG=1). */
  debug: boolean;
}

/**
 * Prints an error the way a person should see it and returns the exit code. The error's `audience` decides:
 * a user's mistake is its message alone (what is wrong, where, how to fix it) and exit 2, or the CliError's own
 * code; anything else is unexpected: its name and message, exit 1, and its stack only with `--debug`.
 */
export function reportError(error: unknown, options: ReportOptions): number {
  const err = error instanceof Error ? error : new Error(String(error));
  if (isUserError(err)) {
    process.stderr.write(`yolops: ${err.message}\n`);
    if (options.debug) process.stderr.write(describeForDebugging(err));
    return err instanceof CliError ? err.exitCode : EXIT.usage;
  }
  process.stderr.write(`yolops: unexpected error: ${err.name}: ${err.message}\n`);
  process.stderr.write(options.debug ? describeForDebugging(err) : 'yolops: run it again with --debug (or YOLOPS_DEBUG=1) to see where it happened\n');
  return EXIT.failed;
}

/** The stack of `error` and of each of its causes. */
function describeForDebugging(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    const text = current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current);
    parts.push(depth === 0 ? text : `caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return `${parts.join('\n')}\n`;
}

/** True when the person asked for stacks: `--debug` anywhere before `--`, or YOLOPS_DEBUG=1. */
export function debugRequested(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--debug') || env['YOLOPS_DEBUG'] === '1';
}

/** Renders rows as an aligned text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

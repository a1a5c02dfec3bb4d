import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface ContainerProcessOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stdout and stderr, interleaved as they arrive (what CloudWatch shows for a job). */
  logFile: string;
  /** The job's MaxRuntimeInSeconds: the process group is killed past it. */
  timeoutSeconds?: number;
  signal?: AbortSignal;
  /** Each complete output line (split on \n and \r, so progress bars give lines too). */
  onLine?: (line: string) => void;
  /** Called with the process group id once the process started. */
  onSpawn?: (pid: number) => void;
}

export interface ContainerProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  /** The last lines of output, for a failure reason when the job wrote none. */
  tail: string[];
}

const TAIL_LINES = 30;
const KILL_GRACE_MS = 5_000;

/** Process groups still running, killed when this process exits so no training outlives the runner. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ESRCH')) throw error;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

/**
 * Runs a job's process in its own process group (Ultralytics starts data-loader workers; killing only the
 * main PID would leave them), streams its output to the log file and to `onLine`, and enforces the timeout
 * and the abort signal by killing the whole group.
 */
export async function runContainerProcess(options: ContainerProcessOptions): Promise<ContainerProcessResult> {
  await mkdir(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const tail: string[] = [];
  const pushLine = (line: string): void => {
    if (line.trim() === '') return;
    tail.push(line);
    if (tail.length > TAIL_LINES) tail.shift();
    options.onLine?.(line);
  };
  installExitHook();

  const child = spawn(options.command, options.args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid !== undefined) {
    liveGroups.add(pid);
    options.onSpawn?.(pid);
  }

  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      log.write(chunk);
      pending += chunk.toString('utf8');
      const parts = pending.split(/\r\n|\n|\r/);
      pending = parts.pop() ?? '';
      for (const line of parts) pushLine(line);
    });
    stream.on('end', () => {
      if (pending) pushLine(pending);
      pending = '';
    });
  }

  let timedOut = false;
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (): void => {
    if (pid === undefined) return;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
  };
  const timeout = options.timeoutSeconds !== undefined ? setTimeout(() => ((timedOut = true), stop()), options.timeoutSeconds * 1000) : undefined;
  const onAbort = (): void => {
    aborted = true;
    stop();
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise, reject) => {
      child.once('error', reject);
      // 'close' waits for the output streams too, so the log is complete when we read the tail.
      child.once('close', (code, signal) => resolvePromise({ code, signal }));
    });
    // The main process is gone; anything it left in its group goes too.
    if (pid !== undefined) killGroup(pid, 'SIGKILL');
    return { exitCode: code, signal, timedOut, aborted, tail };
  } finally {
    if (pid !== undefined) liveGroups.delete(pid);
    if (timeout) clearTimeout(timeout);
    if (killTimer) clearTimeout(killTimer);
    options.signal?.removeEventListener('abort', onAbort);
    await new Promise<void>((resolvePromise, reject) => log.end((error?: Error | null) => (error ? reject(error) : resolvePromise())));
  }
}

/** A one-line description of how a process ended, for failure reasons. */
export function describeExit(result: ContainerProcessResult, timeoutSeconds?: number): string {
  if (result.aborted) return 'stopped before it finished (the run was interrupted)';
  if (result.timedOut) return `stopped after MaxRuntimeInSeconds (${timeoutSeconds ?? '?'} s)`;
  if (result.signal) return `killed by ${result.signal}`;
  return `exited with code ${result.exitCode}`;
}

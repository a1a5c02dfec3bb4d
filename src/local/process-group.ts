import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { LocalError } from './errors.ts';

/**
 * Servers this project starts for a while (MLflow, and moto in the tests) run in their own process group, so
 * stopping them stops their workers too: killing only the first PID leaves gunicorn or werkzeug children behind.
 * The exit and signal hooks kill every group still running when this process ends.
 */

const STOP_GRACE_MS = 10_000;
/** Groups this process started and has not stopped yet. */
const running = new Set<number>();
let hooksInstalled = false;

/** A server process did not start or stop; a port the person chose being taken is theirs to change (`user`). */
export class ProcessGroupError extends LocalError {}

export interface GroupServerOptions {
  /** What to call it in errors ("MLflow server"). */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Where its stdout and stderr go (appended). */
  logFile: string;
  /** Answers 2xx once the server is ready. */
  healthUrl: string;
  startTimeoutMs: number;
  /** Builds the error for a failure (so each caller keeps its own error class). */
  error?: (message: string, options: { cause?: unknown; audience?: 'user' | 'internal' }) => Error;
  /**
   * Reads a health answer that is not 2xx: a reason when the server says it will never be ready (the wait ends
   * at once with that reason), undefined to keep waiting. Without it, only the timeout ends the wait.
   */
  startFailure?: (answer: { status: number; body: string }) => string | undefined;
}

/** How a group's leader process ended. */
export interface GroupExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when stop() ended it; false when it ended on its own (a crash, an OOM kill, someone's kill). */
  stopped: boolean;
}

export interface GroupServer {
  /** The process group id (the server's pid). */
  pgid: number;
  /** Stops the whole group (SIGTERM, then SIGKILL after a grace period) and waits until it is gone. */
  stop(): Promise<void>;
  /** Resolves when the leader process exits, whoever ended it: a caller that did not stop it learns it died. */
  exited: Promise<GroupExit>;
  /** The last lines of the log (what a person needs when the server died). */
  logTail(lines?: number): Promise<string>;
}

/**
 * Starts `command` in its own process group and resolves once `healthUrl` answers. On any failure to start,
 * the group is killed before the error is thrown, with the last lines of the log in the message.
 */
export async function startGroupServer(options: GroupServerOptions): Promise<GroupServer> {
  const makeError = options.error ?? ((message, o) => new ProcessGroupError(message, o));
  const log = await open(options.logFile, 'a');
  installHooks();
  const child = spawn(options.command, [...options.args], { detached: true, stdio: ['ignore', log.fd, log.fd], env: options.env ?? process.env });
  await log.close();
  const pgid = child.pid;
  if (pgid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw makeError(`cannot start ${options.command}: ${error.message}`, { cause: error });
  }
  running.add(pgid);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let stopping = false;
  const exitPromise = new Promise<GroupExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve({ code, signal, stopped: stopping });
    });
  });
  child.once('error', () => undefined); // spawn errors after start surface as 'exit'; the wait below reports them

  const stop = async (): Promise<void> => {
    if (!running.has(pgid)) return;
    stopping = true;
    signalGroup(pgid, 'SIGTERM');
    if (!(await waitForGroupExit(pgid, STOP_GRACE_MS))) {
      signalGroup(pgid, 'SIGKILL');
      if (!(await waitForGroupExit(pgid, 5_000))) throw makeError(`${options.name} process group ${pgid} is still alive after SIGKILL`, {});
    }
    await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 1_000))]);
    running.delete(pgid);
  };

  const deadline = Date.now() + options.startTimeoutMs;
  try {
    for (;;) {
      if (exited) throw makeError(`${options.name} exited while starting (${exited.signal ?? `code ${exited.code}`}); last lines of ${options.logFile}:\n${await tailOf(options.logFile)}`, {});
      const health = await checkHealth(options.healthUrl);
      if (health === true) break;
      const failure = health && options.startFailure?.(health);
      if (failure) throw makeError(`${options.name} cannot start: ${failure}; last lines of ${options.logFile}:\n${await tailOf(options.logFile)}`, {});
      if (Date.now() > deadline) throw makeError(`${options.name} did not answer ${options.healthUrl} within ${options.startTimeoutMs} ms; last lines of ${options.logFile}:\n${await tailOf(options.logFile)}`, {});
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { pgid, stop, exited: exitPromise, logTail: (lines) => tailOf(options.logFile, lines) };
}

/** True when the health URL answers 2xx; its answer otherwise; undefined while nothing answers. */
async function checkHealth(url: string): Promise<true | { status: number; body: string } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    const body = await response.text();
    return response.ok ? true : { status: response.status, body };
  } catch {
    return undefined; // not listening yet: the caller retries until its deadline and then reports the log
  }
}

async function tailOf(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => `(cannot read the log: ${(error as Error).message})`);
  return text.split('\n').slice(-lines).join('\n');
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Fails with a `user` error when something listens on the port already (it would answer in our server's place). */
export async function assertPortFree(port: number, makeError: (message: string, options: { cause?: unknown; audience?: 'user' | 'internal' }) => Error): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: Error & { code?: string }) =>
      reject(
        error.code === 'EADDRINUSE'
          ? makeError(`port ${port} on 127.0.0.1 is in use: pick another (or leave the port to the runner)`, { cause: error, audience: 'user' })
          : makeError(`cannot use port ${port}: ${error.message}`, { cause: error }),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ESRCH')) throw error;
  }
}

/** True while any process of the group is left. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ESRCH') return false;
    throw error;
  }
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const pgid of running) signalGroup(pgid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      for (const pgid of running) signalGroup(pgid, 'SIGTERM');
      // Alone, we restore the default (exit by the signal); beside another handler (the CLI's), that one decides.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
  }
}

import { spawn } from 'node:child_process';
import { mkdir, open, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { LocalError } from '../errors.ts';
import type { PythonEnvironment } from '../python-env.ts';

export interface MlflowServerOptions {
  python: PythonEnvironment;
  /** The sqlite file of runs and experiments (`<root>/mlflow/mlflow.db`). */
  backendStoreDb: string;
  /** Where proxied artifacts go: the MLflow artifacts bucket folder. */
  artifactsDir: string;
  /** The server's output. @default `<dir of backendStoreDb>/server.log` */
  logFile?: string;
  /** @default a free port on 127.0.0.1 */
  port?: number;
  /** @default 120000 (the server imports a lot; about 13 s on a 2-core machine) */
  startTimeoutMs?: number;
}

export interface MlflowServer {
  url: string;
  /** Process group id (the server's pid): the server and its uvicorn workers. */
  pgid: number;
  logFile: string;
  /** Stops the whole process group (SIGTERM, then SIGKILL after a grace period) and waits until it is gone. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
/** Groups this process started and has not stopped yet: the exit and signal hooks kill them. */
const running = new Set<number>();
let hooksInstalled = false;

/** The MLflow server did not start or stop; a port the person chose being taken is theirs to change (`user`). */
export class MlflowServerError extends LocalError {}

/**
 * Starts `mlflow server` with a sqlite store and proxied artifacts in its own process group on a free loopback
 * port, and resolves once `/health` answers. On any failure to start, the group is killed before the error is
 * thrown. The group is also killed when this process exits or gets SIGINT/SIGTERM.
 */
export async function startMlflowServer(options: MlflowServerOptions): Promise<MlflowServer> {
  const port = options.port ?? (await freeLoopbackPort());
  // Another server on the port would answer /health in our place, so a taken port must fail here.
  await assertPortFree(port);
  const url = `http://127.0.0.1:${port}`;
  const logFile = options.logFile ?? join(dirname(options.backendStoreDb), 'server.log');
  await mkdir(dirname(options.backendStoreDb), { recursive: true });
  await mkdir(options.artifactsDir, { recursive: true });
  await mkdir(dirname(logFile), { recursive: true });
  const log = await open(logFile, 'a');
  installHooks();
  const mlflow = join(options.python.binDir, 'mlflow');
  const child = spawn(
    mlflow,
    ['server', '--backend-store-uri', `sqlite:///${options.backendStoreDb}`, '--artifacts-destination', options.artifactsDir, '--host', '127.0.0.1', '--port', String(port), '--workers', '1'],
    {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      // MLflow's background job runner (for its GenAI jobs) would add a dozen processes we never use.
      env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', PYTHONUNBUFFERED: '1' },
    },
  );
  await log.close();
  const pgid = child.pid;
  if (pgid === undefined) {
    const error = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new MlflowServerError(`cannot start ${mlflow}: ${error.message}`, { cause: error });
  }
  running.add(pgid);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  child.once('error', () => undefined); // spawn errors after start surface as 'exit'; the wait below reports them

  const stop = async (): Promise<void> => {
    if (!running.has(pgid)) return;
    signalGroup(pgid, 'SIGTERM');
    const gone = await waitForGroupExit(pgid, STOP_GRACE_MS);
    if (!gone) {
      signalGroup(pgid, 'SIGKILL');
      if (!(await waitForGroupExit(pgid, 5_000))) throw new MlflowServerError(`MLflow server process group ${pgid} is still alive after SIGKILL`);
    }
    await Promise.race([exitPromise, new Promise((r) => setTimeout(r, 1_000))]);
    running.delete(pgid);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  try {
    for (;;) {
      if (exited) throw new MlflowServerError(`MLflow server exited while starting (${exited.signal ?? `code ${exited.code}`}); last lines of ${logFile}:\n${await tailOf(logFile)}`);
      if (await healthy(url)) break;
      if (Date.now() > deadline) throw new MlflowServerError(`MLflow server did not answer ${url}/health within ${options.startTimeoutMs ?? 120_000} ms; last lines of ${logFile}:\n${await tailOf(logFile)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pgid, logFile, stop };
}

/** Starts a server for the duration of `fn` and always stops it. */
export async function withMlflowServer<T>(options: MlflowServerOptions, fn: (server: MlflowServer) => Promise<T>): Promise<T> {
  const server = await startMlflowServer(options);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    await response.text();
    return response.ok;
  } catch {
    return false; // not listening yet: the caller retries until its deadline and then reports the log
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

async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: Error & { code?: string }) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new MlflowServerError(`port ${port} on 127.0.0.1 is in use: pick another (or leave the port to the runner)`, { cause: error, audience: 'user' })
          : new MlflowServerError(`cannot use port ${port}: ${error.message}`, { cause: error }),
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

/** True when no process of the group is left. */
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

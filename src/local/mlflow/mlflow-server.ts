import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LocalError } from '../errors.ts';
import { assertPortFree, freeLoopbackPort, startGroupServer } from '../process-group.ts';
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

/** The MLflow server did not start or stop; a port the person chose being taken is theirs to change (`user`). */
export class MlflowServerError extends LocalError {}

const makeError = (message: string, options: { cause?: unknown; audience?: 'user' | 'internal' }): Error => new MlflowServerError(message, options);

/**
 * Starts `mlflow server` with a sqlite store and proxied artifacts in its own process group on a free loopback
 * port, and resolves once `/health` answers. On any failure to start, the group is killed before the error is
 * thrown. The group is also killed when this process exits or gets SIGINT/SIGTERM.
 */
export async function startMlflowServer(options: MlflowServerOptions): Promise<MlflowServer> {
  const port = options.port ?? (await freeLoopbackPort());
  // Another server on the port would answer /health in our place, so a taken port must fail here.
  await assertPortFree(port, makeError);
  const url = `http://127.0.0.1:${port}`;
  const logFile = options.logFile ?? join(dirname(options.backendStoreDb), 'server.log');
  await mkdir(dirname(options.backendStoreDb), { recursive: true });
  await mkdir(options.artifactsDir, { recursive: true });
  await mkdir(dirname(logFile), { recursive: true });
  const server = await startGroupServer({
    name: 'MLflow server',
    command: join(options.python.binDir, 'mlflow'),
    args: ['server', '--backend-store-uri', `sqlite:///${options.backendStoreDb}`, '--artifacts-destination', options.artifactsDir, '--host', '127.0.0.1', '--port', String(port), '--workers', '1'],
    // MLflow's background job runner (for its GenAI jobs) would add a dozen processes we never use.
    env: { ...process.env, MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false', PYTHONUNBUFFERED: '1' },
    logFile,
    healthUrl: `${url}/health`,
    startTimeoutMs: options.startTimeoutMs ?? 120_000,
    error: makeError,
  });
  return { url, pgid: server.pgid, logFile, stop: server.stop };
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

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalError } from '../errors.ts';
import { assertPortFree, freeLoopbackPort, startGroupServer } from '../process-group.ts';
import { assertPythonEnvironment, jobEnvironment, type PythonEnvironment } from '../python-env.ts';

export interface ModelServerOptions {
  python: PythonEnvironment;
  /** The `training/` folder holding the `serve` entrypoint (training/yolops_serving). */
  trainingDir: string;
  /** best.pt, a model.tar.gz or a folder holding one: what `serve --model-dir` accepts. */
  model: string;
  /** Scratch space of the server: Ultralytics' config dir, best.pt extracted from the archive. */
  workDir: string;
  /** The server's output (appended). */
  logFile: string;
  /** @default '127.0.0.1': a model server is for this machine unless the person opens it up */
  host?: string;
  /** @default a free port on 127.0.0.1 */
  port?: number;
  /**
   * The container environment the version was registered with (its inference spec, e.g. YOLOPS_INFERENCE_RUNTIME),
   * as SageMaker would set it; a variable this process already has wins, so a person can override it locally.
   */
  registeredEnvironment?: Readonly<Record<string, string>>;
  /** @default 180000: /ping answers 200 only after the model is loaded and a first prediction ran */
  startTimeoutMs?: number;
}

export interface ModelServer {
  /** `http://<host>:<port>`. */
  url: string;
  /** `<url>/invocations`: where images are POSTed. */
  endpoint: string;
  pgid: number;
  logFile: string;
  /** Stops the server's process group (uvicorn and its workers) and waits until it is gone. */
  stop(): Promise<void>;
  /**
   * Resolves, with what happened and the last lines of its log, only if the server exits without stop() being
   * called (a crash, an out-of-memory kill): whoever holds a running server must notice it is gone.
   */
  died: Promise<string>;
}

/** The model server did not start or stop; a port the person chose being taken is theirs to change (`user`). */
export class ModelServerError extends LocalError {}

/**
 * The server started but says the model will never load (a corrupt or foreign best.pt): the model is at fault,
 * not this machine, so the person is told the server's reason and to serve another version.
 */
export class ModelLoadError extends ModelServerError {
  readonly reason: string;
  constructor(reason: string, model: string, logFile: string) {
    super(`the model server could not load ${model}: ${reason} (server log: ${logFile})`, { audience: 'user' });
    this.reason = reason;
  }
}

/** The /ping answer that means the model will never load; 503 "the model is loading" means wait. */
const LOAD_FAILURE = /^the model failed to load: /;

/** The reason in a 503 /ping answer that says the model failed to load; undefined for any other answer. */
export function loadFailureReason(answer: { status: number; body: string }): string | undefined {
  if (answer.status !== 503) return undefined;
  let error: unknown;
  try {
    error = (JSON.parse(answer.body) as { error?: unknown }).error;
  } catch {
    return undefined; // not the server's JSON: something else answers; keep waiting for ours
  }
  // One line: Ultralytics' messages span several, and the CLI prints errors as one line.
  return typeof error === 'string' && LOAD_FAILURE.test(error) ? error.replace(LOAD_FAILURE, '').replace(/\s*\n\s*/g, ' ').trim() : undefined;
}

const makeError = (message: string, options: { cause?: unknown; audience?: 'user' | 'internal' }): Error => new ModelServerError(message, options);

const DEFAULT_HOST = '127.0.0.1';

/** The address the health check (and a person on this machine) reaches a server bound to `host` at. */
export function reachableHost(host: string): string {
  // A wildcard bind answers on loopback too; a named address answers only there.
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts `training/serve` with the project's Python in its own process group and resolves once `/ping` answers
 * 200, which it does only after the model is loaded and warmed up (503 before). On any failure to start, the
 * group is killed before the error is thrown; it is also killed when this process exits or gets SIGINT/SIGTERM.
 */
export async function startModelServer(options: ModelServerOptions): Promise<ModelServer> {
  assertPythonEnvironment(options.python);
  const serve = join(options.trainingDir, 'serve');
  if (!existsSync(serve)) throw new ModelServerError(`no inference server at ${serve}: the project's training/ folder must hold \`serve\` and yolops_serving/`, { audience: 'user' });
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? (await freeLoopbackPort());
  // Another server on the port would answer /ping in our place, so a taken port must fail here.
  await assertPortFree(port, makeError);
  await mkdir(options.workDir, { recursive: true });
  const url = `http://${reachableHost(host)}:${port}`;
  let loadFailure: string | undefined;
  const startFailure = (answer: { status: number; body: string }): string | undefined => (loadFailure = loadFailureReason(answer));
  const server = await startGroupServer({
    name: 'model server',
    command: options.python.python,
    args: [serve, '--model-dir', options.model, '--port', String(port), '--host', host],
    env: jobEnvironment(options.python, { YOLOPS_WORK_DIR: options.workDir }, { ...options.registeredEnvironment, ...process.env }),
    logFile: options.logFile,
    healthUrl: `${url}/ping`,
    startTimeoutMs: options.startTimeoutMs ?? 180_000,
    error: makeError,
    startFailure,
  }).catch((error: unknown) => {
    // startGroupServer has stopped the group already; the model's own reason is what the person needs.
    throw loadFailure === undefined ? error : new ModelLoadError(loadFailure, options.model, options.logFile);
  });
  const died = server.exited.then(async (exit) =>
    exit.stopped
      ? new Promise<string>(() => undefined) // stopped on purpose: nothing to report, ever
      : `the model server (pid ${server.pgid}) exited on its own (${exit.signal ?? `code ${exit.code}`}); last lines of ${options.logFile}:\n${await server.logTail()}`,
  );
  return { url, endpoint: `${url}/invocations`, pgid: server.pgid, logFile: options.logFile, stop: server.stop, died };
}

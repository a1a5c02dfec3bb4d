import type { ModelRegistry } from '../../core/registry/model-registry.ts';
import type { ModelVersionRecord } from '../../core/registry/model-version.ts';
import { stageProblem } from '../stages/stage-choice.ts';
import { removeFollowerState, writeFollowerState } from '../stages/stage-followers.ts';
import type { LocalStage, StageRecord } from '../stages/stage-record.ts';
import { StageError, type LocalStageStore } from '../stages/stage-store.ts';
import type { ModelServer } from './model-server.ts';
import { startReverseProxy } from './reverse-proxy.ts';

/** What a follower tells the person: each is one line (the CLI decides stdout or stderr). */
export type FollowEvent =
  | { kind: 'starting'; from: number; to: number }
  | { kind: 'switched'; from: number; to: number }
  /** The new version's server did not start: the previous one still answers. */
  | { kind: 'switch-failed'; to: number; still: number; reason: string }
  /** The stage record cannot be used right now (broken, removed, another group): nothing changes. */
  | { kind: 'record-problem'; reason: string };

export interface StageFollowerOptions {
  stage: LocalStage;
  stages: LocalStageStore;
  registry: ModelRegistry;
  /** The project's model package group. */
  group: string;
  /** Starts a model server for a version on a free loopback port; resolves once it answers /ping with 200. */
  startServer: (record: ModelVersionRecord) => Promise<ModelServer>;
  /** Where the stable address listens. @default '127.0.0.1' */
  host?: string;
  /** @default a free one */
  port?: number;
  /** How often the stage record is read. @default 1000 */
  pollMs?: number;
  onEvent?: (event: FollowEvent) => void;
}

export interface StageFollower {
  /** `<stable url>/invocations`. */
  endpoint: string;
  url: string;
  /** The version answering now. */
  version(): number;
  /** Resolves, with the reason and the log's tail, if the serving model server exits on its own. */
  died: Promise<string>;
  /** Stops following, the proxy and the server. */
  stop(): Promise<void>;
}

/**
 * Serves what a local stage names and follows it: a stable address (a reverse proxy) in front of the version's
 * model server. When the stage record names another version, that version's server is started beside the old
 * one, the proxy switches to it once it answers /ping with 200, and the old one is stopped after its requests
 * are answered: a blue/green update with no refused request. If the new server does not start, the old one
 * keeps serving and the same change is not tried again (a later change of the record is).
 */
export async function followStage(options: StageFollowerOptions): Promise<StageFollower> {
  const { stage, stages, registry, group } = options;
  const file = stages.path(stage);
  const first = await stages.read(stage);
  const problem = stageProblem(stage, first, group, file);
  if (problem || !first) throw new StageError(problem ?? `the local ${stage} stage names no version`, { audience: 'user' });
  let active = { server: await options.startServer(await versionOf(registry, first)), version: first.version };
  const proxy = await startReverseProxy({ upstream: { url: active.server.url, version: active.version }, ...(options.host ? { host: options.host } : {}), ...(options.port ? { port: options.port } : {}) }).catch(async (error: unknown) => {
    await active.server.stop();
    throw error;
  });
  const endpoint = `${proxy.url}/invocations`;
  const stagesDir = stages.dir;
  let since = new Date().toISOString();
  /** A change that failed: not retried until the record changes again (another version, or the same one re-set). */
  let failed: { version: number; since: string; reason: string } | undefined;
  const publish = (): Promise<void> =>
    writeFollowerState(stagesDir, { schemaVersion: 1, stage, pid: process.pid, endpoint, version: active.version, serverPid: active.server.pgid, since, ...(failed ? { failed: { version: failed.version, reason: failed.reason } } : {}) });
  const forget = (): void => removeFollowerState(stagesDir, stage, process.pid);
  process.once('exit', forget);
  await publish();

  let reportDied: (message: string) => void = () => undefined;
  const died = new Promise<string>((resolve) => (reportDied = resolve));
  const watchServer = (server: ModelServer): void => {
    void server.died.then((message) => {
      if (active.server === server) reportDied(message);
    });
  };
  watchServer(active.server);

  let stopping = false;
  let lastProblem: string | undefined;
  // Once stopping, a server start cut short by the shutdown is no news.
  const say = (event: FollowEvent): void => {
    if (!stopping) options.onEvent?.(event);
  };
  const problemOnce = (reason: string): void => {
    if (reason !== lastProblem) say({ kind: 'record-problem', reason });
    lastProblem = reason;
  };

  const tick = async (): Promise<void> => {
    let record: StageRecord | undefined;
    try {
      record = await stages.read(stage);
    } catch (error) {
      return problemOnce(`${(error as Error).message}\nstill serving version ${active.version}`);
    }
    const recordProblem = stageProblem(stage, record, group, file);
    if (recordProblem || !record) return problemOnce(`${recordProblem ?? ''}; still serving version ${active.version}`);
    lastProblem = undefined;
    if (record.version === active.version) {
      if (failed) {
        failed = undefined;
        await publish();
      }
      return;
    }
    if (failed && failed.version === record.version && failed.since === record.since) return;
    const from = active.version;
    const to = record.version;
    say({ kind: 'starting', from, to });
    let next: ModelServer;
    try {
      next = await options.startServer(await versionOf(registry, record));
    } catch (error) {
      failed = { version: to, since: record.since, reason: (error as Error).message };
      await publish();
      return say({ kind: 'switch-failed', to, still: from, reason: (error as Error).message });
    }
    if (stopping) return next.stop();
    const old = active.server;
    const switching = proxy.switchTo({ url: next.url, version: to });
    active = { server: next, version: to };
    watchServer(next);
    await switching;
    await old.stop();
    failed = undefined;
    since = new Date().toISOString();
    await publish();
    say({ kind: 'switched', from, to });
  };

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const schedule = (): void => {
    timer = setTimeout(() => {
      running = tick()
        .catch((error: unknown) => problemOnce(`following the ${stage} stage failed: ${(error as Error).message}; still serving version ${active.version}`))
        .finally(() => {
          if (!stopping) schedule();
        });
    }, options.pollMs ?? 1_000);
  };
  schedule();

  return {
    endpoint,
    url: proxy.url,
    version: () => active.version,
    died,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await running;
      await proxy.close();
      await active.server.stop();
      forget();
      process.removeListener('exit', forget);
    },
  };
}

async function versionOf(registry: ModelRegistry, record: StageRecord): Promise<ModelVersionRecord> {
  try {
    return await registry.get(record.modelPackageGroupName, record.version);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'NotFound') {
      throw new StageError(`the local ${record.stage} stage names ${record.modelPackageGroupName} version ${record.version}, which is not in the local registry: point the stage at another version`, { audience: 'user', cause: error });
    }
    throw error;
  }
}

import { join } from 'node:path';
import type { CdkContext } from '../core/config/cdk-context.ts';
import { resourceNames } from '../core/naming.ts';
import type { ObjectStore } from '../core/storage/object-store.ts';
import { formatS3Uri } from '../core/storage/s3-uri.ts';
import { FolderObjectStore } from './folder-object-store.ts';
import { localLayout, REPO_ROOT } from './layout.ts';
import { startMlflowServer } from './mlflow/mlflow-server.ts';
import { pythonEnvironment } from './python-env.ts';
import { runPipelineLocally, type RunPipelineLocallyOptions } from './run-pipeline.ts';
import { DatasetClaims } from './watch/dataset-claims.ts';
import { DATASET_PREFIXES, scanDatasetVersions } from './watch/dataset-scan.ts';
import { WatchDecider, type WatchDecision } from './watch/watch-decisions.ts';

export type WatchEvent =
  | { type: 'watching'; bucket: string; prefixes: readonly string[] }
  | { type: 'dataset-waiting'; key: string; reason: string }
  | { type: 'dataset-starting'; key: string; inputDataUri: string }
  | { type: 'dataset-finished'; key: string; executionId?: string; status?: string }
  | { type: 'dataset-start-failed'; key: string; error: string }
  | { type: 'scan-failed'; error: string };

/** What starting a version yields, recorded on its claim. */
export interface StartOutcome {
  executionId?: string;
  status?: string;
}

export interface DatasetWatcherOptions {
  store: ObjectStore;
  bucket: string;
  claims: DatasetClaims;
  /** Starts one execution on a dataset version and resolves when it is over. Versions start one at a time. */
  start(inputDataUri: string, key: string): Promise<StartOutcome>;
  /** How long a complete version must stay unchanged before it starts. @default 10000 */
  settleMs?: number;
  /** @default 2000 */
  pollMs?: number;
  prefixes?: readonly string[];
  now?: () => number;
  onEvent?: (event: WatchEvent) => void;
}

/**
 * Watches the training data bucket and starts one execution per complete dataset version (a folder directly
 * under `split_dataset/` or `sample_dataset/` holding data.yaml). It polls (portable, and a listing is what the
 * completeness check needs anyway). A version is claimed durably before it starts, so it never starts twice,
 * across restarts and beside `yolops run` (which claims the versions it uploads).
 */
export class DatasetWatcher {
  private readonly options: DatasetWatcherOptions;
  private readonly decider: WatchDecider;
  private readonly lastReason = new Map<string, string>();

  constructor(options: DatasetWatcherOptions) {
    this.options = options;
    this.decider = new WatchDecider(options.settleMs ?? 10_000);
  }

  private emit(event: WatchEvent): void {
    this.options.onEvent?.(event);
  }

  /** One scan: decide, then start (sequentially) every version that is ready. Returns the decisions. */
  async pollOnce(): Promise<WatchDecision[]> {
    const { store, bucket, claims } = this.options;
    const observations = await scanDatasetVersions(store, bucket, this.options.prefixes ?? DATASET_PREFIXES);
    const claimed = new Set<string>();
    for (const o of observations) if (await claims.get(o.key)) claimed.add(o.key);
    const decisions = this.decider.decide(observations, (this.options.now ?? Date.now)(), claimed);
    for (const decision of decisions) {
      if (decision.kind === 'wait' && this.lastReason.get(decision.key) !== decision.reason) {
        this.lastReason.set(decision.key, decision.reason);
        this.emit({ type: 'dataset-waiting', key: decision.key, reason: decision.reason });
      }
      if (decision.kind !== 'start') continue;
      this.lastReason.delete(decision.key);
      // Another watcher or `yolops run` may have claimed it since the scan: the exclusive claim decides.
      if (!(await claims.claim(decision.key, 'watcher'))) continue;
      const inputDataUri = formatS3Uri(bucket, `${decision.key}/`);
      this.emit({ type: 'dataset-starting', key: decision.key, inputDataUri });
      try {
        const outcome = await this.options.start(inputDataUri, decision.key);
        await claims.recordOutcome(decision.key, outcome);
        this.emit({ type: 'dataset-finished', key: decision.key, ...outcome });
      } catch (error) {
        const message = (error as Error).message;
        await claims.recordOutcome(decision.key, { error: message });
        this.emit({ type: 'dataset-start-failed', key: decision.key, error: message });
      }
    }
    return decisions;
  }

  /** Polls until `signal` aborts. A failed scan is reported and retried at the next poll. */
  async run(signal: AbortSignal): Promise<void> {
    this.emit({ type: 'watching', bucket: this.options.bucket, prefixes: this.options.prefixes ?? DATASET_PREFIXES });
    while (!signal.aborted) {
      try {
        await this.pollOnce();
      } catch (error) {
        this.emit({ type: 'scan-failed', error: (error as Error).message });
      }
      await new Promise<void>((resolve) => {
        const onAbort = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, this.options.pollMs ?? 2_000);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}

export interface WatchLocallyOptions extends Omit<RunPipelineLocallyOptions, 'datasetDir' | 'datasetVersion' | 'inputDataUri' | 'signal' | 'context'> {
  context: Pick<CdkContext, 'project_name' | 'aws_account_id'>;
  signal: AbortSignal;
  settleMs?: number;
  pollMs?: number;
  onWatchEvent?: (event: WatchEvent) => void;
}

/**
 * `yolops watch`: watches the local training data bucket folder and runs the pipeline (with the dataset
 * validator first, as the trigger Lambda does) on each new complete dataset version, until `signal` aborts.
 */
export async function watchLocally(options: WatchLocallyOptions): Promise<void> {
  const layout = localLayout(options.root);
  const bucket = resourceNames(options.context).trainingDataBucket;
  const store = new FolderObjectStore({ root: layout.buckets });
  await store.createBucket(bucket);
  const { settleMs, pollMs, onWatchEvent, signal, ...runOptions } = options;
  const env = options.env ?? process.env;
  // One MLflow server for the watcher's lifetime instead of one per execution (each start takes seconds).
  const needsServer = !env['MLFLOW_TRACKING_URI']?.trim() && options.parameterOverrides?.['MlflowTrackingUri'] === undefined;
  const server = needsServer
    ? await startMlflowServer({ python: pythonEnvironment(options.venvDir ?? join(REPO_ROOT, '.venv')), backendStoreDb: layout.mlflowDb, artifactsDir: store.bucketPath(resourceNames(options.context).mlflowArtifactsBucket) })
    : undefined;
  if (server) options.onEvent?.({ type: 'mlflow-server-started', url: server.url });
  const runEnv = server ? { ...env, MLFLOW_TRACKING_URI: server.url } : env;
  const watcher = new DatasetWatcher({
    store,
    bucket,
    claims: new DatasetClaims(layout.watch),
    ...(settleMs !== undefined ? { settleMs } : {}),
    ...(pollMs !== undefined ? { pollMs } : {}),
    ...(onWatchEvent ? { onEvent: onWatchEvent } : {}),
    start: async (inputDataUri) => {
      const record = await runPipelineLocally({ ...runOptions, env: runEnv, inputDataUri, validateDataset: true, signal });
      return { executionId: record.executionId, status: record.status };
    },
  });
  try {
    await watcher.run(signal);
  } finally {
    await server?.stop();
  }
}

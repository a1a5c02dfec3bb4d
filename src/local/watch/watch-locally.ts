import { join } from 'node:path';
import type { CdkContext } from '../../core/config/cdk-context.ts';
import { DEFAULT_LABEL_FORMAT, type LabelFormat } from '../../core/dataset/label-formats.ts';
import { resourceNames } from '../../core/naming.ts';
import type { ExecutionRecord } from '../executions/execution-record.ts';
import { ExecutionStore } from '../executions/execution-store.ts';
import { isProcessAlive } from '../executions/process-ref.ts';
import { FolderObjectStore } from '../folder-object-store.ts';
import { parseJsonText } from '../json.ts';
import { localLayout, REPO_ROOT } from '../layout.ts';
import { startMlflowServer } from '../mlflow/mlflow-server.ts';
import { parsePipelineDefinition } from '../pipeline/runnable-pipeline.ts';
import { pythonEnvironment } from '../python-env.ts';
import { newExecutionId, retryPipelineLocally, runPipelineLocally, type RunPipelineLocallyOptions } from '../run-pipeline.ts';
import { DatasetClaims, type DatasetClaim } from './dataset-claims.ts';
import { DatasetWatcher, type StartOutcome, type WatchEvent } from './dataset-watcher.ts';
import { localStartInput } from './start-input.ts';

export interface WatchLocallyOptions extends Omit<RunPipelineLocallyOptions, 'datasetDir' | 'datasetVersion' | 'inputDataUri' | 'signal' | 'context' | 'executionId' | 'mlflowServer'> {
  context: Pick<CdkContext, 'project_name' | 'aws_account_id'>;
  signal: AbortSignal;
  settleMs?: number;
  pollMs?: number;
  onWatchEvent?: (event: WatchEvent) => void;
}

const outcomeOf = (record: ExecutionRecord): StartOutcome => ({ executionId: record.executionId, status: record.status });

/**
 * `yolops local watch`: watches the local training data bucket folder and runs the pipeline (with the dataset
 * validator first, as the trigger Lambda does) on each new complete dataset version, and on each labelled-data
 * version with its detected InputFormat (the Preprocess step converts and validates it), until `signal` aborts.
 * On start it first continues the versions it claimed whose execution was stopped (Ctrl-C, a killed runner):
 * `runs retry` semantics, so finished steps and trained epochs are kept.
 */
export async function watchLocally(options: WatchLocallyOptions): Promise<void> {
  const layout = localLayout(options.root);
  const names = resourceNames(options.context);
  const bucket = names.trainingDataBucket;
  const store = new FolderObjectStore({ root: layout.buckets });
  await store.createBucket(bucket);
  const { settleMs, pollMs, onWatchEvent, signal, ...runOptions } = options;
  const env = options.env ?? process.env;
  // One MLflow server for the watcher's lifetime instead of one per execution (each start takes seconds).
  const needsServer = !env['MLFLOW_TRACKING_URI']?.trim() && options.parameterOverrides?.['MlflowTrackingUri'] === undefined;
  const server = needsServer
    ? await startMlflowServer({ python: pythonEnvironment(options.venvDir ?? join(REPO_ROOT, '.venv')), backendStoreDb: layout.mlflowDb, artifactsDir: store.bucketPath(names.mlflowArtifactsBucket) })
    : undefined;
  if (server) options.onEvent?.({ type: 'mlflow-server-started', url: server.url });
  const claims = new DatasetClaims(layout.watch);
  const executions = new ExecutionStore(layout.executions);
  const shared = { ...runOptions, env, signal, ...(server ? { mlflowServer: server } : {}) };

  const run = async (inputDataUri: string, key: string, executionId: string, inputFormat: LabelFormat): Promise<StartOutcome> => {
    const definition = typeof options.definition === 'string' ? parseJsonText(options.definition, 'the pipeline definition') : options.definition;
    const declared = new Set(parsePipelineDefinition(definition).parameters.map((p) => p.name));
    const input = localStartInput(key, inputFormat, declared);
    // Recorded before it starts: a watcher restarted after a crash finds the execution to continue.
    await claims.recordExecution(key, executionId);
    return outcomeOf(
      await runPipelineLocally({ ...shared, inputDataUri, validateDataset: input.validateDataset, parameterOverrides: { ...shared.parameterOverrides, ...input.parameterOverrides }, executionId }),
    );
  };

  const continueClaim = async (claim: DatasetClaim): Promise<StartOutcome | undefined> => {
    const claimer = { pid: claim.pid, ...(claim.processIdentity ? { identity: claim.processIdentity } : {}) };
    const executionId = claim.executionId ?? claim.outcome?.executionId;
    const record = executionId ? await executions.get(executionId) : undefined;
    if (!record) {
      // Claimed, but no execution was saved: the claimer died while preparing it (or is still preparing it).
      if (claim.pid === process.pid || isProcessAlive(claimer)) return undefined;
      const id = executionId ?? newExecutionId();
      onWatchEvent?.({ type: 'dataset-continuing', key: claim.datasetKey, executionId: id, how: 'start' });
      return run(`s3://${bucket}/${claim.datasetKey}/`, claim.datasetKey, id, claim.inputFormat ?? DEFAULT_LABEL_FORMAT);
    }
    const { record: shown } = await executions.show(record.executionId);
    if (shown.status !== 'Stopped') return shown.status === 'Executing' ? undefined : outcomeOf(shown);
    onWatchEvent?.({ type: 'dataset-continuing', key: claim.datasetKey, executionId: shown.executionId, how: 'retry' });
    return outcomeOf(await retryPipelineLocally({ ...shared, executionId: shown.executionId }));
  };

  const watcher = new DatasetWatcher({
    store,
    bucket,
    claims,
    ...(settleMs !== undefined ? { settleMs } : {}),
    ...(pollMs !== undefined ? { pollMs } : {}),
    ...(onWatchEvent ? { onEvent: onWatchEvent } : {}),
    start: (inputDataUri, key, inputFormat) => run(inputDataUri, key, newExecutionId(), inputFormat),
    continueClaim,
  });
  try {
    await watcher.run(signal);
  } finally {
    await server?.stop();
  }
}

import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CdkContext } from '../core/config/cdk-context.ts';
import { findDataYamlKey, formatValidation, parseDataYaml, validateDataset } from '../core/dataset/index.ts';
import { DEFAULT_LABEL_FORMAT, LABEL_FORMATS, type LabelFormat } from '../core/dataset/label-formats.ts';
import { datasetVersionNameProblem, PREFIXES, resourceNames } from '../core/naming.ts';
import { INPUT_PARAMETERS } from '../core/pipeline/input-parameters.ts';
import { listAll } from '../core/storage/object-store.ts';
import { buildUploadMarker, UPLOAD_MARKER_NAME } from '../core/trigger/upload-marker.ts';
import type { NotificationChannel } from '../core/notify/notification-channel.ts';
import { formatS3Uri, parseS3Uri } from '../core/storage/s3-uri.ts';
import { isPushedDatasetFile } from '../core/transfer/dataset-push.ts';
import { listFilesRecursive, readObjectJson } from './buckets/transfer.ts';
import { parseJsonText } from './json.ts';
import { publishCodeBundle } from './code-bundle.ts';
import { LocalError } from './errors.ts';
import type { RunEvent, RunEventListener } from './events.ts';
import type { ExecutionRecord } from './executions/execution-record.ts';
import { ExecutionStore } from './executions/execution-store.ts';
import { processRef, stopLeftoverGroup } from './executions/process-ref.ts';
import { nextAttempt, planRetry, RetryRefusedError } from './executions/retry-plan.ts';
import { writeFileAtomic } from './fs/atomic-file.ts';
import { createFileExclusive } from './fs/exclusive-create.ts';
import { readRecordText } from './fs/record-file.ts';
import { FolderObjectStore } from './folder-object-store.ts';
import { localLayout, REPO_ROOT, type LocalLayout } from './layout.ts';
import { MlflowClient } from './mlflow/mlflow-client.ts';
import { startMlflowServer, type MlflowServer } from './mlflow/mlflow-server.ts';
import { notificationFromRecord } from './notify/notification.ts';
import { channelsFromEnv, sendNotifications } from './notify/notifier.ts';
import { parsePipelineDefinition, type ParsedPipeline } from './pipeline/runnable-pipeline.ts';
import { interpretPipeline, newExecutionRecord, runnerFields } from './pipeline/interpreter.ts';
import { resolveParameters, type ParameterOverride } from './pipeline/parameters.ts';
import { assertPythonEnvironment, pythonEnvironment, type PythonEnvironment } from './python-env.ts';
import { LocalModelRegistry } from './registry/model-registry.ts';
import { createProcessingExecutor } from './steps/processing-step.ts';
import { createRegisterExecutor } from './steps/register-step.ts';
import { createTrainingExecutor } from './steps/training-step.ts';
import { DatasetClaims } from './watch/dataset-claims.ts';

export interface RunPipelineLocallyOptions {
  /** The local backend's root (`.yolops/` or YOLOPS_HOME). */
  root: string;
  /** The compiled pipeline definition: the JSON text or the parsed object (the compiler's output). */
  definition: unknown;
  /** cdk.json's context: bucket names and the pipeline's name derive from it. */
  context: Pick<CdkContext, 'project_name' | 'aws_account_id'>;
  /**
   * A local folder, uploaded as a new version: a split YOLO dataset (format yolo, data.yaml naming train and val)
   * under `split_dataset/`, any other export under `labeled-data/`, where the Preprocess step converts and splits it.
   */
  datasetDir?: string;
  /**
   * The format of the data (label-formats.ts), passed as the InputFormat parameter unless that is overridden.
   * @default the InputFormat parameter's value, else `yolo`
   */
  inputFormat?: LabelFormat;
  /** The version folder name for `datasetDir`. @default `local-<UTC timestamp>` */
  datasetVersion?: string;
  /** A dataset version already in the training data bucket (`s3://.../split_dataset/<version>/`, or `labeled-data/<version>/`). */
  inputDataUri?: string;
  /**
   * Run the dataset validator first and refuse an invalid dataset (the watcher does; the trigger Lambda does on
   * AWS). Only a split YOLO dataset is validated here: an export under labeled-data/ is checked by the Preprocess step.
   */
  validateDataset?: boolean;
  /** Pipeline parameters by name; text is parsed to the parameter's type. */
  parameterOverrides?: Record<string, ParameterOverride>;
  /** The `training/` folder bundled as CodeUri/CodeVersion (unless CodeUri is overridden). @default `<repo>/training` */
  trainingDir?: string;
  /** The virtual environment jobs run in. @default `<repo>/.venv` */
  venvDir?: string;
  /** Environment: MLFLOW_TRACKING_URI (use that server instead of starting one), YOLOPS_WEBHOOK_URL; jobs inherit it. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Where notifications go. @default console + webhook when YOLOPS_WEBHOOK_URL is set */
  notificationChannels?: NotificationChannel[];
  onEvent?: RunEventListener;
  /**
   * Aborting stops the running job (its whole process group) and ends the execution as Stopped; the abort
   * reason's message is the recorded reason (`controller.abort(new Error('stopped by SIGINT'))`).
   */
  signal?: AbortSignal;
  /**
   * An MLflow server the caller runs and keeps running (the watcher's), used instead of starting one, unless
   * MLFLOW_TRACKING_URI or the MlflowTrackingUri parameter names another.
   */
  mlflowServer?: MlflowServer;
  /** @default `resourceNames(context).pipeline` */
  pipelineName?: string;
  /** @default 12 random lowercase letters and digits, like SageMaker's */
  executionId?: string;
}

/** The dataset was refused before any execution started (validateDataset: true). */
export class DatasetRejectedError extends LocalError {
  readonly report: string;
  constructor(uri: string, report: string) {
    super(`dataset ${uri} is not valid, no execution started:\n${report}`, { audience: 'user' });
    this.report = report;
  }
}

export function newExecutionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * Runs the compiled pipeline on this machine and returns the final execution record (Succeeded, Failed, or
 * Stopped when `signal` aborted; a failed pipeline is a result, not an exception). Throws before any execution exists when the definition,
 * the parameters or the inputs are unusable (PipelineDefinitionError, ParameterValueError, DatasetRejectedError).
 *
 * Order: check the definition; upload the dataset (claimed, so the watcher does not start it again); publish
 * the code bundle; start MLflow unless MLFLOW_TRACKING_URI is set; interpret the steps; look up the MLflow
 * run; notify; stop MLflow (also when anything above throws).
 */
export async function runPipelineLocally(options: RunPipelineLocallyOptions): Promise<ExecutionRecord> {
  const env = options.env ?? process.env;
  const emit: RunEventListener = (event: RunEvent) => options.onEvent?.(event);
  const definitionText = typeof options.definition === 'string' ? options.definition : JSON.stringify(options.definition);
  const pipeline = parsePipelineDefinition(typeof options.definition === 'string' ? parseJsonText(options.definition, 'the pipeline definition') : options.definition);
  const declared = new Set(pipeline.parameters.map((p) => p.name));
  const names = resourceNames(options.context);
  const layout = localLayout(options.root);

  const overrides: Record<string, ParameterOverride> = { ...options.parameterOverrides };
  const datasetSources = [options.datasetDir, options.inputDataUri, overrides['InputDataUri']].filter((v) => v !== undefined);
  if (datasetSources.length > 1) throw new LocalError('give one dataset: datasetDir, inputDataUri or the InputDataUri parameter', { audience: 'user' });
  // The runner fills these itself; check everything else now, so a bad override fails before any upload or server start.
  const filledLater = ['MlflowTrackingUri', ...(overrides['CodeUri'] === undefined ? ['CodeUri', 'CodeVersion'] : []), ...(datasetSources.length > 0 ? ['InputDataUri'] : [])];
  const standIns = Object.fromEntries(filledLater.filter((n) => declared.has(n) && overrides[n] === undefined).map((n) => [n, 'stand-in']));
  resolveParameters(pipeline.parameters, { ...standIns, ...overrides });
  // After the definition and the parameters: what the caller wrote is checked even where no venv exists.
  const python = pythonEnvironment(options.venvDir ?? join(REPO_ROOT, '.venv'));
  assertPythonEnvironment(python);
  const store = new FolderObjectStore({ root: layout.buckets });
  for (const bucket of [names.trainingDataBucket, names.modelArtifactsBucket, names.mlflowArtifactsBucket]) await store.createBucket(bucket);

  const formatOverride = overrides[INPUT_PARAMETERS.format];
  const format = options.inputFormat ?? (typeof formatOverride === 'string' ? formatOverride : DEFAULT_LABEL_FORMAT);
  if (options.inputFormat !== undefined && declared.has(INPUT_PARAMETERS.format) && formatOverride === undefined) overrides[INPUT_PARAMETERS.format] = options.inputFormat;
  if (declared.has(INPUT_PARAMETERS.dataUri) && overrides[INPUT_PARAMETERS.dataUri] === undefined) {
    if (options.datasetDir) overrides[INPUT_PARAMETERS.dataUri] = await uploadDataset(store, layout, names.trainingDataBucket, options.datasetDir, options.datasetVersion, format);
    else if (options.inputDataUri) overrides[INPUT_PARAMETERS.dataUri] = options.inputDataUri;
  }
  const dataUri = overrides[INPUT_PARAMETERS.dataUri];
  // An export (any other format, or anything under labeled-data/) is the Preprocess step's to check: it converts first.
  if (options.validateDataset && typeof dataUri === 'string' && format === DEFAULT_LABEL_FORMAT && !parseS3Uri(dataUri).key.startsWith(PREFIXES.labeledData)) await assertValidDataset(store, dataUri);
  if (declared.has('CodeUri') && overrides['CodeUri'] === undefined) {
    const bundle = await publishCodeBundle({ trainingDir: options.trainingDir ?? join(REPO_ROOT, 'training'), workDir: join(layout.work, 'code-bundle'), store, bucket: names.trainingDataBucket });
    overrides['CodeUri'] = bundle.codeUri;
    if (declared.has('CodeVersion') && overrides['CodeVersion'] === undefined) overrides['CodeVersion'] = bundle.version;
  }

  let ownServer: MlflowServer | undefined;
  try {
    const externalUri = typeof overrides['MlflowTrackingUri'] === 'string' ? overrides['MlflowTrackingUri'] : env['MLFLOW_TRACKING_URI']?.trim() || undefined;
    let server = options.mlflowServer;
    if (declared.has('MlflowTrackingUri')) {
      if (externalUri) {
        overrides['MlflowTrackingUri'] = externalUri;
        server = undefined;
      } else {
        if (!server) {
          ownServer = await startMlflowServer({ python, backendStoreDb: layout.mlflowDb, artifactsDir: store.bucketPath(names.mlflowArtifactsBucket) });
          server = ownServer;
          emit({ type: 'mlflow-server-started', url: ownServer.url });
        }
        overrides['MlflowTrackingUri'] = server.url;
      }
    }
    const parameters = resolveParameters(pipeline.parameters, overrides);
    const executionId = options.executionId ?? newExecutionId();
    const executions = new ExecutionStore(layout.executions);
    const record = newExecutionRecord(pipeline, {
      executionId,
      pipelineName: options.pipelineName ?? names.pipeline,
      parameters,
      definitionSha256: sha256(definitionText),
    });
    const trackingUri = parameters['MlflowTrackingUri'];
    if (typeof trackingUri === 'string') {
      record.mlflow = {
        trackingUri,
        ...(typeof parameters['MlflowExperimentName'] === 'string' ? { experimentName: parameters['MlflowExperimentName'] } : {}),
        ...(server && server.url === trackingUri ? { server: processRef(server.pgid) } : {}),
      };
    }
    if (await executions.get(executionId)) throw new LocalError(`execution ${executionId} exists already in ${executions.dir}: give another execution id`, { audience: 'user' });
    // The exact definition, beside the record: a retry runs what this execution ran.
    await writeFileAtomic(executions.definitionPath(executionId), definitionText);
    await executions.save(record);
    emit({ type: 'execution-started', executionId, pipelineName: record.pipelineName, executionDir: executions.executionDir(executionId), attempt: 1 });
    for (const note of record.ignored) emit({ type: 'warning', message: `ignored locally: ${note}` });
    return await executeRecord({ pipeline, record, executions, store, python, env, emit, layout, options });
  } finally {
    await ownServer?.stop();
  }
}

export interface RetryPipelineLocallyOptions extends Pick<RunPipelineLocallyOptions, 'root' | 'context' | 'venvDir' | 'env' | 'notificationChannels' | 'onEvent' | 'signal' | 'mlflowServer'> {
  executionId: string;
}

/**
 * `yolops runs retry`: continues a Failed or Stopped execution (or one whose runner died) from its first
 * unfinished step, as SageMaker's RetryPipelineExecution does: the same execution id, parameters and
 * definition; steps that succeeded keep their outputs; a training resumes from the checkpoint it left at
 * the same CheckpointConfig location and continues the same MLflow run (when the runner had started the
 * MLflow server, one is started again at the same address). Process groups the dead runner left (its job,
 * its MLflow server) are stopped first. Refuses (RetryRefusedError) a Succeeded execution or a running one.
 */
export async function retryPipelineLocally(options: RetryPipelineLocallyOptions): Promise<ExecutionRecord> {
  const env = options.env ?? process.env;
  const emit: RunEventListener = (event: RunEvent) => options.onEvent?.(event);
  const layout = localLayout(options.root);
  const executions = new ExecutionStore(layout.executions);
  const { record: current } = await executions.show(options.executionId);
  const attempt = nextAttempt(current);
  const plan = planRetry(current);
  const definitionFile = executions.definitionPath(current.executionId);
  const definitionText = await readRecordText(definitionFile);
  if (definitionText === undefined) throw new RetryRefusedError(`execution ${current.executionId} cannot be retried: ${definitionFile} (the definition it ran) is missing; start a new run instead`);
  if (sha256(definitionText) !== current.definitionSha256) throw new RetryRefusedError(`execution ${current.executionId} cannot be retried: ${definitionFile} is not the definition it ran (sha256 differs from the record's definitionSha256)`);
  const pipeline = parsePipelineDefinition(parseJsonText(definitionText, definitionFile));
  const python = pythonEnvironment(options.venvDir ?? join(REPO_ROOT, '.venv'));
  assertPythonEnvironment(python);

  // One retrier per attempt: the exclusive file decides between two that start at once.
  const lock = join(executions.executionDir(current.executionId), `attempt-${attempt}.json`);
  if (!(await createFileExclusive(lock, `${JSON.stringify({ attempt, at: new Date().toISOString(), runner: processRef() }, null, 2)}\n`))) {
    throw new RetryRefusedError(`execution ${current.executionId} is being retried already (${lock} exists; if its process died before the retry started, delete the file and retry)`);
  }
  const record = plan.record;
  const store = new FolderObjectStore({ root: layout.buckets });
  let ownServer: MlflowServer | undefined;
  let saved = false;
  try {
    for (const job of plan.leftoverJobs) {
      if (await stopLeftoverGroup(job)) emit({ type: 'leftover-stopped', executionId: record.executionId, what: 'job', pid: job.pid });
    }
    const recorded = record.mlflow;
    if (recorded?.server) {
      // The same address as before, so the job finds its run again (the checkpoint holds the run id and the URI).
      if (options.mlflowServer?.url === recorded.trackingUri) recorded.server = processRef(options.mlflowServer.pgid);
      else {
        if (await stopLeftoverGroup(recorded.server)) emit({ type: 'leftover-stopped', executionId: record.executionId, what: 'MLflow server', pid: recorded.server.pid });
        const port = Number(new URL(recorded.trackingUri).port);
        const artifactsDir = store.bucketPath(resourceNames(options.context).mlflowArtifactsBucket);
        ownServer = await startMlflowServer({ python, backendStoreDb: layout.mlflowDb, artifactsDir, port });
        recorded.server = processRef(ownServer.pgid);
        emit({ type: 'mlflow-server-started', url: ownServer.url });
      }
    }
    Object.assign(record, runnerFields());
    await executions.save(record);
    saved = true;
    emit({ type: 'execution-started', executionId: record.executionId, pipelineName: record.pipelineName, executionDir: executions.executionDir(record.executionId), attempt, ...(plan.fromStep ? { fromStep: plan.fromStep } : {}) });
    return await executeRecord({ pipeline, record, executions, store, python, env, emit, layout, options });
  } catch (error) {
    // Nothing of this attempt was recorded: free the attempt for the next retry.
    if (!saved) await rm(lock, { force: true });
    throw error;
  } finally {
    await ownServer?.stop();
  }
}

interface ExecuteRecordInput {
  pipeline: ParsedPipeline;
  record: ExecutionRecord;
  executions: ExecutionStore;
  store: FolderObjectStore;
  python: PythonEnvironment;
  env: NodeJS.ProcessEnv;
  emit: RunEventListener;
  layout: LocalLayout;
  options: Pick<RunPipelineLocallyOptions, 'signal' | 'notificationChannels'>;
}

/** Interprets the steps of a saved record, looks up the MLflow run, notifies, saves and returns the final record. */
async function executeRecord({ pipeline, record, executions, store, python, env, emit, layout, options }: ExecuteRecordInput): Promise<ExecutionRecord> {
  const executionDir = executions.executionDir(record.executionId);
  const registry = new LocalModelRegistry(layout.registry);
  await interpretPipeline({
    pipeline,
    record,
    store: executions,
    executors: {
      Training: createTrainingExecutor({ store, python, baseEnv: env }),
      Processing: createProcessingExecutor({ store, python, baseEnv: env }),
      RegisterModel: createRegisterExecutor({ store, registry }),
    },
    readObjectJson: (uri) => readObjectJson(store, uri),
    executionDir,
    ...(options.signal ? { signal: options.signal } : {}),
    emit,
  });

  await findMlflowRun(record, pipeline);
  let metrics: Record<string, number> | undefined;
  if (record.registeredModel) {
    try {
      metrics = (await registry.get(record.registeredModel.modelPackageGroupName, record.registeredModel.version)).metrics;
    } catch (error) {
      emit({ type: 'warning', message: `the notification goes out without metrics: ${(error as Error).message}` });
    }
  }
  const channels = options.notificationChannels ?? channelsFromEnv(env);
  const sent = await sendNotifications(channels, notificationFromRecord(record, { executionDir, ...(metrics ? { metrics } : {}) }));
  // A retried execution keeps the notifications of its earlier attempts.
  record.notifications = [...record.notifications, ...sent];
  for (const n of sent) {
    emit({ type: 'notification', channel: n.channel, ok: n.ok, ...(n.error ? { error: n.error } : {}) });
    if (!n.ok) emit({ type: 'warning', message: `notification via ${n.channel} failed: ${n.error}` });
  }
  await executions.save(record);
  emit({ type: 'execution-finished', record });
  return record;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Records the MLflow run of the execution; a lookup problem is recorded, never fatal. */
async function findMlflowRun(record: ExecutionRecord, pipeline: ParsedPipeline): Promise<void> {
  const mlflow = record.mlflow;
  const trained = record.steps.some((s) => s.type === 'Training' && (s.status === 'Succeeded' || s.status === 'Failed'));
  if (!mlflow?.experimentName || !trained || !/^https?:\/\//.test(mlflow.trackingUri) || !pipeline.steps.some((s) => s.type === 'Training')) return;
  try {
    const run = await new MlflowClient(mlflow.trackingUri).findExecutionRun(mlflow.experimentName, record.executionId);
    if (run) Object.assign(mlflow, { experimentId: run.experimentId, runId: run.runId, runUrl: run.url });
    else mlflow.lookupError = `no run tagged yolops.execution_id=${record.executionId} in experiment "${mlflow.experimentName}"`;
  } catch (error) {
    mlflow.lookupError = (error as Error).message;
  }
}

/** Where an unsplit YOLO folder without data.yaml names its classes, one a line (Ultralytics' and labelImg's export). */
const YOLO_CLASSES_FILE = 'classes.txt';

/**
 * Whether a folder is a split YOLO dataset: a data.yaml (where the dataset contract allows it) that names a train
 * and a val split. Anything else (an unsplit YOLO folder, an export of another format) goes through conversion.
 */
export async function isSplitYoloFolder(datasetDir: string): Promise<boolean> {
  const files = (await listFilesRecursive(datasetDir)).filter(isPushedDatasetFile);
  const { key } = findDataYamlKey('', files);
  if (key === undefined) return false;
  const { dataYaml } = parseDataYaml(await readFile(join(datasetDir, ...key.split('/')), 'utf8'));
  const splits = new Set(dataYaml.splits.map((s) => s.split));
  return splits.has('train') && splits.has('val');
}

/**
 * Uploads a dataset folder as a new version, after claiming the version so the watcher does not start a second
 * execution on it: a split YOLO dataset (format yolo) as `split_dataset/<version>/`, its data.yaml last (its
 * arrival marks the upload complete for watchers); anything else as `labeled-data/<version>/`, the upload marker
 * last (it lists every object of the upload, as `yolops dataset push` writes it).
 */
export async function uploadDataset(store: FolderObjectStore, layout: LocalLayout, bucket: string, datasetDir: string, version?: string, format: string = DEFAULT_LABEL_FORMAT): Promise<string> {
  const name = version ?? `local-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-').toLowerCase()}`;
  const nameProblem = datasetVersionNameProblem(name);
  if (nameProblem !== undefined) throw new LocalError(nameProblem, { audience: 'user' });
  if (format !== DEFAULT_LABEL_FORMAT) return uploadExport(store, layout, bucket, datasetDir, name);
  const files = (await listFilesRecursive(datasetDir)).filter(isPushedDatasetFile);
  const dataYaml = findDataYamlKey('', files);
  if (dataYaml.key === undefined) {
    // An unsplit YOLO folder may name its classes in classes.txt instead (the Preprocess step splits it).
    if (dataYaml.nested.length === 0 && files.some((f) => f.split('/').at(-1) === YOLO_CLASSES_FILE)) return uploadExport(store, layout, bucket, datasetDir, name);
    const why = dataYaml.nested.length > 0 ? `more than one data.yaml one folder down (${dataYaml.nested.join(', ')}): keep one` : `no data.yaml (or data.yml) at its top or one folder down, nor a ${YOLO_CLASSES_FILE}`;
    throw new LocalError(`${datasetDir} has ${why}; it is not a YOLO dataset folder (for another format, give it: ${LABEL_FORMATS.join(', ')})`, { audience: 'user' });
  }
  if (!(await isSplitYoloFolder(datasetDir))) return uploadExport(store, layout, bucket, datasetDir, name);
  const prefix = `${PREFIXES.splitDataset}${name}/`;
  // Checked before the claim: a folder that is no dataset leaves no claim behind.
  const claims = new DatasetClaims(layout.watch);
  if (!(await claims.claim(`split_dataset/${name}`, 'run'))) throw new LocalError(`dataset version split_dataset/${name} was already started (claim in ${claims.dir}); choose another version name`, { audience: 'user' });
  const last = dataYaml.key;
  for (const file of [...files.filter((f) => f !== last), last]) await store.put(bucket, `${prefix}${file}`, await readFile(join(datasetDir, ...file.split('/'))));
  return formatS3Uri(bucket, prefix);
}

/** A labelled export as `labeled-data/<version>/`: every file, then the upload marker listing them. */
async function uploadExport(store: FolderObjectStore, layout: LocalLayout, bucket: string, exportDir: string, name: string): Promise<string> {
  const prefix = `${PREFIXES.labeledData}${name}/`;
  const files = (await listFilesRecursive(exportDir)).filter(isPushedDatasetFile);
  if (files.length === 0) throw new LocalError(`${exportDir} holds no files to upload; give the folder of a labelled export (its annotation file and images)`, { audience: 'user' });
  const claims = new DatasetClaims(layout.watch);
  if (!(await claims.claim(`${PREFIXES.labeledData}${name}`, 'run'))) throw new LocalError(`dataset version ${PREFIXES.labeledData}${name} was already started (claim in ${claims.dir}); choose another version name`, { audience: 'user' });
  for (const file of files) await store.put(bucket, `${prefix}${file}`, await readFile(join(exportDir, ...file.split('/'))));
  const marker = buildUploadMarker(prefix, await listAll(store, bucket, prefix), new Date());
  await store.put(bucket, `${prefix}${UPLOAD_MARKER_NAME}`, `${JSON.stringify(marker, null, 2)}\n`);
  return formatS3Uri(bucket, prefix);
}

async function assertValidDataset(store: FolderObjectStore, uri: string): Promise<void> {
  const { bucket, key } = parseS3Uri(uri);
  const validation = await validateDataset(store, { bucket, prefix: key });
  if (!validation.valid) throw new DatasetRejectedError(uri, formatValidation(validation));
}

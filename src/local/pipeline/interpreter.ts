import type { RunEventListener } from '../events.ts';
import type { EpochProgress, ExecutionRecord, StepRecord } from '../executions/execution-record.ts';
import type { ExecutionStore } from '../executions/execution-store.ts';
import { processRef } from '../executions/process-ref.ts';
import { describeJson, isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import { lookupPath } from '../../core/pipeline/compiled.ts';
import { evaluateConditions } from './conditions.ts';
import type { ParsedPipeline, StepNode } from './runnable-pipeline.ts';
import { ResolutionError, StepFailure } from './errors.ts';
import type { ExecutionVariableName } from '../../core/pipeline/compiled.ts';
import { resolveExpression, type ResolveScope } from './expressions.ts';
import type { ParameterValue } from './parameters.ts';

/** What a step's executor gets besides its resolved arguments. */
export interface StepExecutionContext {
  executionId: string;
  pipelineName: string;
  /** The job name SageMaker would give this step's training or processing job. */
  jobName: string;
  /** The step's own folder: its /opt/ml tree and stdout.log. */
  jobDir: string;
  signal?: AbortSignal;
  emit: RunEventListener;
  /** Records per-epoch progress in the execution record and emits it. */
  reportProgress(progress: EpochProgress): Promise<void>;
  /** Records the job's process group while it runs (undefined once it ended), so a retry after a dead runner can stop it. */
  reportJob?(pid: number | undefined): Promise<void>;
}

/** Runs one step with its resolved arguments and returns its properties; throws StepFailure when it fails. */
export type StepExecutor = (step: StepNode, args: JsonObject, context: StepExecutionContext) => Promise<JsonObject>;

export interface StepExecutors {
  Training: StepExecutor;
  Processing: StepExecutor;
  RegisterModel: StepExecutor;
}

export interface InterpretOptions {
  pipeline: ParsedPipeline;
  /** A new record (every step Pending) or a retried one: its Succeeded steps keep their outputs and do not run again. */
  record: ExecutionRecord;
  store: ExecutionStore;
  executors: StepExecutors;
  /** Reads a JSON object from an S3 URI (property files, `Std:JsonGet` with S3Uri). */
  readObjectJson(uri: string): Promise<JsonValue>;
  executionDir: string;
  /** Aborting stops the running job and ends the execution as Stopped, with the abort reason's message. */
  signal?: AbortSignal;
  emit: RunEventListener;
}

export const LOCAL_ARN_PREFIX = 'arn:aws:sagemaker:local:000000000000';

/** The record of a new execution, every step Pending, in run order. */
export function newExecutionRecord(pipeline: ParsedPipeline, init: { executionId: string; pipelineName: string; parameters: Record<string, ParameterValue>; definitionSha256: string; startedAt?: Date }): ExecutionRecord {
  return {
    schemaVersion: 1,
    executionId: init.executionId,
    executionArn: `${LOCAL_ARN_PREFIX}:pipeline/${init.pipelineName}/execution/${init.executionId}`,
    pipelineName: init.pipelineName,
    status: 'Executing',
    startedAt: (init.startedAt ?? new Date()).toISOString(),
    parameters: init.parameters,
    steps: pipeline.order.map((s) => ({ name: s.name, type: s.type, status: 'Pending' })),
    decisions: [],
    notifications: [],
    ignored: [...pipeline.ignored, ...pipeline.steps.flatMap((s) => s.ignored.map((i) => `${s.name}: ${i}`))],
    definitionSha256: init.definitionSha256,
    ...runnerFields(),
  };
}

/** The runner fields of a record this process executes. */
export function runnerFields(): Pick<ExecutionRecord, 'runnerPid' | 'runnerIdentity'> {
  const runner = processRef();
  return { runnerPid: runner.pid, ...(runner.identity ? { runnerIdentity: runner.identity } : {}) };
}

/** Why the run was stopped, from the abort reason (`new Error('stopped by SIGINT')`). */
export function stopReasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason.message;
  return typeof reason === 'string' && reason ? reason : 'the run was stopped';
}

/** `pipelines-<execution id>-<step>` within SageMaker's job name rules (63 characters, letters, digits, `-`). */
export function jobNameFor(executionId: string, stepName: string): string {
  return `pipelines-${executionId}-${stepName}`.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 63).replace(/-+$/, '');
}

function secondsBetween(start: string, end: string): number {
  return Math.round((Date.parse(end) - Date.parse(start)) / 100) / 10;
}

/**
 * Runs the steps of `pipeline` in dependency order, one at a time, updating and saving `record` at every
 * change. A step on a branch the Condition did not take, or after a failure, is recorded as NotExecuted with
 * the reason. A failed step or a Fail step ends the execution as Failed with the reason. Returns the final record.
 */
export async function interpretPipeline(options: InterpretOptions): Promise<ExecutionRecord> {
  const { pipeline, record, store, emit } = options;
  const byName = new Map(pipeline.steps.map((s) => [s.name, s]));
  const stepRecords = new Map(record.steps.map((s) => [s.name, s]));
  const outcomes = new Map<string, boolean>();
  // A retried execution: the outcomes of the Conditions that already ran decide the branches again.
  for (const step of record.steps) {
    if (step.type === 'Condition' && step.status === 'Succeeded' && typeof step.properties?.['Outcome'] === 'boolean') outcomes.set(step.name, step.properties['Outcome']);
  }
  const propertyFileCache = new Map<string, JsonValue>();
  const save = (): Promise<void> => store.save(record);

  const scopeFor = (jobName?: { kind: 'TrainingJobName' | 'ProcessingJobName'; name: string }): ResolveScope => ({
    parameter: (name) => record.parameters[name],
    execution: (name: ExecutionVariableName) => {
      switch (name) {
        case 'PipelineExecutionId':
          return record.executionId;
        case 'PipelineExecutionArn':
          return record.executionArn;
        case 'PipelineName':
          return record.pipelineName;
        case 'PipelineArn':
          return `${LOCAL_ARN_PREFIX}:pipeline/${record.pipelineName}`;
        case 'StartDateTime':
          return record.startedAt;
        case 'CurrentDateTime':
          return new Date().toISOString();
        case 'TrainingJobName':
        case 'ProcessingJobName':
          return jobName?.kind === name ? jobName.name : undefined;
      }
    },
    stepProperties: (name) => {
      const step = stepRecords.get(name);
      if (!step) return `no step "${name}"`;
      if (step.status === 'Succeeded' && step.properties) return step.properties;
      return `it is ${step.status}${step.notExecutedReason ? ` (${step.notExecutedReason})` : ''}`;
    },
    propertyFile: async (stepName, fileName) => {
      const cacheKey = `${stepName}/${fileName}`;
      const cached = propertyFileCache.get(cacheKey);
      if (cached !== undefined) return cached;
      const node = byName.get(stepName);
      const declaration = node?.propertyFiles.find((f) => f.name === fileName);
      const properties = stepRecords.get(stepName)?.properties;
      if (!node || !declaration || !properties) throw new ResolutionError(`Steps.${stepName}.PropertyFiles.${fileName}`, `step "${stepName}" has not produced this property file (it is ${stepRecords.get(stepName)?.status ?? 'unknown'})`);
      const found = lookupPath(properties, [
        { kind: 'name', name: 'ProcessingOutputConfig' },
        { kind: 'name', name: 'Outputs' },
        { kind: 'key', key: declaration.outputName },
        { kind: 'name', name: 'S3Output' },
        { kind: 'name', name: 'S3Uri' },
      ]);
      if (!found.found || typeof found.value !== 'string') throw new ResolutionError(`${node.location}.PropertyFiles`, `output "${declaration.outputName}" of step "${stepName}" has no S3 URI`);
      const uri = `${found.value.replace(/\/+$/, '')}/${declaration.filePath}`;
      let document: JsonValue;
      try {
        document = await options.readObjectJson(uri);
      } catch (error) {
        throw new ResolutionError(`Steps.${stepName}.PropertyFiles.${fileName}`, `cannot read property file ${declaration.filePath} of step "${stepName}" at ${uri}: ${(error as Error).message}`, { cause: error });
      }
      propertyFileCache.set(cacheKey, document);
      return document;
    },
    objectJson: (uri) => options.readObjectJson(uri),
  });

  let stopReason: string | undefined;
  const markStopped = (): string => {
    const reason = stopReasonOf(options.signal as AbortSignal);
    if (record.status === 'Executing') {
      record.status = 'Stopped';
      record.stopReason = reason;
    }
    return `the execution was stopped (${reason})`;
  };
  for (const step of pipeline.order) {
    const stepRecord = stepRecords.get(step.name) as StepRecord;
    // Succeeded in an earlier attempt: its outputs stand (SageMaker's RetryPipelineExecution).
    if (stepRecord.status === 'Succeeded') continue;
    if (stopReason === undefined && options.signal?.aborted) stopReason = markStopped();
    const skip = stopReason ?? notExecutedReason(step, outcomes, stepRecords);
    if (skip !== undefined) {
      stepRecord.status = 'NotExecuted';
      stepRecord.notExecutedReason = skip;
      await save();
      emit({ type: 'step-finished', executionId: record.executionId, step: step.name, stepType: step.type, status: 'NotExecuted', notExecutedReason: skip });
      continue;
    }
    stepRecord.status = 'Executing';
    stepRecord.startedAt = new Date().toISOString();
    await save();
    emit({ type: 'step-started', executionId: record.executionId, step: step.name, stepType: step.type });
    try {
      stepRecord.properties = await runStep(step, stepRecord);
      stepRecord.status = 'Succeeded';
    } catch (error) {
      if (options.signal?.aborted) {
        // The job ended because the run was stopped, not because it failed.
        stepRecord.status = 'Stopped';
        stepRecord.stopReason = stopReasonOf(options.signal);
        stopReason = markStopped();
      } else {
        if (!(error instanceof StepFailure || error instanceof ResolutionError)) {
          emit({ type: 'warning', message: `step "${step.name}" failed on an unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` });
        }
        stepRecord.status = 'Failed';
        stepRecord.failureReason = failureReasonOf(error);
        record.status = 'Failed';
        record.failureReason = stepRecord.failureReason;
        record.failedStep = step.name;
        stopReason = `the execution stopped at step "${step.name}"`;
      }
    }
    delete stepRecord.job;
    stepRecord.endedAt = new Date().toISOString();
    stepRecord.durationSeconds = secondsBetween(stepRecord.startedAt, stepRecord.endedAt);
    await save();
    emit({
      type: 'step-finished',
      executionId: record.executionId,
      step: step.name,
      stepType: step.type,
      status: stepRecord.status,
      durationSeconds: stepRecord.durationSeconds,
      ...(stepRecord.failureReason ? { failureReason: stepRecord.failureReason } : {}),
      ...(stepRecord.stopReason ? { stopReason: stepRecord.stopReason } : {}),
    });
  }

  if (record.status === 'Executing') record.status = 'Succeeded';
  record.endedAt = new Date().toISOString();
  record.durationSeconds = secondsBetween(record.startedAt, record.endedAt);
  delete record.runnerPid;
  delete record.runnerIdentity;
  await save();
  return record;

  async function runStep(step: StepNode, stepRecord: StepRecord): Promise<JsonObject> {
    const argsLocation = `${step.location}.Arguments`;
    switch (step.type) {
      case 'Condition': {
        const { outcome, results } = await evaluateConditions(step.arguments['Conditions'] as JsonValue[], scopeFor(), `${argsLocation}.Conditions`);
        outcomes.set(step.name, outcome);
        const branchSteps = pipeline.steps.filter((s) => s.branch?.condition === step.name && s.branch.outcome === outcome).map((s) => s.name);
        record.decisions.push({ step: step.name, outcome, conditions: results, branchSteps });
        emit({ type: 'condition', executionId: record.executionId, step: step.name, outcome, conditions: results });
        return { Outcome: outcome };
      }
      case 'Fail': {
        const message = await resolveExpression(step.arguments['ErrorMessage'] as JsonValue, scopeFor(), `${argsLocation}.ErrorMessage`);
        throw new StepFailure(typeof message === 'string' ? message : describeJson(message, 1000));
      }
      case 'Training':
      case 'Processing':
      case 'RegisterModel': {
        const jobName = jobNameFor(record.executionId, step.name);
        const jobKind = step.type === 'Training' ? 'TrainingJobName' : 'ProcessingJobName';
        const args = await resolveExpression(step.arguments, scopeFor(step.type === 'RegisterModel' ? undefined : { kind: jobKind, name: jobName }), argsLocation);
        if (!isJsonObject(args)) throw new ResolutionError(argsLocation, 'Arguments resolved to a non-object');
        const jobDir = `${options.executionDir}/steps/${step.name}`;
        if (step.type !== 'RegisterModel') {
          stepRecord.jobDir = `steps/${step.name}`;
          stepRecord.logFile = `steps/${step.name}/stdout.log`;
          await save();
        }
        const properties = await options.executors[step.type](step, args, {
          executionId: record.executionId,
          pipelineName: record.pipelineName,
          jobName,
          jobDir,
          ...(options.signal ? { signal: options.signal } : {}),
          emit,
          reportProgress: async (progress) => {
            stepRecord.progress = progress;
            emit({ type: 'epoch', executionId: record.executionId, step: step.name, ...progress });
            await save();
          },
          reportJob: async (pid) => {
            if (pid === undefined) delete stepRecord.job;
            else stepRecord.job = processRef(pid);
            await save();
          },
        });
        if (step.type === 'RegisterModel') {
          const { ModelPackageGroupName: group, ModelPackageVersion: version, ModelPackageArn: arn, ModelApprovalStatus: status } = properties;
          if (typeof group === 'string' && typeof version === 'number' && typeof arn === 'string' && typeof status === 'string') {
            record.registeredModel = { modelPackageGroupName: group, version, modelPackageArn: arn, approvalStatus: status };
          }
        }
        return properties;
      }
    }
  }
}

function notExecutedReason(step: StepNode, outcomes: ReadonlyMap<string, boolean>, records: ReadonlyMap<string, StepRecord>): string | undefined {
  if (step.branch) {
    const { condition } = step.branch;
    const outcome = outcomes.get(condition);
    // A Condition that did not run itself (its own branch was not taken) decides neither branch.
    if (outcome === undefined) return `its condition "${condition}" did not run (${records.get(condition)?.status ?? 'unknown'})`;
    if (outcome !== step.branch.outcome) return `condition "${condition}" evaluated to ${String(outcome)}, so its ${step.branch.outcome ? 'IfSteps' : 'ElseSteps'} do not run`;
  }
  const blocked = step.dependencies.find((d) => records.get(d)?.status !== 'Succeeded');
  return blocked ? `it depends on step "${blocked}", which did not succeed (${records.get(blocked)?.status ?? 'unknown'})` : undefined;
}

function failureReasonOf(error: unknown): string {
  if (error instanceof StepFailure) return error.reason;
  if (error instanceof ResolutionError) return error.message;
  const err = error instanceof Error ? error : new Error(String(error));
  // An error no executor anticipated (a bug, a full disk): still the step's recorded failure, with its type.
  return `${err.name}: ${err.message}`;
}

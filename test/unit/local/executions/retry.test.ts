import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../../../src/local/executions/execution-record.ts';
import { ExecutionStore } from '../../../../src/local/executions/execution-store.ts';
import { planRetry, RetryRefusedError, nextAttempt } from '../../../../src/local/executions/retry-plan.ts';
import type { JsonObject, JsonValue } from '../../../../src/local/json.ts';
import { parsePipelineDefinition } from '../../../../src/local/pipeline/runnable-pipeline.ts';
import { interpretPipeline, newExecutionRecord, type StepExecutor, type StepExecutors } from '../../../../src/local/pipeline/interpreter.ts';
import { resolveParameters } from '../../../../src/local/pipeline/parameters.ts';

const definition = JSON.parse(readFileSync(new URL('../../../fixtures/local-runner/pipeline.json', import.meta.url), 'utf8')) as JsonObject;
const pipeline = parsePipelineDefinition(definition);

let dir: string;
let store: ExecutionStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-retry-'));
  store = new ExecutionStore(join(dir, 'executions'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Jobs that record every call; the training job can be made to wait until it is aborted, like a real one. */
function executors(calls: string[], options: { trainUntilAborted?: boolean; onTrainStart?: () => void } = {}): StepExecutors {
  const training: StepExecutor = async (step, args, context) => {
    calls.push(step.name);
    await context.reportJob?.(process.pid);
    if (options.trainUntilAborted) {
      options.onTrainStart?.();
      await new Promise<void>((_resolve, reject) => {
        if (context.signal?.aborted) reject(new Error('killed by SIGTERM'));
        context.signal?.addEventListener('abort', () => reject(new Error('killed by SIGTERM')), { once: true });
      });
    }
    const output = (args['OutputDataConfig'] as JsonObject)['S3OutputPath'] as string;
    return { TrainingJobName: context.jobName, ModelArtifacts: { S3ModelArtifacts: `${output}${context.jobName}/output/model.tar.gz` } };
  };
  const processing: StepExecutor = async (step, args, context) => {
    calls.push(step.name);
    return { ProcessingJobName: context.jobName, ProcessingOutputConfig: args['ProcessingOutputConfig'] as JsonObject };
  };
  const register: StepExecutor = async (step) => {
    calls.push(step.name);
    return { ModelPackageGroupName: 'g', ModelPackageVersion: 1, ModelPackageArn: 'arn:local/1', ModelApprovalStatus: 'PendingManualApproval' };
  };
  return { Training: training, Processing: processing, RegisterModel: register };
}

const evaluation: JsonValue = { metrics: { mAP50_95: 0.9 } };

async function interpret(record: ExecutionRecord, steps: StepExecutors, signal?: AbortSignal): Promise<ExecutionRecord> {
  return interpretPipeline({ pipeline, record, store, executors: steps, readObjectJson: async () => evaluation, executionDir: store.executionDir(record.executionId), emit: () => undefined, ...(signal ? { signal } : {}) });
}

function newRecord(): ExecutionRecord {
  const parameters = resolveParameters(pipeline.parameters, { InputDataUri: 's3://data/split_dataset/v1/', CodeUri: 's3://data/code/abc/', CodeVersion: 'abc', QualityThreshold: 0.5, MlflowTrackingUri: 'http://127.0.0.1:1' });
  return newExecutionRecord(pipeline, { executionId: 'exec1', pipelineName: 'p', parameters, definitionSha256: 'sha' });
}

describe('stopping an execution', () => {
  it('an aborted job ends its step and the execution as Stopped with the reason; later steps do not run', async () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const final = await interpret(newRecord(), executors(calls, { trainUntilAborted: true, onTrainStart: () => controller.abort(new Error('stopped by SIGINT (Ctrl-C)')) }), controller.signal);
    expect(final.status).toBe('Stopped');
    expect(final.stopReason).toBe('stopped by SIGINT (Ctrl-C)');
    expect(final.failureReason).toBeUndefined();
    expect(final.steps.map((s) => [s.name, s.status])).toEqual([
      ['Preprocess', 'Succeeded'],
      ['TrainOnSpot', 'Succeeded'],
      ['Train', 'Stopped'],
      ...['Evaluate', 'TrainOnDemand', 'EvaluateOnDemand', 'QualityGate', 'Register', 'QualityGateFailed', 'QualityGateOnDemand', 'RegisterOnDemand', 'QualityGateFailedOnDemand'].map((name) => [name, 'NotExecuted']),
    ]);
    const train = final.steps.find((s) => s.name === 'Train');
    expect(train?.stopReason).toBe('stopped by SIGINT (Ctrl-C)');
    expect(train?.job).toBeUndefined();
    expect(final.steps.find((s) => s.name === 'Evaluate')?.notExecutedReason).toBe('the execution was stopped (stopped by SIGINT (Ctrl-C))');
    expect(final.runnerPid).toBeUndefined();
    expect(await store.get('exec1')).toEqual(final);
    expect(calls).toEqual(['Preprocess', 'Train']);
  });
});

describe('retrying an execution (RetryPipelineExecution)', () => {
  it('continues from the first unfinished step: succeeded steps keep their outputs and do not run again', async () => {
    // First attempt: Train succeeds, Evaluate fails.
    const calls: string[] = [];
    const failing = executors(calls);
    const processing = failing.Processing;
    failing.Processing = async (step, args, context) => {
      if (step.name !== 'Evaluate') return processing(step, args, context);
      calls.push('Evaluate');
      throw new Error('disk full');
    };
    const failed = await interpret(newRecord(), failing);
    expect(failed.status).toBe('Failed');
    const trainProperties = failed.steps.find((s) => s.name === 'Train')?.properties;

    const plan = planRetry(failed, new Date('2026-01-02T03:04:05Z'));
    expect(plan.fromStep).toBe('Evaluate');
    // Preprocess, TrainOnSpot and Train keep their outcome; everything after them runs (or is skipped) again.
    expect(plan.record.steps.map((s) => s.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', ...Array<string>(9).fill('Pending')]);
    expect(plan.record.retries).toEqual([{ at: '2026-01-02T03:04:05.000Z', previousStatus: 'Failed', previousReason: 'Error: disk full', fromStep: 'Evaluate' }]);
    expect(plan.record).not.toHaveProperty('failureReason');
    expect(plan.record).not.toHaveProperty('endedAt');
    expect(nextAttempt(failed)).toBe(2);
    expect(nextAttempt(plan.record)).toBe(3);

    calls.length = 0;
    const final = await interpret(plan.record, executors(calls));
    expect(calls).toEqual(['Evaluate', 'Register']);
    expect(final.status).toBe('Succeeded');
    expect(final.steps.find((s) => s.name === 'Train')?.properties).toEqual(trainProperties);
    expect(final.steps.filter((s) => s.status === 'Succeeded').map((s) => s.name)).toEqual(['Preprocess', 'TrainOnSpot', 'Train', 'Evaluate', 'QualityGate', 'Register']);
    expect(final.steps.filter((s) => s.status !== 'Succeeded').every((s) => s.status === 'NotExecuted')).toBe(true);
    expect(final.registeredModel?.version).toBe(1);
  });

  it('keeps the branch a Condition took before: its decision stands', async () => {
    const calls: string[] = [];
    const steps = executors(calls);
    steps.RegisterModel = async () => {
      calls.push('Register');
      throw new Error('registry locked');
    };
    const failed = await interpret(newRecord(), steps);
    expect(failed.failedStep).toBe('Register');
    const plan = planRetry(failed);
    expect(plan.record.decisions).toEqual(failed.decisions);
    calls.length = 0;
    const final = await interpret(plan.record, executors(calls));
    expect(calls).toEqual(['Register']);
    expect(final.steps.filter((s) => !s.name.endsWith('OnDemand')).map((s) => [s.name, s.status])).toEqual([
      ['Preprocess', 'Succeeded'],
      ['TrainOnSpot', 'Succeeded'],
      ['Train', 'Succeeded'],
      ['Evaluate', 'Succeeded'],
      ['QualityGate', 'Succeeded'],
      ['Register', 'Succeeded'],
      ['QualityGateFailed', 'NotExecuted'],
    ]);
  });

  it('names the job a dead runner left running, so the retry can stop it', async () => {
    const record = newRecord();
    record.status = 'Stopped';
    record.stopReason = 'the runner (pid 4242) exited without finishing';
    // Preprocess had run and TrainOnSpot had chosen spot before the runner died in Train.
    record.steps[0] = { name: 'Preprocess', type: 'Processing', status: 'Succeeded', properties: { ProcessingJobName: 'pipelines-exec1-Preprocess' } };
    record.steps[1] = { name: 'TrainOnSpot', type: 'Condition', status: 'Succeeded', properties: { Outcome: true } };
    const train = record.steps.findIndex((s) => s.name === 'Train');
    record.steps[train] = { name: 'Train', type: 'Training', status: 'Stopped', job: { pid: 4243, identity: 'boot/1' }, jobDir: 'steps/Train', logFile: 'steps/Train/stdout.log', progress: { epoch: 2, epochs: 4, metrics: {} } };
    const plan = planRetry(record);
    expect(plan.leftoverJobs).toEqual([{ pid: 4243, identity: 'boot/1' }]);
    // The step runs again in the same folder (its checkpoints are there); nothing else of the attempt is kept.
    expect(plan.record.steps[train]).toEqual({ name: 'Train', type: 'Training', status: 'Pending', jobDir: 'steps/Train', logFile: 'steps/Train/stdout.log' });
    expect(plan.fromStep).toBe('Train');
  });

  it('refuses a succeeded or running execution, saying what to do', async () => {
    const succeeded = await interpret(newRecord(), executors([]));
    expect(() => planRetry(succeeded)).toThrow(new RetryRefusedError('execution exec1 succeeded: there is nothing to retry (start a new run instead)'));
    const running = newRecord();
    expect(() => planRetry(running)).toThrow(`execution exec1 is still running (runner pid ${process.pid}): stop it first (Ctrl-C where it runs, or kill ${process.pid}), then retry`);
    expect(() => planRetry(running)).toThrow(RetryRefusedError);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../../src/local/events.ts';
import { ExecutionStore } from '../../../../src/local/executions/execution-store.ts';
import type { JsonObject, JsonValue } from '../../../../src/local/json.ts';
import { parsePipelineDefinition } from '../../../../src/local/pipeline/runnable-pipeline.ts';
import { StepFailure } from '../../../../src/local/pipeline/errors.ts';
import { interpretPipeline, jobNameFor, newExecutionRecord, type StepExecutor, type StepExecutors } from '../../../../src/local/pipeline/interpreter.ts';
import { resolveParameters } from '../../../../src/local/pipeline/parameters.ts';

const definition = JSON.parse(readFileSync(new URL('../../../fixtures/local-runner/pipeline.json', import.meta.url), 'utf8')) as JsonObject;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-interpreter-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Harness {
  executors: StepExecutors;
  calls: { step: string; args: JsonObject }[];
  objects: Map<string, JsonValue>;
}

/** Fake jobs that produce what the real ones would, and a fake bucket holding preprocess.json and evaluation.json. */
function harness(mAP: number, overrides: Partial<StepExecutors> = {}): Harness {
  const calls: Harness['calls'] = [];
  const objects = new Map<string, JsonValue>();
  const record = (step: string, args: JsonObject): void => void calls.push({ step, args });
  const training: StepExecutor = async (step, args, context) => {
    record(step.name, args);
    await context.reportProgress({ epoch: 1, epochs: 2, metrics: { 'val/mAP50-95': 0.1 } });
    await context.reportProgress({ epoch: 2, epochs: 2, metrics: { 'val/mAP50-95': 0.2 } });
    const output = (args['OutputDataConfig'] as JsonObject)['S3OutputPath'] as string;
    return { TrainingJobName: context.jobName, TrainingJobStatus: 'Completed', ModelArtifacts: { S3ModelArtifacts: `${output}${context.jobName}/output/model.tar.gz` } };
  };
  const processing: StepExecutor = async (step, args, context) => {
    record(step.name, args);
    const outputs = (args['ProcessingOutputConfig'] as JsonObject)['Outputs'] as JsonObject[];
    const uriOf = (name: string) => ((outputs.find((o) => o['OutputName'] === name) as JsonObject | undefined)?.['S3Output'] as JsonObject | undefined)?.['S3Uri'] as string | undefined;
    const evaluation = uriOf('evaluation');
    if (evaluation) objects.set(`${evaluation}evaluation.json`, { schema_version: 1, metrics: { mAP50: 0.9, mAP50_95: mAP } });
    const report = uriOf('report');
    if (report) objects.set(`${report}preprocess.json`, { schemaVersion: 1, format: 'yolo', converted: false, valid: true });
    return { ProcessingJobName: context.jobName, ProcessingOutputConfig: { Outputs: outputs } };
  };
  const register: StepExecutor = async (step, args) => {
    record(step.name, args);
    return { ModelPackageGroupName: args['ModelPackageGroupName'] as string, ModelPackageVersion: 1, ModelPackageArn: 'arn:local/1', ModelApprovalStatus: 'PendingManualApproval' };
  };
  return { executors: { Training: training, Processing: processing, RegisterModel: register, ...overrides }, calls, objects };
}

async function run(h: Harness, threshold: number, events: RunEvent[] = [], overrides: Record<string, string> = {}) {
  const pipeline = parsePipelineDefinition(definition);
  const parameters = resolveParameters(pipeline.parameters, { InputDataUri: 's3://data/split_dataset/v1/', CodeUri: 's3://data/code/abc/', CodeVersion: 'abc', QualityThreshold: threshold, MlflowTrackingUri: 'http://127.0.0.1:1', ...overrides });
  const record = newExecutionRecord(pipeline, { executionId: 'exec123', pipelineName: 'yolops-pipeline', parameters, definitionSha256: 'sha' });
  const store = new ExecutionStore(join(dir, 'executions'));
  const final = await interpretPipeline({
    pipeline,
    record,
    store,
    executors: h.executors,
    readObjectJson: async (uri) => {
      const value = h.objects.get(uri);
      if (value === undefined) throw new Error(`${uri} does not exist`);
      return value;
    },
    executionDir: join(dir, 'executions', 'exec123'),
    emit: (e) => events.push(e),
  });
  return { final, stored: await store.get('exec123') };
}

describe('interpretPipeline', () => {
  it('runs Preprocess, Train, Evaluate, the gate and Register when the metric reaches the threshold', async () => {
    const h = harness(0.6);
    const events: RunEvent[] = [];
    const { final, stored } = await run(h, 0.5, events);
    expect(final.status).toBe('Succeeded');
    expect(final.steps.map((s) => [s.name, s.status, s.notExecutedReason])).toEqual([
      ['Preprocess', 'Succeeded', undefined],
      ['TrainOnSpot', 'Succeeded', undefined],
      ['Train', 'Succeeded', undefined],
      ['Evaluate', 'Succeeded', undefined],
      ['TrainOnDemand', 'NotExecuted', 'condition "TrainOnSpot" evaluated to true, so its ElseSteps do not run'],
      ['EvaluateOnDemand', 'NotExecuted', 'condition "TrainOnSpot" evaluated to true, so its ElseSteps do not run'],
      ['QualityGate', 'Succeeded', undefined],
      ['Register', 'Succeeded', undefined],
      ['QualityGateFailed', 'NotExecuted', 'condition "QualityGate" evaluated to true, so its ElseSteps do not run'],
      ['QualityGateOnDemand', 'NotExecuted', 'it depends on step "EvaluateOnDemand", which did not succeed (NotExecuted)'],
      ['RegisterOnDemand', 'NotExecuted', 'its condition "QualityGateOnDemand" did not run (NotExecuted)'],
      ['QualityGateFailedOnDemand', 'NotExecuted', 'its condition "QualityGateOnDemand" did not run (NotExecuted)'],
    ]);
    expect(final.decisions).toEqual([
      { step: 'TrainOnSpot', outcome: true, conditions: [{ type: 'Equals', left: true, right: true, outcome: true }], branchSteps: ['Train', 'Evaluate'] },
      { step: 'QualityGate', outcome: true, conditions: [{ type: 'GreaterThanOrEqualTo', left: 0.6, right: 0.5, outcome: true }], branchSteps: ['Register'] },
    ]);
    expect(final.registeredModel).toEqual({ modelPackageGroupName: 'yolops-yolo-models', version: 1, modelPackageArn: 'arn:local/1', approvalStatus: 'PendingManualApproval' });
    expect(final.runnerPid).toBeUndefined();
    expect(stored).toEqual(final);

    // Properties flow: Preprocess read InputDataUri; Train and Evaluate read Preprocess's dataset output; Evaluate got
    // Train's model artifact, Register got it and the metadata.
    const preprocess = h.calls.find((c) => c.step === 'Preprocess')?.args as JsonObject;
    expect((((preprocess['ProcessingInputs'] as JsonObject[])[0] as JsonObject)['S3Input'] as JsonObject)['S3Uri']).toBe('s3://data/split_dataset/v1/');
    expect((preprocess['AppSpecification'] as JsonObject)['ContainerArguments']).toEqual(['--input', '/opt/ml/processing/input/data', '--format', 'yolo', '--split', '0.8,0.2', '--seed', '0', '--output', '/opt/ml/processing/dataset', '--report', '/opt/ml/processing/report']);
    const dataset = 's3://yolops-model-artifacts-123456789012/pipelines/exec123/dataset/';
    const evaluate = h.calls.find((c) => c.step === 'Evaluate')?.args as JsonObject;
    const modelInput = ((evaluate['ProcessingInputs'] as JsonObject[])[0] as JsonObject)['S3Input'] as JsonObject;
    expect(modelInput['S3Uri']).toBe(`s3://yolops-model-artifacts-123456789012/pipelines/exec123/${jobNameFor('exec123', 'Train')}/output/model.tar.gz`);
    expect((((evaluate['ProcessingInputs'] as JsonObject[])[1] as JsonObject)['S3Input'] as JsonObject)['S3Uri']).toBe(dataset);
    const register = h.calls.find((c) => c.step === 'Register')?.args as JsonObject;
    expect(register['CustomerMetadataProperties']).toEqual({ PipelineExecutionId: 'exec123', InputDataUri: 's3://data/split_dataset/v1/', InputFormat: 'yolo', CodeVersion: 'abc' });
    const train = h.calls.find((c) => c.step === 'Train')?.args as JsonObject;
    expect((((train['InputDataConfig'] as JsonObject[])[0] as JsonObject)['DataSource'] as JsonObject)['S3DataSource']).toMatchObject({ S3Uri: dataset });
    expect((train['HyperParameters'] as JsonObject)['sagemaker_submit_directory']).toBe('"s3://data/code/abc/sourcedir.tar.gz"');
    expect((train['Environment'] as JsonObject)['YOLOPS_EXECUTION_ID']).toBe('exec123');
    // The job gets the arguments resolved; spot settings are listed as ignored, not acted on.
    expect(train['EnableManagedSpotTraining']).toBe(true);
    expect(final.ignored).toContain('Train: Arguments.StoppingCondition.MaxWaitTimeInSeconds (how long SageMaker may wait for spot capacity; a local job never waits for capacity)');

    expect(final.steps.find((s) => s.name === 'Train')?.progress).toEqual({ epoch: 2, epochs: 2, metrics: { 'val/mAP50-95': 0.2 } });
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'step-started').map((e) => e.type === 'step-started' && e.step)).toEqual(['Preprocess', 'TrainOnSpot', 'Train', 'Evaluate', 'QualityGate', 'Register']);
  });

  it('runs the on-demand branch when the execution passes UseSpotInstances=false', async () => {
    const h = harness(0.6);
    const { final } = await run(h, 0.5, [], { UseSpotInstances: 'false', InputFormat: 'coco' });
    expect(final.status).toBe('Succeeded');
    expect(final.steps.filter((s) => s.status !== 'NotExecuted').map((s) => s.name)).toEqual(['Preprocess', 'TrainOnSpot', 'TrainOnDemand', 'EvaluateOnDemand', 'QualityGateOnDemand', 'RegisterOnDemand']);
    expect(final.steps.find((s) => s.name === 'QualityGate')?.notExecutedReason).toBe('it depends on step "Evaluate", which did not succeed (NotExecuted)');
    expect(h.calls.map((c) => c.step)).toEqual(['Preprocess', 'TrainOnDemand', 'EvaluateOnDemand', 'RegisterOnDemand']);
    expect(((h.calls[0]?.args as JsonObject)['AppSpecification'] as JsonObject)['ContainerArguments']).toEqual(expect.arrayContaining(['--format', 'coco']));
    const train = h.calls[1]?.args as JsonObject;
    expect((((train['InputDataConfig'] as JsonObject[])[0] as JsonObject)['DataSource'] as JsonObject)['S3DataSource']).toMatchObject({ S3Uri: 's3://yolops-model-artifacts-123456789012/pipelines/exec123/dataset/' });
    expect(train['EnableManagedSpotTraining']).toBe(false);
    expect(train['StoppingCondition']).toEqual({ MaxRuntimeInSeconds: 86400 });
    const evaluate = h.calls[2]?.args as JsonObject;
    expect((((evaluate['ProcessingInputs'] as JsonObject[])[0] as JsonObject)['S3Input'] as JsonObject)['S3Uri']).toBe(`s3://yolops-model-artifacts-123456789012/pipelines/exec123/${jobNameFor('exec123', 'TrainOnDemand')}/output/model.tar.gz`);
    expect(final.registeredModel?.version).toBe(1);
    expect((h.calls[3]?.args as JsonObject)['CustomerMetadataProperties']).toMatchObject({ InputFormat: 'coco' });
  });

  it('fails the execution with the Fail step message when the gate says no, and registers nothing', async () => {
    const h = harness(0.2);
    const { final } = await run(h, 1);
    expect(final.status).toBe('Failed');
    expect(final.failedStep).toBe('QualityGateFailed');
    expect(final.failureReason).toBe('Quality gate failed: mAP50_95 = 0.2 is below the QualityThreshold 1');
    expect(final.steps.filter((s) => !s.name.endsWith('OnDemand')).map((s) => [s.name, s.status])).toEqual([
      ['Preprocess', 'Succeeded'],
      ['TrainOnSpot', 'Succeeded'],
      ['Train', 'Succeeded'],
      ['Evaluate', 'Succeeded'],
      ['QualityGate', 'Succeeded'],
      ['Register', 'NotExecuted'],
      ['QualityGateFailed', 'Failed'],
    ]);
    expect(final.registeredModel).toBeUndefined();
    expect(h.calls.map((c) => c.step)).toEqual(['Preprocess', 'Train', 'Evaluate']);
  });

  it('stops at a failed step: later steps are NotExecuted with the reason', async () => {
    const h = harness(0.9, {
      Training: async () => {
        throw new StepFailure('AlgorithmError: class id 7 is out of range');
      },
    });
    const { final } = await run(h, 0.5);
    expect(final.status).toBe('Failed');
    expect(final.failureReason).toBe('AlgorithmError: class id 7 is out of range');
    expect(final.failedStep).toBe('Train');
    expect(final.steps.slice(3).every((s) => s.status === 'NotExecuted' && s.notExecutedReason === 'the execution stopped at step "Train"')).toBe(true);
    expect(final.decisions.map((d) => d.step)).toEqual(['TrainOnSpot']);
  });

  it('records an unexpected executor error as the step failure, with its type', async () => {
    const h = harness(0.9, {
      Processing: async () => {
        throw new TypeError('boom');
      },
    });
    const { final } = await run(h, 0.5);
    expect(final.status).toBe('Failed');
    expect(final.failureReason).toBe('TypeError: boom');
    // Preprocess is the first processing job: the execution stops there, before any training.
    expect(final.failedStep).toBe('Preprocess');
    expect(final.steps.find((s) => s.name === 'Preprocess')?.status).toBe('Failed');
    expect(final.steps.find((s) => s.name === 'Train')?.status).toBe('NotExecuted');
  });

  it('fails the step whose property file is missing, naming the file and URI', async () => {
    const h = harness(0.9);
    h.executors.Processing = async (_step, args, context) => ({ ProcessingJobName: context.jobName, ProcessingOutputConfig: (args['ProcessingOutputConfig'] as JsonObject) });
    const { final } = await run(h, 0.5);
    expect(final.failedStep).toBe('QualityGate');
    expect(final.failureReason).toMatch(/cannot read property file evaluation.json of step "Evaluate" at s3:\/\/yolops-model-artifacts-123456789012\/pipelines\/exec123\/evaluation\/evaluation.json: .* does not exist/);
  });
});

describe('jobNameFor', () => {
  it('keeps SageMaker job name rules', () => {
    expect(jobNameFor('abc', 'Train')).toBe('pipelines-abc-Train');
    expect(jobNameFor('abc', 'my_step')).toBe('pipelines-abc-my-step');
    expect(jobNameFor('abc', 'x'.repeat(80))).toHaveLength(63);
  });
});

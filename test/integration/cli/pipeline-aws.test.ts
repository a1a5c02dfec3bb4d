// `yolops --target aws pipeline ...` and `yolops --target aws runs ...` as a user runs them: real CLI processes
// against moto's SageMaker, S3 and SSM on loopback, with the pipeline created in moto the way the stack creates it.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreatePipelineCommand,
  CreateTrainingJobCommand,
  DescribePipelineCommand,
  ListPipelineExecutionsCommand,
  ListPipelineParametersForExecutionCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveCodeVersion } from '../../../src/cli/code-version.ts';
import { runSummarySchema, runViewSchema } from '../../../src/cli/render/run-view.ts';
import { resourceNames } from '../../../src/core/naming.ts';
import { mlflowAppArnPlaceholder, synthesizeTrainingPipelineFromFiles } from '../../../src/core/pipeline/index.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from '../aws/moto.ts';
import { startScriptedProxy, type ScriptedProxy } from '../aws/scripted-executions-proxy.ts';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-pipeline-aws-'));
const project = join(work, 'project');
const context = { aws_account_id: MOTO_ACCOUNT, aws_region: MOTO_REGION, project_name: 'yolops', environment: 'dev', mlflow: 'app' } as const;
const names = resourceNames(context);
const BUCKET = names.trainingDataBucket;
const PIPELINE = names.pipeline;
const PIPELINE_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/${names.pipelineRole}`;
const APP_ARN = `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:mlflow-app/app-k3x9q2m1v8ab`;
const DEPLOYED_VERSION = 'deployed0001';

let moto: MotoServer;
let proxy: ScriptedProxy;
let sagemaker: SageMakerClient;
let s3: S3Client;
let ssm: SSMClient;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function env(): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: MOTO_REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PROFILE: '',
    YOLOPS_TARGET: 'aws',
    YOLOPS_HOME: join(work, 'home'),
    YOLOPS_DEBUG: '',
  };
}

/**
 * The CLI in a child process, awaited without blocking this process's event loop: the proxy in front of moto
 * answers from here.
 */
function yolops(...args: string[]): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'yolops.js'), ...args], { cwd: project, env: env() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** One `yolops: ...` line on stderr, no stack trace. */
function expectOneLine(result: Result, message: RegExp): void {
  expect(result.status, result.stderr).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^yolops: /);
  expect(lines[0]).toMatch(message);
}

/** The definition as the pipeline stack deploys it: compiled for a code version, the App's ARN in place. */
function deployedDefinition(codeVersion: string): string {
  const { json } = synthesizeTrainingPipelineFromFiles({ root: project }, { codeVersion });
  return json.split(mlflowAppArnPlaceholder(context)).join(APP_ARN);
}

async function createPipeline(definition = deployedDefinition(DEPLOYED_VERSION)): Promise<void> {
  await sagemaker.send(new CreatePipelineCommand({ PipelineName: PIPELINE, PipelineDefinition: definition, RoleArn: PIPELINE_ROLE, ClientRequestToken: `create-${Date.now()}-0000000000000000000` }));
}

async function putAppArn(): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name: names.mlflowTrackingUriParameter, Value: APP_ARN, Type: 'String' }));
}

async function putCodeBundle(version: string): Promise<void> {
  for (const file of ['sourcedir.tar.gz', 'processing_entrypoint.sh']) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `code/${version}/${file}`, Body: `${file} of ${version}` }));
  }
}

async function executionsInMoto(): Promise<string[]> {
  const answer = await sagemaker.send(new ListPipelineExecutionsCommand({ PipelineName: PIPELINE }));
  return (answer.PipelineExecutionSummaries ?? []).map((s) => s.PipelineExecutionArn ?? '');
}

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startScriptedProxy(moto.endpoint);
  sagemaker = new SageMakerClient({ ...moto.clientConfig, maxAttempts: 1 });
  s3 = new S3Client(moto.clientConfig);
  ssm = new SSMClient(moto.clientConfig);
  // A project as `yolops` finds it: cdk.json (moto's account and region), training-config.json, training/.
  spawnSync('mkdir', ['-p', project]);
  writeFileSync(join(project, 'cdk.json'), JSON.stringify({ app: 'node src/infra/app.ts', context }));
  copyFileSync(join(repo, 'training-config.json'), join(project, 'training-config.json'));
  symlinkSync(join(repo, 'training'), join(project, 'training'));
}, 120_000);
afterAll(async () => {
  for (const client of [sagemaker, s3, ssm]) client?.destroy();
  await proxy?.close();
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(async () => {
  await moto.reset();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

describe('pipeline upsert', () => {
  it('says which stack to deploy, or what to upload, before it touches the pipeline', async () => {
    await putCodeBundle('v1');
    expectOneLine(await yolops('pipeline', 'upsert', '--code-version', 'v1'), /SSM parameter \/yolops\/mlflow\/tracking-uri .* does not exist in us-east-1: deploy the shared stack first \(npx cdk deploy yolops-SharedResourcesStack\)/);
    await putAppArn();
    expectOneLine(await yolops('pipeline', 'upsert', '--code-version', 'v2'), /code bundle v2 is not in s3:\/\/yolops-training-data-123456789012\/code\/v2\/ \(no sourcedir\.tar\.gz\): upload it first with `yolops --target aws code push`/);
    expectOneLine(await yolops('pipeline', 'upsert', '--code-version', 'v1'), /pipeline yolops-yolo-training-pipeline does not exist in us-east-1: deploy it first with npx cdk deploy --all/);
    expectOneLine(await yolops('pipeline', 'upsert', '--code-version', '../v1'), /--code-version "\.\.\/v1" must be 1-128 letters/);
  });

  it('updates the deployed pipeline with the definition the stack would deploy, keeping its role; then finds nothing to change', async () => {
    await putAppArn();
    await putCodeBundle('v7');
    await createPipeline();
    const first = await yolops('pipeline', 'upsert', '--code-version', 'v7', '--json');
    expect(first.status, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ target: 'aws', pipelineName: PIPELINE, roleArn: PIPELINE_ROLE, codeVersion: 'v7', codeUri: `s3://${BUCKET}/code/v7/`, mlflowAppArn: APP_ARN, updated: true });
    const described = await sagemaker.send(new DescribePipelineCommand({ PipelineName: PIPELINE }));
    expect(described.RoleArn).toBe(PIPELINE_ROLE);
    expect(JSON.parse(described.PipelineDefinition ?? '')).toEqual(JSON.parse(deployedDefinition('v7')));
    expect(described.PipelineDefinition).not.toContain('set-at-deploy');

    const again = await yolops('pipeline', 'upsert', '--code-version', 'v7');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^unchanged \(already deployed\): pipeline yolops-yolo-training-pipeline\ncode version v7 /);
    expect(proxy.calls.filter((c) => c === 'UpdatePipeline')).toHaveLength(1);
    expect(proxy.calls).not.toContain('CreatePipeline');
  });

  it('defaults to the code version `yolops code push` uploads', async () => {
    const { version } = await resolveCodeVersion(join(project, 'training'));
    await putAppArn();
    await putCodeBundle(version);
    await createPipeline();
    const upsert = await yolops('pipeline', 'upsert', '--json');
    expect(upsert.status, upsert.stderr).toBe(0);
    expect(JSON.parse(upsert.stdout)).toMatchObject({ codeVersion: version, updated: true });
  });
});

describe('pipeline start', () => {
  beforeEach(async () => {
    await createPipeline();
  });

  it('maps the overrides to the pipeline parameters and prints the execution ARN and console link', async () => {
    await putCodeBundle('v9');
    const start = await yolops('pipeline', 'start', '--data', 'v1', '--epochs', '3', '--batch-size', '16', '--instance-type', 'ml.g5.2xlarge', '--no-spot', '--code-version', 'v9', '--json');
    expect(start.status, start.stderr).toBe(0);
    const started = JSON.parse(start.stdout) as { executionArn: string; displayName: string; parameters: Record<string, string>; consoleUrl: string };
    const expected = {
      InputDataUri: `s3://${BUCKET}/split_dataset/v1/`,
      Epochs: '3',
      BatchSize: '16',
      TrainingInstanceType: 'ml.g5.2xlarge',
      UseSpotInstances: 'false',
      CodeUri: `s3://${BUCKET}/code/v9/`,
      CodeVersion: 'v9',
    };
    expect(started.parameters).toEqual(expected);
    expect(await executionsInMoto()).toEqual([started.executionArn]);
    const sent = await sagemaker.send(new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: started.executionArn }));
    expect(Object.fromEntries((sent.PipelineParameters ?? []).map((p) => [p.Name, p.Value]))).toEqual(expected);
    expect(started.displayName).toMatch(/^split-dataset-v1-\d{8}T\d{4}$/);
    const id = started.executionArn.split('/').at(-1) ?? '';
    expect(started.consoleUrl).toBe(`https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/pipelines/${PIPELINE}/executions/${id}`);

    const plain = await yolops('pipeline', 'start', '--data', `s3://${BUCKET}/sample_dataset/demo`, '--spot');
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^started arn:aws:sagemaker:us-east-1:123456789012:pipeline\/yolops-yolo-training-pipeline\/execution\/\w+\nhttps:\/\/us-east-1\.console\.aws\.amazon\.com\//);
    const newest = (await executionsInMoto()).find((arn) => arn !== started.executionArn) ?? '';
    const second = await sagemaker.send(new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: newest }));
    expect(Object.fromEntries((second.PipelineParameters ?? []).map((p) => [p.Name, p.Value]))).toEqual({ InputDataUri: `s3://${BUCKET}/sample_dataset/demo/`, UseSpotInstances: 'true' });

    // Without --data (a code push's retraining), the newest execution's dataset.
    const again = await yolops('pipeline', 'start', '--epochs', '2', '--json');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain(`no --data: training on s3://${BUCKET}/sample_dataset/demo/, the dataset of the newest execution ${newest.split('/').at(-1) ?? ''}`);
    expect((JSON.parse(again.stdout) as { parameters: Record<string, string> }).parameters).toEqual({ InputDataUri: `s3://${BUCKET}/sample_dataset/demo/`, Epochs: '2' });

    // A labelled export: --format is InputFormat, and a version name is then a folder of labeled-data/.
    const coco = await yolops('pipeline', 'start', '--data', 'export-7', '--format', 'coco', '--json');
    expect(coco.status, coco.stderr).toBe(0);
    const cocoArn = (JSON.parse(coco.stdout) as { executionArn: string }).executionArn;
    const cocoSent = await sagemaker.send(new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: cocoArn }));
    expect(Object.fromEntries((cocoSent.PipelineParameters ?? []).map((p) => [p.Name, p.Value]))).toEqual({ InputDataUri: `s3://${BUCKET}/labeled-data/export-7/`, InputFormat: 'coco' });
    // Retraining it without --data reads it the same way.
    const retrain = await yolops('pipeline', 'start', '--json');
    expect(retrain.status, retrain.stderr).toBe(0);
    expect((JSON.parse(retrain.stdout) as { parameters: Record<string, string> }).parameters).toEqual({ InputDataUri: `s3://${BUCKET}/labeled-data/export-7/`, InputFormat: 'coco' });
  });

  it('refuses a bad value with one line (exit 2) and starts nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['--data', 'v1', '--epochs', '0'], /--epochs 0: must be at least 1/],
      [['--data', 'v1', '--epochs', 'many'], /--epochs "many": must be a whole number of epochs/],
      [['--data', 'v1', '--batch-size', 'big'], /--batch-size "big": must be a positive whole number or "auto"/],
      [['--data', 'v1', '--instance-type', 'g5.xlarge'], /--instance-type "g5\.xlarge": must be a SageMaker training instance type/],
      [['--data', 's3://someone-elses-bucket/split_dataset/v1/'], /--data s3:\/\/someone-elses-bucket\/split_dataset\/v1\/ is outside the training bucket/],
      [['--data', 'not a version'], /--data not a version: give an s3:\/\/.* URI or a version name/],
      [['--data', 'v1', '--format', 'yaml'], /--format "yaml" is not a label format yolops reads; use one of yolo, coco, voc, groundtruth, labelstudio$/],
      [['--epochs', '3'], /--data is needed: there is no execution yet to take the dataset from; give --data <version>/],
      [['--data', 'v1', '--code-version', 'never-pushed'], /code bundle never-pushed is not in s3:\/\/yolops-training-data-123456789012\/code\/never-pushed\//],
    ];
    for (const [args, message] of cases) expectOneLine(await yolops('pipeline', 'start', ...args), message);
    expect(await executionsInMoto()).toEqual([]);
  });

  it('refuses a parameter the deployed definition does not declare', async () => {
    await moto.reset();
    const definition = JSON.parse(deployedDefinition(DEPLOYED_VERSION)) as { Parameters: { Name: string }[] };
    definition.Parameters = definition.Parameters.filter((p) => p.Name !== 'UseSpotInstances' && p.Name !== 'InputFormat');
    await createPipeline(JSON.stringify(definition));
    expectOneLine(await yolops('pipeline', 'start', '--data', 'v1', '--no-spot'), /the pipeline does not declare the parameter UseSpotInstances: deploy the current definition first/);
    // A pipeline deployed before the Preprocess step cannot take a labelled export.
    expectOneLine(await yolops('pipeline', 'start', '--data', 'export-7', '--format', 'coco'), /the pipeline does not declare the parameter InputFormat: deploy the current definition first/);
    expect(await executionsInMoto()).toEqual([]);
  });

  it('names the pipeline to deploy when there is none', async () => {
    await moto.reset();
    expectOneLine(await yolops('pipeline', 'start', '--data', 'v1'), /pipeline yolops-yolo-training-pipeline does not exist in us-east-1: deploy it first/);
  });
});

describe('pipeline list, runs list and status', () => {
  beforeEach(async () => {
    await createPipeline();
  });

  it('lists executions newest first in the run view shape, on `pipeline list` and `runs list` alike', async () => {
    const empty = await yolops('runs', 'list');
    expect(empty.stdout).toMatch(/^no executions yet: start one with `yolops --target aws pipeline start/);
    expectOneLine(await yolops('pipeline', 'status', 'latest'), /pipeline yolops-yolo-training-pipeline has no executions yet in us-east-1/);

    const arns: string[] = [];
    for (const version of ['v1', 'v2']) {
      const start = await yolops('pipeline', 'start', '--data', version, '--epochs', version === 'v1' ? '5' : '6', '--json');
      expect(start.status, start.stderr).toBe(0);
      arns.push((JSON.parse(start.stdout) as { executionArn: string }).executionArn);
      await new Promise((r) => setTimeout(r, 1100)); // moto's start times have whole seconds
    }
    const listed = await yolops('pipeline', 'list', '--json');
    expect(listed.status, listed.stderr).toBe(0);
    const runs = runSummarySchema.array().parse(JSON.parse(listed.stdout));
    expect(runs.map((r) => r.executionArn)).toEqual([...arns].reverse());
    expect(runs[0]).toMatchObject({ target: 'aws', status: 'Succeeded', dataset: `s3://${BUCKET}/split_dataset/v2/`, parameters: { Epochs: '6' } });
    expect(JSON.parse((await yolops('runs', 'list', '--json')).stdout)).toEqual(runs);
    expect(runSummarySchema.array().parse(JSON.parse((await yolops('runs', 'list', '--limit', '1', '--json')).stdout)).map((r) => r.executionArn)).toEqual([arns[1]]);
    const table = await yolops('runs', 'list');
    expect(table.stdout).toMatch(new RegExp(`^execution\\s+status\\s+started\\s+duration\\s+dataset\\s+model version\\n[- ]+\\n${arns[1]?.split('/').at(-1)}\\s+Succeeded\\s`));
  });

  it('shows one execution with its steps (status and runs show); exit 1 when it failed, 0 while it runs', async () => {
    const start = await yolops('pipeline', 'start', '--data', 'v3', '--json');
    const { executionArn } = JSON.parse(start.stdout) as { executionArn: string };
    const id = executionArn.split('/').at(-1) ?? '';
    // moto has no ListPipelineExecutionSteps and no execution that fails: both come from the scripted proxy.
    proxy.script(executionArn, [
      {
        status: 'Failed',
        failureReason: 'Step failure: One or multiple steps failed.',
        steps: [
          { StepName: 'TrainOnSpot', StepStatus: 'Succeeded', StartTime: 1_780_000_000, EndTime: 1_780_000_001, Metadata: { Condition: { Outcome: 'True' } } },
          {
            StepName: 'Train',
            StepStatus: 'Failed',
            StartTime: 1_780_000_002,
            EndTime: 1_780_000_302,
            FailureReason: 'ClientError: AlgorithmError: CUDA out of memory',
            Metadata: { TrainingJob: { Arn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:training-job/pipelines-${id}-train` } },
          },
        ],
      },
    ]);
    await createTrainingJob(`pipelines-${id}-train`);
    const status = await yolops('pipeline', 'status', id, '--json');
    expect(status.status, status.stderr).toBe(1);
    const view = runViewSchema.parse(JSON.parse(status.stdout));
    expect(view).toMatchObject({ target: 'aws', id, executionArn, status: 'Failed', failureReason: 'Step failure: One or multiple steps failed.', dataset: `s3://${BUCKET}/split_dataset/v3/` });
    expect(view.steps.map((s) => [s.name, s.type, s.status, s.durationSeconds])).toEqual([
      ['TrainOnSpot', 'Condition', 'Succeeded', 1],
      ['Train', 'Training', 'Failed', 300],
    ]);
    expect(view.steps[1]?.metrics).toEqual({ 'train:progress': 100 }); // moto's DescribeTrainingJob
    expect(view.conditions).toEqual([{ step: 'TrainOnSpot', outcome: true }]);

    const shown = await yolops('runs', 'show', executionArn);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^execution ${id} \\(${PIPELINE}\\): Failed in \\d+\\.\\d s\\nreason: Step failure: One or multiple steps failed\\.\\ncontinue it with: aws sagemaker retry-pipeline-execution`));
    expect(shown.stdout).toMatch(/Train\s+Training\s+Failed\s+5 min 0 s\s+ClientError: AlgorithmError: CUDA out of memory/);
    expect(JSON.parse((await yolops('runs', 'show', 'latest', '--json')).stdout)).toEqual(view);

    proxy.script(executionArn, [{ status: 'Executing', steps: [{ StepName: 'TrainOnSpot', StepStatus: 'Executing', StartTime: 1_780_000_000 }] }]);
    const running = await yolops('pipeline', 'status', 'latest');
    expect(running.status, running.stderr).toBe(0);
    expect(running.stdout).toMatch(/: Executing\n/);
  });

  it('says what is wrong with an execution that does not exist, and with a retry on aws', async () => {
    const missing = `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:pipeline/${PIPELINE}/execution/doesnotexist`;
    expectOneLine(await yolops('pipeline', 'status', missing), new RegExp(`pipeline execution ${missing} does not exist in us-east-1`));
    expectOneLine(await yolops('runs', 'show', 'doesnotexist'), /execution .*\/execution\/doesnotexist does not exist/);
    expectOneLine(await yolops('pipeline', 'watch', 'not/an id'), /"not\/an id" is neither an execution id nor a pipeline execution ARN/);
    expectOneLine(await yolops('runs', 'retry', 'abc'), /on AWS SageMaker does it itself: aws sagemaker retry-pipeline-execution/);
  });
});

async function createTrainingJob(name: string): Promise<string> {
  const answer = await sagemaker.send(
    new CreateTrainingJobCommand({
      TrainingJobName: name,
      AlgorithmSpecification: { TrainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.6.0-gpu-py312', TrainingInputMode: 'File' },
      RoleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${names.sagemakerExecutionRole}`,
      OutputDataConfig: { S3OutputPath: `s3://${names.modelArtifactsBucket}/pipelines/` },
      ResourceConfig: { InstanceType: 'ml.g5.xlarge', InstanceCount: 1, VolumeSizeInGB: 50 },
      StoppingCondition: { MaxRuntimeInSeconds: 3600 },
    }),
  );
  return answer.TrainingJobArn ?? '';
}

describe('pipeline watch', () => {
  beforeEach(async () => {
    await createPipeline();
  });

  it('follows the steps to Succeeded with the training job\'s progress and metrics, and exits 0', async () => {
    const start = await yolops('pipeline', 'start', '--data', 'v4', '--json');
    const { executionArn } = JSON.parse(start.stdout) as { executionArn: string };
    const id = executionArn.split('/').at(-1) ?? '';
    const jobArn = await createTrainingJob(`pipelines-${id}-train`);
    const t = 1_780_000_000;
    const train = { StepName: 'Train', Metadata: { TrainingJob: { Arn: jobArn } } };
    const spot = { StepName: 'TrainOnSpot', StepStatus: 'Succeeded' as const, StartTime: t, EndTime: t + 1, Metadata: { Condition: { Outcome: 'True' } } };
    // moto lacks ListPipelineExecutionSteps and ends every execution at once: the progression is scripted.
    proxy.script(executionArn, [
      { status: 'Executing', steps: [{ StepName: 'TrainOnSpot', StepStatus: 'Executing', StartTime: t }] },
      { status: 'Executing', steps: [spot, { ...train, StepStatus: 'Starting', StartTime: t + 2 }] },
      { status: 'Executing', steps: [spot, { ...train, StepStatus: 'Executing', StartTime: t + 2 }] },
      {
        status: 'Succeeded',
        steps: [
          spot,
          { ...train, StepStatus: 'Succeeded', StartTime: t + 2, EndTime: t + 602 },
          { StepName: 'Evaluate', StepStatus: 'Succeeded', StartTime: t + 603, EndTime: t + 663, Metadata: { ProcessingJob: { Arn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:processing-job/pipelines-${id}-evaluate` } } },
          { StepName: 'QualityGate', StepStatus: 'Succeeded', StartTime: t + 664, EndTime: t + 665, Metadata: { Condition: { Outcome: 'True' } } },
          { StepName: 'Register', StepStatus: 'Succeeded', StartTime: t + 666, EndTime: t + 667, Metadata: { RegisterModel: { Arn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:model-package/${names.modelPackageGroup}/4` } } },
        ],
      },
    ]);
    const watch = await yolops('pipeline', 'watch', id, '--interval', '0.1');
    expect(watch.status, watch.stderr).toBe(0);
    expect(watch.stdout.trimEnd().split('\n')).toEqual([
      `execution ${id} (${PIPELINE}): Executing, dataset s3://${BUCKET}/split_dataset/v4/`,
      '  TrainOnSpot: Executing',
      '  TrainOnSpot (Condition): Succeeded in 1.0 s',
      '  Train (Training): Starting',
      // moto's training job: one secondary status and one final metric.
      '    Train job: Starting - Preparing the instances for training',
      '    Train metrics: train:progress 100',
      '  Train (Training): Executing',
      '  Train (Training): Succeeded in 10 min 0 s',
      '  Evaluate (Processing): Succeeded in 1 min 0 s',
      '  QualityGate (Condition): Succeeded in 1.0 s',
      '  Register (RegisterModel): Succeeded in 1.0 s',
      `execution ${id}: Succeeded`,
    ]);
    expect(proxy.calls.filter((c) => c === 'DescribeTrainingJob').length).toBeGreaterThanOrEqual(1);

    const status = runViewSchema.parse(JSON.parse((await yolops('runs', 'show', id, '--json')).stdout));
    expect(status.registeredModel).toEqual({ modelPackageGroupName: names.modelPackageGroup, version: 4, modelPackageArn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:model-package/${names.modelPackageGroup}/4` });
  });

  it('exits 1 with the failure reason when the execution fails', async () => {
    const start = await yolops('pipeline', 'start', '--data', 'v5', '--json');
    const { executionArn } = JSON.parse(start.stdout) as { executionArn: string };
    const id = executionArn.split('/').at(-1) ?? '';
    proxy.script(executionArn, [
      { status: 'Executing', steps: [{ StepName: 'TrainOnSpot', StepStatus: 'Executing', StartTime: 1_780_000_000 }] },
      {
        status: 'Failed',
        failureReason: 'Step failure: One or multiple steps failed.',
        steps: [
          { StepName: 'TrainOnSpot', StepStatus: 'Succeeded', StartTime: 1_780_000_000, EndTime: 1_780_000_001, Metadata: { Condition: { Outcome: 'False' } } },
          { StepName: 'TrainOnDemand', StepStatus: 'Failed', StartTime: 1_780_000_002, EndTime: 1_780_000_062, FailureReason: 'ClientError: Data download failed: no data.yaml' },
        ],
      },
    ]);
    const watch = await yolops('pipeline', 'watch', 'latest', '--interval', '0.1');
    expect(watch.status, watch.stderr).toBe(1);
    expect(watch.stdout).toMatch(/ {2}TrainOnDemand: Failed in 1 min 0 s: ClientError: Data download failed: no data\.yaml\n/);
    expect(watch.stdout.trimEnd().split('\n').at(-1)).toBe(`execution ${id}: Failed: Step failure: One or multiple steps failed.`);
  });

  it('Ctrl-C stops the watching, never the execution (exit 130)', async () => {
    const start = await yolops('pipeline', 'start', '--data', 'v7', '--json');
    const { executionArn } = JSON.parse(start.stdout) as { executionArn: string };
    const id = executionArn.split('/').at(-1) ?? '';
    proxy.script(executionArn, [{ status: 'Executing', steps: [{ StepName: 'TrainOnSpot', StepStatus: 'Executing', StartTime: 1_780_000_000 }] }]);
    const child = spawn(process.execPath, [join(repo, 'bin', 'yolops.js'), 'pipeline', 'watch', id, '--interval', '0.2'], { cwd: project, env: env() });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const firstLine = new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), stdout.includes('TrainOnSpot') && resolve())));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await firstLine;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr.trimEnd()).toBe(`stopped watching; the execution goes on: yolops --target aws pipeline status ${executionArn}`);
    expect(proxy.calls).not.toContain('StopPipelineExecution');
  });

  it('`pipeline start --wait` starts, then follows to the end', async () => {
    // moto's own execution, unscripted: it is Succeeded at once. Its steps come from the proxy (none).
    const start = await yolops('pipeline', 'start', '--data', 'v6', '--wait', '--interval', '0.1', '--json');
    expect(start.status, start.stderr).toBe(0);
    const out = JSON.parse(start.stdout) as { executionArn: string; run: unknown };
    expect(runViewSchema.parse(out.run)).toMatchObject({ executionArn: out.executionArn, status: 'Succeeded' });
    expect(start.stderr).toMatch(/: Succeeded, dataset s3:\/\/yolops-training-data-123456789012\/split_dataset\/v6\//);
  });
});

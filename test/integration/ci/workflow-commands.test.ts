// The commands CI runs, run as CI runs them (test/support/ci-runner.ts) against moto: the `run:` steps of the
// Deploy-and-Train workflow, job by job, and the model-build buildspec, with `npx yolops` standing for this
// working tree's bin/yolops.js. What moto cannot be is GitHub's runner and CodeBuild: the `uses:` steps
// (checkout, credentials, Node.js) are replaced by the folder, the environment and the Node.js this test gives,
// and `npm ci` is skipped since the packages are installed.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DescribePipelineCommand, ListPipelineExecutionsCommand, ListPipelineParametersForExecutionCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SageMakerPipelines } from '../../../src/aws/sagemaker-pipelines.ts';
import { resourceNames } from '../../../src/core/naming.ts';
import { synthesizeTrainingPipelineFromFiles } from '../../../src/core/pipeline/index.ts';
import { buildspecCommands, workflowJobCommands } from '../../support/ci-commands.ts';
import { runBuildspec, runWorkflowJob, type CiRunOptions, type JobResult } from '../../support/ci-runner.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from '../aws/moto.ts';

const REPO = join(import.meta.dirname, '../../..');
const names = resourceNames({ project_name: 'yolops', aws_account_id: MOTO_ACCOUNT });
const MLFLOW_APP_ARN = `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:mlflow-app/app-0123456789ab`;
const PIPELINE_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/${names.pipelineRole}`;

let moto: MotoServer;
let s3: S3Client;
let sagemaker: SageMakerClient;
let ssm: SSMClient;
let checkout: string;

/** A checkout as the runner has it: the repository's config for us-east-1, training/ and the workflow scripts. */
function makeCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'yolops-ci-checkout-'));
  const cdkJson = JSON.parse(readFileSync(join(REPO, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  cdkJson.context['aws_region'] = MOTO_REGION;
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify(cdkJson, null, 2));
  for (const path of ['training-config.json', 'buildspec.yml', '.github']) cpSync(join(REPO, path), join(dir, path), { recursive: true });
  cpSync(join(REPO, 'training'), join(dir, 'training'), { recursive: true, filter: (source) => !/__pycache__|\.pytest_cache/.test(source) });
  return dir;
}

function runOptions(): CiRunOptions {
  return {
    cwd: checkout,
    yolopsBin: join(REPO, 'bin', 'yolops.js'),
    env: {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: MOTO_REGION,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    skip: (command) => command.startsWith('npm ci'),
  };
}

function describeFailure(result: JobResult | { stdout: string; stderr: string }): string {
  if ('steps' in result) return result.steps.map((s) => `--- ${s.name} (exit ${s.status})\n${s.stdout}\n${s.stderr}`).join('\n');
  return `${result.stdout}\n${result.stderr}`;
}

async function executionParameters(executionArn: string): Promise<Record<string, string>> {
  const listed = await sagemaker.send(new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: executionArn }));
  return Object.fromEntries((listed.PipelineParameters ?? []).map((p) => [p.Name, p.Value]));
}

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client(moto.clientConfig);
  sagemaker = new SageMakerClient({ ...moto.clientConfig, maxAttempts: 1 });
  ssm = new SSMClient(moto.clientConfig);
  checkout = makeCheckout();
});
afterAll(async () => {
  for (const client of [s3, sagemaker, ssm]) client?.destroy();
  await moto?.stop();
  if (checkout) rmSync(checkout, { recursive: true, force: true });
});
const TRAINED_BEFORE = `s3://${names.trainingDataBucket}/split_dataset/2026-11-30/`;
let earlierExecution: string;

// What the stacks deploy, as far as these commands touch it: the training bucket, the MLflow parameter and the
// pipeline with its first definition; and one execution the S3 trigger started earlier, whose dataset a start
// without a data path trains on again.
beforeEach(async () => {
  await moto.reset();
  await s3.send(new CreateBucketCommand({ Bucket: names.trainingDataBucket }));
  await ssm.send(new PutParameterCommand({ Name: names.mlflowTrackingUriParameter, Type: 'String', Value: MLFLOW_APP_ARN }));
  const definition = synthesizeTrainingPipelineFromFiles({ root: checkout }).json;
  const pipelines = new SageMakerPipelines(sagemaker);
  await pipelines.upsert({ pipelineName: names.pipeline, definition, roleArn: PIPELINE_ROLE });
  ({ executionArn: earlierExecution } = await pipelines.startExecution({ pipelineName: names.pipeline, parameters: { InputDataUri: TRAINED_BEFORE }, clientRequestToken: `yolops-test-${Date.now()}-0123456789abcdef0123`, displayName: 'split-dataset-2026-11-30-20261130T0000', description: 'started by the S3 trigger' }));
});

/** The executions started after the earlier one, oldest first. */
async function newExecutions(): Promise<string[]> {
  const listed = (await sagemaker.send(new ListPipelineExecutionsCommand({ PipelineName: names.pipeline, SortBy: 'CreationTime', SortOrder: 'Ascending' }))).PipelineExecutionSummaries ?? [];
  return listed.map((e) => e.PipelineExecutionArn ?? '').filter((arn) => arn !== earlierExecution);
}

describe('.github/workflows/deploy-and-train.yml, its run: steps in order', () => {
  const workflow = readFileSync(join(REPO, '.github/workflows/deploy-and-train.yml'), 'utf8');

  it('deploy uploads the code and config and updates the pipeline; train starts it with the inputs given and writes the summary', async () => {
    const vars = { YOLOPS_DEPLOY_ROLE_ARN: `arn:aws:iam::${MOTO_ACCOUNT}:role/${names.githubDeployRole}`, YOLOPS_AWS_REGION: MOTO_REGION };
    const inputs = { epochs: '3', batch_size: '', instance_type: '', data_path: '', wait: false };
    const deploy = runWorkflowJob(workflowJobCommands(workflow, 'deploy'), { vars, inputs }, runOptions());
    expect(deploy.ok, describeFailure(deploy)).toBe(true);
    const codeVersion = deploy.outputs['code-version'] ?? '';
    expect(codeVersion).not.toBe('');

    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: names.trainingDataBucket }))).Contents?.map((o) => o.Key) ?? [];
    expect(keys).toContain(`code/${codeVersion}/sourcedir.tar.gz`);
    expect(keys).toContain('config/training-config.json');
    const config = await (await s3.send(new GetObjectCommand({ Bucket: names.trainingDataBucket, Key: 'config/training-config.json' }))).Body?.transformToString();
    expect(JSON.parse(config ?? '')).toEqual(JSON.parse(readFileSync(join(checkout, 'training-config.json'), 'utf8')));
    const definition = JSON.parse((await sagemaker.send(new DescribePipelineCommand({ PipelineName: names.pipeline }))).PipelineDefinition ?? '{}') as { Parameters: { Name: string; DefaultValue?: unknown }[] };
    expect(definition.Parameters.find((p) => p.Name === 'CodeVersion')?.DefaultValue).toBe(codeVersion);
    expect(JSON.stringify(definition)).toContain(MLFLOW_APP_ARN);

    const train = runWorkflowJob(workflowJobCommands(workflow, 'train'), { vars, inputs, needs: { deploy: { outputs: deploy.outputs } } }, runOptions());
    expect(train.ok, describeFailure(train)).toBe(true);
    // `wait` was not asked for: the watch step did not run.
    expect(train.steps.at(-1)).toMatchObject({ name: 'Follow the execution', ran: false });
    const executions = await newExecutions();
    expect(executions).toHaveLength(1);
    const executionArn = executions[0] ?? '';
    expect(train.summary).toContain(executionArn);
    expect(train.steps.find((s) => s.name === 'Start the training pipeline')?.outputs).toEqual({ 'execution-arn': executionArn });
    // No data path given: the new code trains on the dataset trained last.
    expect(await executionParameters(executionArn)).toEqual({ InputDataUri: TRAINED_BEFORE, Epochs: '3', CodeUri: `s3://${names.trainingDataBucket}/code/${codeVersion}/`, CodeVersion: codeVersion });

    // Run by hand with every override.
    const manual = { epochs: '5', batch_size: '32', instance_type: 'ml.g5.2xlarge', data_path: `s3://${names.trainingDataBucket}/split_dataset/2026-12-02`, wait: false };
    const again = runWorkflowJob(workflowJobCommands(workflow, 'train'), { vars, inputs: manual, needs: { deploy: { outputs: deploy.outputs } } }, runOptions());
    expect(again.ok, describeFailure(again)).toBe(true);
    const second = (await newExecutions())[1] ?? '';
    expect(await executionParameters(second)).toMatchObject({ InputDataUri: `${manual.data_path}/`, Epochs: '5', BatchSize: '32', TrainingInstanceType: 'ml.g5.2xlarge', CodeVersion: codeVersion });
  });
});

describe('buildspec.yml, its phases in order', () => {
  it('uploads the code, updates the pipeline and starts it with the pushed code version', async () => {
    const result = runBuildspec(buildspecCommands(readFileSync(join(REPO, 'buildspec.yml'), 'utf8')), runOptions());
    expect(result.status, describeFailure(result)).toBe(0);
    const executions = await newExecutions();
    expect(executions).toHaveLength(1);
    const parameters = await executionParameters(executions[0] ?? '');
    expect(parameters['InputDataUri']).toBe(TRAINED_BEFORE);
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: names.trainingDataBucket, Prefix: 'code/' }))).Contents?.map((o) => o.Key) ?? [];
    expect(keys).toContain(`code/${parameters['CodeVersion']}/sourcedir.tar.gz`);
  });
});

// `yolops doctor` and `yolops config show` as real processes: on the AWS target against moto's server, and locally.
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateModelPackageGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SageMakerPipelines } from '../../../src/aws/sagemaker-pipelines.ts';
import { resourceNames } from '../../../src/core/naming.ts';
import { synthesizeTrainingPipelineFromFiles } from '../../../src/core/pipeline/index.ts';
import type { Finding } from '../../../src/cli/doctor/finding.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from '../aws/moto.ts';
import { makeProject, motoEnv, yolopsIn, type CliResult } from './aws-cli.ts';

let moto: MotoServer;
let cloudFormation: CloudFormationClient;
let ssm: SSMClient;
let s3: S3Client;
let sagemaker: SageMakerClient;
const projects: string[] = [];
const names = resourceNames({ project_name: 'yolops', aws_account_id: MOTO_ACCOUNT });
const APP_ARN = `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:mlflow-app/app-0123456789ab`;

beforeAll(async () => {
  moto = await startMoto();
  const config = { ...moto.clientConfig, maxAttempts: 1 };
  cloudFormation = new CloudFormationClient(config);
  ssm = new SSMClient(config);
  s3 = new S3Client(config);
  sagemaker = new SageMakerClient(config);
});
afterAll(async () => {
  for (const client of [cloudFormation, ssm, s3, sagemaker]) client?.destroy();
  await moto?.stop();
  for (const dir of projects) rmSync(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  await moto.reset();
});

function project(context: Parameters<typeof makeProject>[0] = {}): string {
  const dir = makeProject(context);
  projects.push(dir);
  return dir;
}

interface DoctorReport {
  target: string;
  findings: Finding[];
  summary: Record<string, number>;
}

function doctor(dir: string, env = motoEnv(moto)): { result: CliResult; report: DoctorReport; byCheck: Map<string, Finding> } {
  const result = yolopsIn(dir, env, 'doctor', '--target', 'aws', '--json');
  const report = JSON.parse(result.stdout) as DoctorReport;
  return { result, report, byCheck: new Map(report.findings.map((f) => [f.check, f])) };
}

/** A stack in moto's CloudFormation: one resource that creates nothing, and the outputs given. */
async function createStack(name: string, outputs: Record<string, string> = {}): Promise<void> {
  const template = {
    Resources: { Nothing: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    ...(Object.keys(outputs).length > 0 ? { Outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { Value: v }])) } : {}),
  };
  await cloudFormation.send(new CreateStackCommand({ StackName: name, TemplateBody: JSON.stringify(template) }));
}

/** What `cdk bootstrap` and `cdk deploy --all` leave that doctor looks at, built in moto. */
async function deploy(dir: string): Promise<void> {
  await createStack('CDKToolkit', { BootstrapVersion: '28' });
  await ssm.send(new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '28', Type: 'String' }));
  for (const stack of [names.sharedResourcesStack, names.pipelineStack, names.triggerStack, names.servingStack]) await createStack(stack);
  await s3.send(new CreateBucketCommand({ Bucket: names.trainingDataBucket }));
  const { json } = synthesizeTrainingPipelineFromFiles({ root: dir }, { codeVersion: 'abc123' });
  await new SageMakerPipelines(sagemaker).upsert({ pipelineName: names.pipeline, definition: json, roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/${names.pipelineRole}` });
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: names.modelPackageGroup }));
  await ssm.send(new PutParameterCommand({ Name: names.mlflowTrackingUriParameter, Value: APP_ARN, Type: 'String' }));
}

describe('yolops doctor --target aws', () => {
  it('in an account where nothing is deployed: says to bootstrap and to deploy, exit 1', () => {
    const { result, report, byCheck } = doctor(project());
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toBe('');
    expect(report.target).toBe('aws');
    expect(byCheck.get('region')).toMatchObject({ status: 'ok', detail: `${MOTO_REGION} (from AWS_REGION)` });
    expect(byCheck.get('credentials')).toMatchObject({ status: 'ok', detail: expect.stringContaining(`account ${MOTO_ACCOUNT}, as in cdk.json`) });
    expect(byCheck.get('cdk bootstrap')).toMatchObject({ status: 'fail', fix: `bootstrap it: npx cdk bootstrap aws://${MOTO_ACCOUNT}/${MOTO_REGION}` });
    for (const [check, name] of [['shared stack', names.sharedResourcesStack], ['pipeline stack', names.pipelineStack], ['trigger stack', names.triggerStack], ['serving stack', names.servingStack]] as const) {
      expect(byCheck.get(check)).toEqual({ check, status: 'fail', detail: `stack ${name} does not exist`, fix: 'deploy the stacks: npx cdk deploy --all' });
    }
    expect(byCheck.get('pipeline')).toMatchObject({ status: 'fail', detail: `pipeline ${names.pipeline} does not exist` });
    expect(byCheck.get('training bucket')).toMatchObject({ status: 'fail', detail: `s3://${names.trainingDataBucket} does not exist` });
    expect(byCheck.get('model package group')).toMatchObject({ status: 'fail', detail: `model package group ${names.modelPackageGroup} does not exist` });
    expect(byCheck.get('mlflow')).toMatchObject({ status: 'fail', detail: `no SSM parameter ${names.mlflowTrackingUriParameter}: the MLflow App is not deployed` });
    // Every finding that is not ok says what to do.
    expect(report.findings.filter((f) => f.status !== 'ok' && !f.fix)).toEqual([]);
    expect(report.summary).toEqual({ ok: 3, warn: 2, fail: 9 });
  });

  it('looks for the model-build stack only when cdk.json asks for the model-build CI', async () => {
    expect(doctor(project()).byCheck.has('model-build stack')).toBe(false);
    const dir = project({ model_build: { source: 'codecommit', branch: 'main' } });
    expect(doctor(dir).byCheck.get('model-build stack')).toEqual({ check: 'model-build stack', status: 'fail', detail: `stack ${names.modelBuildStack} does not exist`, fix: 'deploy the stacks: npx cdk deploy --all' });
    await createStack(names.modelBuildStack);
    expect(doctor(dir).byCheck.get('model-build stack')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/: CREATE_COMPLETE$/) });
  });

  it('in a deployed account: ok wherever moto can answer, "could not check" warnings where it cannot, exit 0', async () => {
    const dir = project();
    await deploy(dir);
    const { result, report, byCheck } = doctor(dir);
    expect(result.status, result.stdout).toBe(0);
    expect(byCheck.get('cdk bootstrap')).toEqual({ check: 'cdk bootstrap', status: 'ok', detail: 'bootstrapped, version 28 (/cdk-bootstrap/hnb659fds/version)' });
    for (const check of ['shared stack', 'pipeline stack', 'trigger stack', 'serving stack']) expect(byCheck.get(check)).toMatchObject({ status: 'ok', detail: expect.stringMatching(/: CREATE_COMPLETE$/) });
    expect(byCheck.get('pipeline')).toMatchObject({ status: 'ok', detail: `pipeline ${names.pipeline}: Active` });
    expect(byCheck.get('training bucket')).toMatchObject({ status: 'ok' });
    expect(byCheck.get('model package group')).toMatchObject({ status: 'ok', detail: `model package group ${names.modelPackageGroup}: Completed` });
    // moto 5.2.5 implements neither ListServiceQuotas nor any MLflow action: it answers them with an HTML page
    // and HTTP 500. Those checks must say so and go on.
    for (const check of ['training quota', 'spot training quota']) {
      expect(byCheck.get(check)).toMatchObject({ status: 'warn', detail: 'could not check (ListServiceQuotas: the endpoint answered HTTP 500 with no AWS error: it may not implement ListServiceQuotas)' });
      expect(byCheck.get(check)?.fix).toMatch(/^look by hand: aws service-quotas list-service-quotas --service-code sagemaker/);
    }
    expect(byCheck.get('mlflow')).toEqual({
      check: 'mlflow',
      status: 'warn',
      detail: `could not check (DescribeMlflowApp: the endpoint answered HTTP 500 with no AWS error: it may not implement DescribeMlflowApp): ${names.mlflowTrackingUriParameter} holds ${APP_ARN}`,
      fix: `look by hand: aws sagemaker describe-mlflow-app --arn ${APP_ARN}`,
    });
    expect(report.summary).toEqual({ ok: 11, warn: 3, fail: 0 });

    // The text form: one row per finding, the fix below it, the counts last.
    const text = yolopsIn(dir, motoEnv(moto), '--target', 'aws', 'doctor');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^ok +pipeline +pipeline yolops-yolo-training-pipeline: Active$/m);
    expect(text.stdout).toMatch(/^ +-> look by hand: aws sagemaker describe-mlflow-app/m);
    expect(text.stdout.trimEnd().split('\n').at(-1)).toBe('11 ok, 3 warn, 0 fail');
  });

  it('reports a bootstrap too old for the stacks and a tracking server moto cannot describe', async () => {
    const dir = project({ mlflow: 'tracking-server' });
    await deploy(dir);
    await ssm.send(new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '5', Type: 'String', Overwrite: true }));
    const { result, byCheck } = doctor(dir);
    expect(result.status).toBe(1);
    expect(byCheck.get('cdk bootstrap')).toMatchObject({ status: 'fail', detail: 'bootstrap version 5 (/cdk-bootstrap/hnb659fds/version) is older than 6, the oldest the stacks deploy with' });
    expect(byCheck.get('mlflow')).toMatchObject({
      status: 'warn',
      detail: 'could not check (DescribeMlflowTrackingServer: the endpoint answered HTTP 500 with no AWS error: it may not implement DescribeMlflowTrackingServer)',
      fix: `look by hand: aws sagemaker describe-mlflow-tracking-server --tracking-server-name ${names.mlflowTrackingServer}`,
    });
  });

  it("fails on credentials of another account than cdk.json's, naming both, and checks nothing there", async () => {
    const dir = project({ aws_account_id: '111111111111' });
    const { result, report, byCheck } = doctor(dir);
    expect(result.status).toBe(1);
    expect(byCheck.get('credentials')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(new RegExp(`^the credentials are for account ${MOTO_ACCOUNT} \\(arn:aws:[^)]+\\) but cdk.json deploys to account 111111111111$`)),
      fix: expect.stringContaining('use a profile or role of account 111111111111'),
    });
    expect(byCheck.get('deployment')).toMatchObject({ status: 'warn', detail: expect.stringContaining(`the credentials are for account ${MOTO_ACCOUNT}`) });
    expect(report.findings.map((f) => f.check)).toEqual(['config', 'region', 'credentials', 'deployment']);
  });

  it('without credentials: a failed finding (exit 1), not a usage error', () => {
    const { result, byCheck } = doctor(project(), motoEnv(undefined, { AWS_REGION: MOTO_REGION }));
    expect(result.status).toBe(1);
    expect(byCheck.get('credentials')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^no AWS credentials found/) });
  });

  it('a region other than cdk.json\'s is a failed finding that says which to set', () => {
    const { result, byCheck } = doctor(project(), motoEnv(moto, { AWS_REGION: 'eu-west-1' }));
    expect(result.status).toBe(1);
    expect(byCheck.get('region')).toMatchObject({ status: 'fail', detail: expect.stringContaining('the AWS region is eu-west-1 (from AWS_REGION) but cdk.json deploys to us-east-1'), fix: expect.stringContaining('AWS_REGION=us-east-1') });
  });

  it('an invalid cdk.json is a usage error: one line, exit 2', () => {
    const result = yolopsIn(project({ aws_account_id: 'abc' }), motoEnv(moto), 'doctor', '--target', 'aws');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^yolops: .*cdk\.json: 1 problem\n {2}- context\.aws_account_id: must be exactly 12 digits/);
  });
});

describe('yolops config show --target aws', () => {
  interface Report {
    target: string;
    cdkContext: Record<string, unknown>;
    trainingConfig: Record<string, unknown>;
    effectiveTrainingConfig: Record<string, unknown>;
    resourceNames: Record<string, string>;
    pipelineParameters: { Name: string; Type: string; DefaultValue?: unknown }[];
    aws: { region: unknown; endpoint?: string; configuredAccount: string; caller: { available: boolean; value?: unknown; reason?: string } };
  }

  it('shows the resolved configuration, and the account in use when credentials reach AWS', () => {
    const dir = project();
    const result = yolopsIn(dir, motoEnv(moto), 'config', 'show', '--target', 'aws', '--json');
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.target).toBe('aws');
    expect(report.cdkContext).toEqual({ aws_account_id: MOTO_ACCOUNT, aws_region: MOTO_REGION, project_name: 'yolops', environment: 'dev', mlflow: 'app', trigger_quiet_period_seconds: 120 });
    expect(report.resourceNames).toEqual(names);
    // On AWS the runs use training-config.json as it is; its values are the parameters' defaults.
    expect(report.effectiveTrainingConfig).toEqual(report.trainingConfig);
    const defaults = Object.fromEntries(report.pipelineParameters.map((p) => [p.Name, p.DefaultValue]));
    expect(defaults).toMatchObject({ Epochs: report.trainingConfig['epochs'], TrainingInstanceType: report.trainingConfig['instance_type'], UseSpotInstances: report.trainingConfig['use_spot_instances'] });
    expect(defaults['InputDataUri']).toBeUndefined();
    expect(report.aws).toEqual({
      region: { value: MOTO_REGION, source: 'AWS_REGION' },
      endpoint: moto.endpoint,
      configuredAccount: MOTO_ACCOUNT,
      caller: { available: true, value: { account: MOTO_ACCOUNT, arn: expect.stringMatching(/^arn:aws:/), matchesCdkJson: true } },
    });
  });

  it('without credentials still shows all that needs no call, and says what needs credentials', () => {
    const env = motoEnv(undefined);
    const result = yolopsIn(project(), env, 'config', 'show', '--target', 'aws', '--json');
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report.resourceNames.pipeline).toBe(names.pipeline);
    expect(report.aws.region).toEqual({ value: MOTO_REGION, source: 'cdk.json' });
    expect(report.aws.caller).toEqual({ available: false, reason: expect.stringMatching(/^no AWS credentials found/) });

    const text = yolopsIn(project(), env, '--target', 'aws', 'config', 'show');
    expect(text.stdout).toMatch(/^ {2}credentials +unknown \(needs credentials: no AWS credentials found/m);
  });
});

describe('yolops doctor and config show on the local target', () => {
  it('checks the Python environment, the local state folder and the training code; exit 1 when one fails', () => {
    const dir = project();
    const good = yolopsIn(dir, motoEnv(undefined, { YOLOPS_HOME: `${dir}/.yolops` }), 'doctor', '--json');
    // The integration tests run with the project's .venv installed (ultralytics, torch, mlflow).
    expect(good.status, good.stdout).toBe(0);
    const report = JSON.parse(good.stdout) as DoctorReport;
    expect(report.target).toBe('local');
    expect(report.findings.map((f) => [f.check, f.status])).toEqual([
      ['config', 'ok'],
      ['python environment', 'ok'],
      ['python packages', 'ok'],
      ['local state', 'ok'],
      ['training code', 'ok'],
    ]);

    const blocked = yolopsIn(dir, motoEnv(undefined, { YOLOPS_HOME: `${dir}/cdk.json/state` }), 'doctor');
    expect(blocked.status).toBe(1);
    expect(blocked.stdout).toMatch(/^fail +local state +\S+cdk\.json is a file, so \S+ cannot be created\n +-> set YOLOPS_HOME to a folder you can write to$/m);
  });

  it('config show: the training config as local runs use it, and the parameter defaults they get', () => {
    const result = yolopsIn(project(), motoEnv(undefined), 'config', 'show', '--json');
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as {
      target: string;
      trainingConfig: { epochs: number; local_overrides: { epochs: number } };
      effectiveTrainingConfig: { epochs: number };
      pipelineParameters: { Name: string; DefaultValue?: unknown }[];
      aws?: unknown;
    };
    expect(report.target).toBe('local');
    expect(report.effectiveTrainingConfig.epochs).toBe(report.trainingConfig.local_overrides.epochs);
    expect(report.pipelineParameters.find((p) => p.Name === 'Epochs')?.DefaultValue).toBe(report.trainingConfig.local_overrides.epochs);
    expect(report.aws).toBeUndefined();
  });
});

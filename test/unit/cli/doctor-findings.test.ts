import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bootstrapFinding,
  bucketFinding,
  guarded,
  mlflowAppFinding,
  modelPackageGroupFinding,
  pipelineFinding,
  quotaFinding,
  stackFinding,
  trackingServerFinding,
  trainingQuotaChecks,
  type QuotaCheck,
} from '../../../src/cli/doctor/aws-checks.ts';
import { doctorExitCode, ok } from '../../../src/cli/doctor/finding.ts';
import { checkLocalRoot, checkPython, checkPythonPackages, checkTrainingCode } from '../../../src/cli/doctor/local-doctor.ts';
import { renderFindings } from '../../../src/cli/doctor/render.ts';
import { AwsProbeError } from '../../../src/aws/probes/probe-call.ts';

const DEPLOY = 'deploy the stacks: npx cdk deploy --all';

describe('doctor: the CDK bootstrap', () => {
  it('fails when neither the stack nor the version parameter exists, with the command to bootstrap', () => {
    expect(bootstrapFinding({}, '123456789012', 'eu-west-1')).toEqual({
      check: 'cdk bootstrap',
      status: 'fail',
      detail: '123456789012/eu-west-1 is not bootstrapped for the CDK (no CDKToolkit stack, no SSM parameter /cdk-bootstrap/hnb659fds/version)',
      fix: 'bootstrap it: npx cdk bootstrap aws://123456789012/eu-west-1',
    });
  });

  it('takes the version from the parameter, else from the stack output; older than 6 fails', () => {
    const stack = { name: 'CDKToolkit', status: 'UPDATE_COMPLETE', outputs: { BootstrapVersion: '21' } };
    expect(bootstrapFinding({ stack }, 'a', 'r')).toMatchObject({ status: 'ok', detail: 'bootstrapped, version 21 (the BootstrapVersion output of CDKToolkit)' });
    expect(bootstrapFinding({ stack, parameterVersion: 28 }, 'a', 'r')).toMatchObject({ status: 'ok', detail: 'bootstrapped, version 28 (/cdk-bootstrap/hnb659fds/version)' });
    expect(bootstrapFinding({ parameterVersion: 4 }, 'a', 'r')).toMatchObject({ status: 'fail', fix: 'bootstrap it: npx cdk bootstrap aws://a/r' });
    expect(bootstrapFinding({ stack: { ...stack, outputs: {} } }, 'a', 'r')).toMatchObject({ status: 'warn' });
    expect(bootstrapFinding({ stack: { ...stack, status: 'ROLLBACK_COMPLETE' } }, 'a', 'r')).toMatchObject({ status: 'fail', detail: 'the CDKToolkit stack is ROLLBACK_COMPLETE' });
  });
});

describe('doctor: stacks and resources', () => {
  const state = (status: string) => ({ name: 's', status, outputs: {} });

  it('reads stack statuses: *_COMPLETE is ok, a failed creation or change fails, work in progress and rolled-back updates warn', () => {
    expect(stackFinding('shared stack', 's', undefined)).toEqual({ check: 'shared stack', status: 'fail', detail: 'stack s does not exist', fix: DEPLOY });
    expect(stackFinding('c', 's', state('CREATE_COMPLETE')).status).toBe('ok');
    expect(stackFinding('c', 's', state('UPDATE_COMPLETE')).status).toBe('ok');
    expect(stackFinding('c', 's', state('ROLLBACK_COMPLETE'))).toMatchObject({ status: 'fail', fix: expect.stringContaining('aws cloudformation delete-stack --stack-name s') });
    expect(stackFinding('c', 's', state('UPDATE_FAILED')).status).toBe('fail');
    expect(stackFinding('c', 's', state('DELETE_COMPLETE')).status).toBe('fail');
    expect(stackFinding('c', 's', state('UPDATE_ROLLBACK_COMPLETE')).status).toBe('warn');
    expect(stackFinding('c', 's', state('UPDATE_IN_PROGRESS')).status).toBe('warn');
  });

  it('reads the pipeline, the bucket and the model package group', () => {
    expect(pipelineFinding('p', 'Active').status).toBe('ok');
    expect(pipelineFinding('p', 'Deleting')).toMatchObject({ status: 'fail', fix: DEPLOY });
    expect(bucketFinding('training bucket', 'b', 'forbidden')).toMatchObject({ status: 'fail', detail: 's3://b exists but these credentials may not use it (HTTP 403)' });
    expect(modelPackageGroupFinding('g', 'InProgress').status).toBe('warn');
    expect(modelPackageGroupFinding('g', 'Failed').status).toBe('fail');
  });
});

describe('doctor: training quotas', () => {
  const checks = trainingQuotaChecks({ instance_type: 'ml.g5.xlarge', use_spot_instances: true });
  const onDemand = checks[0] as QuotaCheck;
  const spot = checks[1] as QuotaCheck;

  it('names the quotas as Service Quotas does; the default capacity follows use_spot_instances', () => {
    expect(onDemand).toEqual({ check: 'training quota', quotaName: 'ml.g5.xlarge for training job usage', isDefault: false });
    expect(spot).toEqual({ check: 'spot training quota', quotaName: 'ml.g5.xlarge for spot training job usage', isDefault: true });
    expect(trainingQuotaChecks({ instance_type: 'ml.g6.xlarge', use_spot_instances: false }).map((c) => c.isDefault)).toEqual([true, false]);
  });

  it('fails on a zero quota of the default capacity with the link to ask for more; warns on the other capacity', () => {
    const zero = { name: spot.quotaName, code: 'L-1234ABCD', value: 0, source: 'applied' as const };
    expect(quotaFinding(spot, zero, 'ml.g5.xlarge', 'eu-west-1')).toEqual({
      check: 'spot training quota',
      status: 'fail',
      detail: '"ml.g5.xlarge for spot training job usage" is 0 in eu-west-1: no training job can start on ml.g5.xlarge',
      fix: 'request an increase: https://eu-west-1.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas/L-1234ABCD',
    });
    expect(quotaFinding(onDemand, { ...zero, name: onDemand.quotaName }, 'ml.g5.xlarge', 'eu-west-1')).toMatchObject({ status: 'warn', fix: expect.stringContaining('/quotas/L-1234ABCD') });
    expect(quotaFinding(spot, { ...zero, value: 4, source: 'default' }, 'ml.g5.xlarge', 'eu-west-1')).toMatchObject({ status: 'ok', detail: '"ml.g5.xlarge for spot training job usage": 4 (AWS default)' });
    expect(quotaFinding(spot, undefined, 'ml.g5.xlarge', 'eu-west-1')).toMatchObject({ status: 'warn', detail: 'Service Quotas lists no quota "ml.g5.xlarge for spot training job usage" in eu-west-1' });
  });
});

describe('doctor: MLflow', () => {
  it('reads an App and a tracking server', () => {
    expect(mlflowAppFinding('arn:app', '/p', 'Created').status).toBe('ok');
    expect(mlflowAppFinding('arn:app', '/p', 'Creating').status).toBe('warn');
    expect(mlflowAppFinding('arn:app', '/p', 'CreateFailed').status).toBe('fail');
    expect(mlflowAppFinding('arn:app', '/p', undefined)).toMatchObject({ status: 'fail', detail: 'the MLflow App arn:app (from /p) does not exist' });
    expect(trackingServerFinding('t', { status: 'Created', isActive: 'Active' }).status).toBe('ok');
    expect(trackingServerFinding('t', { status: 'Stopped', isActive: 'Inactive' })).toMatchObject({ status: 'warn', fix: 'start it: aws sagemaker start-mlflow-tracking-server --tracking-server-name t' });
    expect(trackingServerFinding('t', { status: 'CreateFailed' }).status).toBe('fail');
  });
});

describe('doctor: a check that cannot be answered', () => {
  it('becomes a warning "could not check (...)" for each of its findings, with the way to look by hand', async () => {
    const findings = await guarded(['training quota', 'spot training quota'], 'look by hand: aws ...', () => Promise.reject(new AwsProbeError('ListServiceQuotas', 'AccessDeniedException: not allowed')));
    expect(findings).toEqual(
      ['training quota', 'spot training quota'].map((check) => ({ check, status: 'warn', detail: 'could not check (ListServiceQuotas: AccessDeniedException: not allowed)', fix: 'look by hand: aws ...' })),
    );
    expect(doctorExitCode(findings)).toBe(0);
  });

  it('exits 1 only when a finding fails, and renders each fix below its finding', () => {
    const findings = [ok('config', 'valid'), stackFinding('shared stack', 's', undefined)];
    expect(doctorExitCode(findings)).toBe(1);
    expect(renderFindings(findings).split('\n')).toEqual([
      'status  check         finding',
      '------  ------------  ----------------------',
      'ok      config        valid',
      'fail    shared stack  stack s does not exist',
      `                      -> ${DEPLOY}`,
      '',
      '1 ok, 0 warn, 1 fail',
      '',
    ]);
  });
});

describe('doctor: the local backend', () => {
  const root = mkdtempSync(join(tmpdir(), 'yolops-doctor-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function venv(packages: string[]): string {
    const dir = mkdtempSync(join(root, 'venv-'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin', 'python'), '');
    for (const pkg of packages) {
      mkdirSync(join(dir, 'lib', 'python3.12', 'site-packages', pkg), { recursive: true });
      writeFileSync(join(dir, 'lib', 'python3.12', 'site-packages', pkg, '__init__.py'), '');
    }
    return dir;
  }

  it('finds the venv and what the jobs import, or says to install them', () => {
    const complete = venv(['ultralytics', 'torch', 'mlflow']);
    expect(checkPython(complete).status).toBe('ok');
    expect(checkPythonPackages(complete).status).toBe('ok');
    expect(checkPythonPackages(venv(['torch']))).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^ultralytics, mlflow not installed in /), fix: 'install it: npm run setup' });
    expect(checkPython(join(root, 'nowhere'))).toMatchObject({ status: 'fail', fix: 'install it: npm run setup' });
  });

  it('needs a writable place for the local state and the training code', async () => {
    expect(await checkLocalRoot(join(root, 'state', 'not', 'yet'))).toMatchObject({ status: 'ok', detail: expect.stringContaining('not created yet') });
    writeFileSync(join(root, 'a-file'), '');
    expect(await checkLocalRoot(join(root, 'a-file', 'home'))).toMatchObject({ status: 'fail', fix: 'set YOLOPS_HOME to a folder you can write to' });
    mkdirSync(join(root, 'training'));
    writeFileSync(join(root, 'training', 'train.py'), '');
    expect(checkTrainingCode(join(root, 'training'))).toMatchObject({ status: 'fail', detail: expect.stringMatching(/lacks evaluate\.py, metric_definitions\.json$/) });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { describe, expect, it } from 'vitest';
import { loadCdkContext, parseCdkContext } from '../../../../src/core/config/cdk-context.ts';
import { ConfigError } from '../../../../src/core/config/errors.ts';
import { AWS_REGIONS } from '../../../../src/core/config/regions.ts';
import { resourceNames } from '../../../../src/core/naming.ts';

const valid = { aws_account_id: '123456789012', aws_region: 'ap-southeast-2', project_name: 'athmech-mlops', environment: 'dev' };

function problemsOf(context: Record<string, unknown>): { key: string; message: string }[] {
  try {
    parseCdkContext(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('cdk.json context', () => {
  it('accepts the seed example and ignores CDK feature flags', () => {
    expect(parseCdkContext({ ...valid, '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true })).toEqual({ ...valid, mlflow: 'app', trigger_quiet_period_seconds: 120 });
  });

  it('takes the trigger\'s quiet period in whole seconds from 0 to 900, the longest SQS delay', () => {
    expect(parseCdkContext({ ...valid, trigger_quiet_period_seconds: 300 }).trigger_quiet_period_seconds).toBe(300);
    for (const bad of [901, -1, 1.5, '120']) {
      expect(problemsOf({ ...valid, trigger_quiet_period_seconds: bad }).map((p) => p.key)).toEqual(['context.trigger_quiet_period_seconds']);
    }
  });

  it('chooses the serverless MLflow App unless mlflow says "tracking-server", and names what is allowed', () => {
    expect(parseCdkContext(valid).mlflow).toBe('app');
    expect(parseCdkContext({ ...valid, mlflow: 'tracking-server' }).mlflow).toBe('tracking-server');
    expect(() => parseCdkContext({ ...valid, mlflow: 'server' })).toThrow(/cdk\.json: 1 problem\n {2}- context\.mlflow: must be one of "app", "tracking-server".*\(got "server"\)/);
  });

  it('names each bad key, its value and what is allowed, all at once', () => {
    const problems = problemsOf({ aws_account_id: '1234', aws_region: 'mars-east-1', environment: 'qa' });
    expect(problems.map((p) => p.key).sort()).toEqual(['context.aws_account_id', 'context.aws_region', 'context.environment', 'context.project_name']);
    expect(problems.find((p) => p.key === 'context.aws_account_id')?.message).toMatch(/12 digits/);
    expect(problems.find((p) => p.key === 'context.aws_region')?.message).toMatch(/us-east-1/);
    expect(problems.find((p) => p.key === 'context.environment')?.message).toMatch(/dev, test, staging, prod/);
  });

  it('renders a message with file, key and value', () => {
    expect(() => parseCdkContext({ ...valid, aws_account_id: 'abc' })).toThrow(/cdk\.json: 1 problem\n {2}- context\.aws_account_id: must be exactly 12 digits.*\(got "abc"\)/);
  });

  it('rejects project names that cannot become bucket names', () => {
    for (const name of ['My_Project', 'a', '-lead', 'trail-', 'double--hyphen', 'x'.repeat(34)]) {
      expect(problemsOf({ ...valid, project_name: name })[0]?.key).toBe('context.project_name');
    }
  });

  it('keeps every derived bucket name within 63 characters at the longest project name', () => {
    const names = resourceNames({ project_name: 'p'.repeat(33), aws_account_id: '123456789012' });
    for (const bucket of [names.trainingDataBucket, names.modelArtifactsBucket, names.mlflowArtifactsBucket, names.accessLogsBucket]) {
      expect(bucket.length).toBeLessThanOrEqual(63);
    }
    expect(() => parseCdkContext({ ...valid, project_name: 'p'.repeat(33) })).not.toThrow();
  });

  it('reports unknown keys with the allowed ones', () => {
    const [problem] = problemsOf({ ...valid, acount: 'x' });
    expect(problem?.key).toBe('context.acount');
    expect(problem?.message).toMatch(/allowed keys here: aws_account_id, aws_region, project_name, environment/);
  });

  it('lists only regions aws-cdk-lib knows', () => {
    const known = new Set(RegionInfo.regions.map((r) => r.name));
    expect(AWS_REGIONS.filter((r) => !known.has(r))).toEqual([]);
  });

  it('loads cdk.json from disk and says when it is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yolops-cfg-'));
    const file = join(dir, 'cdk.json');
    writeFileSync(file, JSON.stringify({ app: 'x', context: valid }));
    expect(loadCdkContext(file).project_name).toBe('athmech-mlops');
    writeFileSync(file, '{ "context": ');
    expect(() => loadCdkContext(file)).toThrow(/cannot read it as JSON/);
    writeFileSync(file, JSON.stringify({ app: 'x' }));
    expect(() => loadCdkContext(file)).toThrow(/context: must be an object/);
    rmSync(dir, { recursive: true });
  });

  it('derives the seed names', () => {
    const names = resourceNames({ project_name: 'athmech-mlops', aws_account_id: '637423443220' });
    expect(names.trainingDataBucket).toBe('athmech-mlops-training-data-637423443220');
    expect(names.modelArtifactsBucket).toBe('athmech-mlops-model-artifacts-637423443220');
    expect(names.mlflowArtifactsBucket).toBe('athmech-mlops-mlflow-artifacts-637423443220');
    expect(names.sagemakerExecutionRole).toBe('athmech-mlops-sagemaker-execution-role');
    expect(names.lambdaExecutionRole).toBe('athmech-mlops-lambda-execution-role');
    expect(names.pipeline).toBe('athmech-mlops-yolo-training-pipeline');
    expect(names.triggerFunction).toBe('athmech-mlops-training-trigger');
  });
});

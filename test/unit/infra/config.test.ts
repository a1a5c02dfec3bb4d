import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InfraConfigError, loadInfraConfig } from '../../../src/infra/config.ts';
import { cdkJsonContext, REPO_ROOT, repoTrainingConfig, tempDir } from './helpers.ts';

function writeTrainingConfig(config: unknown): string {
  const dir = tempDir('config-');
  const path = join(dir, 'training-config.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function withoutKey(object: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([k]) => k !== key));
}

const good = () => ({
  context: cdkJsonContext(),
  trainingConfigPath: join(REPO_ROOT, 'training-config.json'),
  metricDefinitionsPath: join(REPO_ROOT, 'training/metric_definitions.json'),
});

describe('loadInfraConfig', () => {
  it('reads cdk.json context and training-config.json, ignoring the CDK\'s own keys', () => {
    const config = loadInfraConfig({ ...good(), context: { ...cdkJsonContext(), 'aws:cdk:enable-path-metadata': true, 'availability-zones:account=1:region=x': ['a'] } });
    expect(config.context).toMatchObject({ project_name: 'yolops', aws_region: 'ap-southeast-2', environment: 'dev' });
    expect(config.training.instance_type).toBe('ml.g5.xlarge');
  });

  it.each([
    ['missing project_name', { context: withoutKey(cdkJsonContext(), 'project_name') }, 'context.project_name', /prefix of every resource name/],
    ['a region that does not exist', { context: { ...cdkJsonContext(), aws_region: 'ap-southeast-9' } }, 'context.aws_region', /AWS region code/],
    ['an account id that is not 12 digits', { context: { ...cdkJsonContext(), aws_account_id: '12345' } }, 'context.aws_account_id', /12 digits/],
    ['an instance type that is not a SageMaker one', { trainingConfigPath: writeTrainingConfig({ ...(repoTrainingConfig() as object), instance_type: 'g5.xlarge' }) }, 'instance_type', /SageMaker training instance type/],
  ])('rejects %s, naming the key', (_name, override, key, message) => {
    let error: unknown;
    try {
      loadInfraConfig({ ...good(), ...override });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InfraConfigError);
    const problems = (error as InfraConfigError).errors.flatMap((e) => e.problems);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.key).toBe(key);
    expect(problems[0]?.message).toMatch(message);
    expect((error as Error).message).toMatch(new RegExp(`${key.replace('.', '\\.')}: .*\\((missing|got .+)\\)`));
  });

  it('validates training/metric_definitions.json too', () => {
    const dir = tempDir('metrics-');
    writeFileSync(join(dir, 'metric_definitions.json'), JSON.stringify([{ Name: 'val:mAP50', Regex: 'mAP50=[0-9.]+' }]));
    expect(() => loadInfraConfig({ ...good(), metricDefinitionsPath: join(dir, 'metric_definitions.json') })).toThrow(/0\.Regex: has no capture group/);
  });

  it('reports the problems of every file at once', () => {
    let error: unknown;
    try {
      loadInfraConfig({
        context: { ...withoutKey(cdkJsonContext(), 'project_name'), aws_account_id: '12345' },
        trainingConfigPath: writeTrainingConfig({ instance_type: 'g5.xlarge', epochs: 0 }),
        metricDefinitionsPath: join(tmpdir(), 'no-such-file.json'),
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InfraConfigError);
    expect((error as InfraConfigError).errors.map((e) => e.file)).toEqual(['cdk.json', expect.stringMatching(/training-config\.json$/), expect.stringMatching(/no-such-file\.json$/)]);
    expect((error as Error).message).toMatch(/^yolops: the configuration has 5 problems/);
  });
});

/** Runs the CDK app entry as the CDK CLI does: context in CDK_CONTEXT_JSON, cwd = the folder of cdk.json. */
function runAppEntry(context: Record<string, unknown>, trainingConfig: unknown) {
  const cwd = tempDir('app-');
  writeFileSync(join(cwd, 'training-config.json'), JSON.stringify(trainingConfig));
  mkdirSync(join(cwd, 'training'));
  copyFileSync(join(REPO_ROOT, 'training/metric_definitions.json'), join(cwd, 'training/metric_definitions.json'));
  return spawnSync(process.execPath, [join(REPO_ROOT, 'src/infra/app.ts')], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: join(cwd, 'cdk.out') },
  });
}

describe('the CDK app entry (src/infra/app.ts) with bad config', () => {
  it('exits non-zero with every problem and the key it is at, without a stack trace', () => {
    const result = runAppEntry(
      { ...withoutKey(cdkJsonContext(), 'project_name'), aws_region: 'mars-1', aws_account_id: '12345' },
      { ...(repoTrainingConfig() as object), instance_type: 'p3.2xlarge' },
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^yolops: the configuration has 4 problems/);
    for (const key of ['context.project_name', 'context.aws_region', 'context.aws_account_id', 'instance_type']) expect(result.stderr).toContain(`${key}:`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toMatch(/node:internal|\.ts:\d+:\d+/);
    expect(result.stdout).toBe('');
  });

  it('names an unknown key of training-config.json', () => {
    const result = runAppEntry(cdkJsonContext(), { ...(repoTrainingConfig() as object), instance_typ: 'ml.g5.xlarge' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/instance_typ: unknown key/);
  });
});

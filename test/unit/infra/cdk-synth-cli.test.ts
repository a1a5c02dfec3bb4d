import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Template } from 'aws-cdk-lib/assertions';
import { loadCdkContext } from '../../../src/core/config/cdk-context.ts';
import { mlflowAppArnPlaceholder, synthesizeTrainingPipelineFromFiles } from '../../../src/core/pipeline/index.ts';
import { CODE_BUNDLE, DEPLOYED_MLFLOW_APP_ARN, deployedDefinitionBody, REPO_ROOT, SYNTH_TIMEOUT, tempDir } from './helpers.ts';

/** The environment of a machine with no AWS credentials at all. */
function withoutAws(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith('AWS_') && !key.startsWith('CDK_')));
  return {
    ...clean,
    PATH: `${join(REPO_ROOT, 'node_modules/.bin')}:${env.PATH ?? ''}`,
    // Nothing to find there, and probing the instance metadata service only adds seconds.
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

describe('the real CDK CLI', () => {
  it('synthesizes every stack with no AWS credentials (cdk synth --quiet)', { timeout: SYNTH_TIMEOUT }, () => {
    const outdir = tempDir('cdk-cli-');
    const result = spawnSync(join(REPO_ROOT, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--no-notices', '--output', outdir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: withoutAws(process.env),
    });
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(outdir).filter((f) => f.endsWith('.template.json')).sort()).toEqual([
      'S3TriggerStack.template.json',
      'SageMakerPipelineStack.template.json',
      'ServingStack.template.json',
      'SharedResourcesStack.template.json',
    ]);
    // What the CLI deployed is what the compiler emits from the same files, for the code bundle of training/,
    // with the MLflow App's ARN (read from SSM when the stack deploys) in place of its placeholder.
    const template = Template.fromJSON(JSON.parse(readFileSync(join(outdir, 'SageMakerPipelineStack.template.json'), 'utf8')) as Record<string, unknown>);
    const compiled = synthesizeTrainingPipelineFromFiles({ root: REPO_ROOT }, { codeVersion: CODE_BUNDLE.version }).json;
    const placeholder = mlflowAppArnPlaceholder(loadCdkContext(join(REPO_ROOT, 'cdk.json')));
    expect(deployedDefinitionBody(template)).toBe(compiled.split(placeholder).join(DEPLOYED_MLFLOW_APP_ARN));
  });
});

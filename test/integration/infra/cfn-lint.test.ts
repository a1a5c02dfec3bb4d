import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODEL_BUILD_CODECOMMIT, MODEL_BUILD_CONNECTION, REPO_ROOT, SYNTH_TIMEOUT, synthTestApp } from '../../unit/infra/helpers.ts';

const CFN_LINT = join(REPO_ROOT, '.venv/bin/cfn-lint');

interface Finding {
  Rule: { Id: string; Description: string };
  Level: 'Error' | 'Warning' | 'Informational';
  Filename: string;
  Message: string;
}

function lint(templates: string[]): Finding[] {
  try {
    execFileSync(CFN_LINT, ['--format', 'json', '--', ...templates], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return [];
  } catch (error) {
    // cfn-lint exits non-zero when it finds anything (2 errors, 4 warnings, 8 informational, or'ed).
    const stdout = (error as { stdout?: string }).stdout ?? '';
    if (!stdout.trim().startsWith('[')) throw error;
    return JSON.parse(stdout) as Finding[];
  }
}

describe('cfn-lint (from .venv) on every synthesized template', () => {
  it('dev with the model-build CI from CodeCommit, and prod with GitHub OIDC, email and the model-build CI through a connection: zero errors', { timeout: SYNTH_TIMEOUT }, () => {
    expect(existsSync(CFN_LINT), `${CFN_LINT} is missing: run npm run setup (it installs the test tools of training/requirements-dev.txt)`).toBe(true);
    // One cfn-lint run for all ten templates: its start-up dominates.
    const templates = [
      { context: { model_build: MODEL_BUILD_CODECOMMIT } },
      { context: { environment: 'prod', github_repository: 'acme/yolops', notification_email: 'ml@example.com', model_build: MODEL_BUILD_CONNECTION } },
    ].flatMap((options) => {
      const { outdir } = synthTestApp(options);
      return readdirSync(outdir)
        .filter((f) => f.endsWith('.template.json'))
        .map((f) => join(outdir, f));
    });
    expect(templates).toHaveLength(10);
    const findings = lint(templates);
    expect(findings.filter((f) => f.Level === 'Error')).toEqual([]);
    // The only warnings are W3005 (redundant DependsOn) on the CDK's own custom resource providers (the
    // BucketDeployment handler that uploads the code bundle among them), on the model-build CodePipeline and on
    // the deployer and labeling completion Lambdas, which the CDK makes depend on their roles as well as read the
    // roles' ARNs.
    const cdkDependsOn =
      /CustomResourceProvider|AWS679f53fac002430cb0da5b7982bd2287|CustomCDKBucketDeployment|^'PipelineRole[0-9A-F]{8}' dependency already enforced by a 'GetAtt' at 'Resources\/Pipeline[0-9A-F]{8}\/Properties\/RoleArn'$|^'(Deployer|LabelingCompletion)Role[0-9A-F]{8}' dependency already enforced by a 'GetAtt' at 'Resources\/(Deployer|LabelingCompletion)Function[0-9A-F]{8}\/Properties\/Role'$/;
    expect(findings.filter((f) => f.Level === 'Warning' && !(f.Rule.Id === 'W3005' && cdkDependsOn.test(f.Message)))).toEqual([]);
  });
});

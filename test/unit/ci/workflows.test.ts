import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONLINT_VERSION, ensureActionlint, formatFindings, runActionlint } from '../../support/actionlint.ts';
import { hasExpression, workflowJobCommands, workflowJobIds } from '../../support/ci-commands.ts';

const ROOT = join(import.meta.dirname, '../../..');
const WORKFLOWS = join(ROOT, '.github/workflows');
const workflowFiles = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).sort();

let actionlint: string;
const scratch = mkdtempSync(join(tmpdir(), 'yolops-actionlint-'));
// The first run builds actionlint from the Go module proxy (about 20 s; minutes on a busy 2-core machine).
beforeAll(() => {
  actionlint = ensureActionlint(ROOT);
}, 600_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe(`actionlint ${ACTIONLINT_VERSION} on .github/workflows`, () => {
  it('finds the workflows', () => {
    expect(workflowFiles).toEqual(['ci.yml', 'deploy-and-train.yml']);
  });

  it('reports nothing for any workflow', () => {
    const findings = runActionlint(actionlint, workflowFiles.map((f) => join('.github/workflows', f)), ROOT);
    expect(findings, `actionlint findings:\n${formatFindings(findings)}`).toEqual([]);
  });

  it('does report a broken workflow: an unknown context, an input injected into a script, a job that needs no existing job', () => {
    const broken = join(scratch, 'broken.yml');
    writeFileSync(
      broken,
      [
        'on:',
        '  workflow_dispatch:',
        '    inputs:',
        '      epochs: { type: string }',
        'jobs:',
        '  train:',
        '    needs: deploy',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: echo "${{ github.event.head_commit.message }}"',
        '      - run: echo "${{ nosuchcontext.value }}"',
        '',
      ].join('\n'),
    );
    const findings = runActionlint(actionlint, [broken], scratch);
    const report = formatFindings(findings);
    expect(report).toMatch(/broken\.yml:6:\d+: job "train" needs job "deploy" which does not exist/);
    expect(report).toMatch(/broken\.yml:10:\d+: "github\.event\.head_commit\.message" is potentially untrusted/);
    expect(report).toMatch(/broken\.yml:11:\d+: undefined variable "nosuchcontext"/);
  });
});

describe('run: steps take every input through env:, never through ${{ }} in the script', () => {
  const jobs = workflowFiles.flatMap((file) => {
    const text = readFileSync(join(WORKFLOWS, file), 'utf8');
    return workflowJobIds(text).map((job) => ({ file, job, commands: workflowJobCommands(text, job).commands }));
  });

  it.each(jobs.map((j) => [`${j.file} ${j.job}`, j] as const))('%s', (_name, { commands }) => {
    expect(commands.length).toBeGreaterThan(0);
    for (const step of commands) expect(hasExpression(step.run), `${step.name}: ${step.run}`).toBe(false);
  });
});

describe('deploy-and-train.yml', () => {
  const text = readFileSync(join(WORKFLOWS, 'deploy-and-train.yml'), 'utf8');

  it('deploys, then trains with the deployed code version', () => {
    const deploy = workflowJobCommands(text, 'deploy');
    const train = workflowJobCommands(text, 'train');
    expect(deploy.commands.map((c) => c.run.trim().split('\n')[0])).toEqual([
      'npm ci --no-audit --no-fund',
      'npx yolops code push --target aws --json > code-push.json',
      'npx yolops pipeline upsert --target aws --code-version "$CODE_VERSION"',
    ]);
    expect(deploy.outputs).toEqual({ 'code-version': '${{ steps.push.outputs.code-version }}' });
    expect(train.needs).toEqual(['deploy']);
    expect(train.commands.find((c) => c.id === 'start')?.env['CODE_VERSION']).toBe('${{ needs.deploy.outputs.code-version }}');
    expect(train.commands.at(-1)).toMatchObject({ if: 'inputs.wait', run: 'npx yolops pipeline watch --target aws "$EXECUTION_ARN"' });
  });

  it('assumes the deploy role by OIDC in both jobs, with no stored keys', () => {
    for (const job of ['deploy', 'train']) {
      expect(workflowJobCommands(text, job).actions.map((a) => a.uses)).toContain('aws-actions/configure-aws-credentials@v6');
    }
    expect(text).toContain('role-to-assume: ${{ vars.YOLOPS_DEPLOY_ROLE_ARN }}');
    expect(text.replace(/^\s*#.*$/gm, '')).not.toMatch(/aws-access-key-id|secrets\./);
  });
});

// The runner and the workflow's own shell, with a stand-in for the CLI: a script that records its arguments and
// prints what the real commands print with --json. It tests how the steps pass values to each other and which
// options reach the CLI; what the commands do against AWS is test/integration/ci/workflow-commands.test.ts's.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildspecCommands, workflowJobCommands } from '../../support/ci-commands.ts';
import { runBuildspec, runWorkflowJob, type CiRunOptions } from '../../support/ci-runner.ts';

const ROOT = join(import.meta.dirname, '../../..');
const workflow = readFileSync(join(ROOT, '.github/workflows/deploy-and-train.yml'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'yolops-ci-runner-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
// The steps write their JSON files into the checkout and read .github/scripts from it: a copy, not the repository.
const checkout = join(scratch, 'checkout');
cpSync(join(ROOT, '.github'), join(checkout, '.github'), { recursive: true });

const EXECUTION_ARN = 'arn:aws:sagemaker:us-east-1:123456789012:pipeline/yolops-yolo-training-pipeline/execution/abc123';
const calls = join(scratch, 'calls.jsonl');
const stub = join(scratch, 'yolops-stub.js');
writeFileSync(
  stub,
  `import { appendFileSync } from 'node:fs';
const args = process.argv.slice(2);
appendFileSync(${JSON.stringify(calls)}, JSON.stringify(args) + '\\n');
const command = args.slice(0, 2).join(' ');
if (command === 'code push') console.log(JSON.stringify({ codeVersion: 'v-123', codeUri: 's3://b/code/v-123/' }));
if (command === 'pipeline start') console.log(JSON.stringify({ executionArn: ${JSON.stringify(EXECUTION_ARN)}, displayName: 'manual', parameters: { Epochs: '3' }, consoleUrl: 'https://console.example/x' }));
`,
);

function options(): CiRunOptions {
  writeFileSync(calls, '');
  return { cwd: checkout, yolopsBin: stub, env: { PATH: process.env['PATH'], HOME: scratch }, skip: (c) => c.startsWith('npm ci') };
}
const recorded = (): string[][] => readFileSync(calls, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]);

describe('deploy-and-train.yml with a stand-in CLI', () => {
  it('deploy passes the pushed code version to upsert and out as the job output', () => {
    const deploy = runWorkflowJob(workflowJobCommands(workflow, 'deploy'), {}, options());
    expect(deploy.ok, JSON.stringify(deploy.steps)).toBe(true);
    expect(deploy.outputs).toEqual({ 'code-version': 'v-123' });
    expect(recorded()).toEqual([
      ['code', 'push', '--target', 'aws', '--json'],
      ['pipeline', 'upsert', '--target', 'aws', '--code-version', 'v-123'],
    ]);
  });

  it('train passes only the inputs given, quoted as one argument each, writes the summary and skips watch unless asked', () => {
    const needs = { deploy: { outputs: { 'code-version': 'v-123' } } };
    const inputs = { epochs: '3', batch_size: '', instance_type: 'ml.g5.xlarge; rm -rf /', data_path: 's3://b/split_dataset/my data/', wait: false };
    const train = runWorkflowJob(workflowJobCommands(workflow, 'train'), { inputs, needs }, options());
    expect(train.ok, JSON.stringify(train.steps)).toBe(true);
    expect(recorded()).toEqual([
      ['pipeline', 'start', '--target', 'aws', '--json', '--code-version', 'v-123', '--epochs', '3', '--instance-type', 'ml.g5.xlarge; rm -rf /', '--data', 's3://b/split_dataset/my data/'],
    ]);
    expect(train.steps.find((s) => s.name === 'Start the training pipeline')?.outputs).toEqual({ 'execution-arn': EXECUTION_ARN });
    expect(train.summary).toContain(EXECUTION_ARN);
    expect(train.summary).toContain('| Epochs | 3 |');
    expect(train.steps.at(-1)).toMatchObject({ name: 'Follow the execution', ran: false });
  });

  it('train with wait follows the execution it started; a push (no inputs) passes no option', () => {
    const needs = { deploy: { outputs: { 'code-version': 'v-9' } } };
    const train = runWorkflowJob(workflowJobCommands(workflow, 'train'), { inputs: { wait: true }, needs }, options());
    expect(train.ok, JSON.stringify(train.steps)).toBe(true);
    expect(recorded()).toEqual([
      ['pipeline', 'start', '--target', 'aws', '--json', '--code-version', 'v-9'],
      ['pipeline', 'watch', '--target', 'aws', EXECUTION_ARN],
    ]);
  });
});

describe('buildspec.yml with a stand-in CLI', () => {
  it('passes the pushed code version to upsert and start, in one shell', () => {
    const result = runBuildspec(buildspecCommands(readFileSync(join(ROOT, 'buildspec.yml'), 'utf8')), options());
    expect(result.status, result.stderr).toBe(0);
    expect(recorded()).toEqual([
      ['code', 'push', '--target', 'aws', '--json'],
      ['pipeline', 'upsert', '--target', 'aws', '--code-version', 'v-123'],
      ['pipeline', 'start', '--target', 'aws', '--code-version', 'v-123', '--json'],
    ]);
  });
});

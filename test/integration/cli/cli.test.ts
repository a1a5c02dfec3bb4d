// The `yolops` command as a user runs it: a real process of bin/yolops.js, real files, real training.
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSummarySchema, runViewSchema } from '../../../src/cli/render/run-view.ts';
import { writeCocoExport } from '../local/helpers.ts';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-cli-'));
const home = join(work, 'home');
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function yolopsIn(options: { cwd?: string; env?: Record<string, string> }, ...args: string[]): Result {
  const result = spawnSync(process.execPath, [join(repo, 'bin', 'yolops.js'), ...args], {
    cwd: options.cwd ?? repo,
    encoding: 'utf8',
    env: { ...process.env, YOLOPS_HOME: home, YOLO_OFFLINE: 'true', OMP_NUM_THREADS: '2', MLFLOW_TRACKING_URI: '', YOLOPS_DEBUG: '', ...options.env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function yolops(...args: string[]): Result {
  return yolopsIn({}, ...args);
}

describe('yolops CLI', () => {
  const dataset = join(work, 'my dataset');

  it('synthesizes a dataset that validates, and reports a broken label with file, line and exit code 1', () => {
    const synth = yolops('dataset', 'synth', dataset, '--train', '24', '--val', '8', '--image-size', '64');
    expect(synth.status, synth.stderr).toBe(0);
    expect(synth.stderr).toMatch(/train 24 images/);

    const ok = yolops('dataset', 'validate', dataset, '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, errors: 0, summary: { totals: { images: 32 } } });
    // The scratch folder that lets any directory act as a bucket is gone afterwards.
    expect(readdirSync(work).filter((n) => n.includes('.yolops-'))).toEqual([]);

    const broken = join(work, 'broken');
    expect(yolops('dataset', 'synth', broken, '--train', '4', '--val', '2', '--image-size', '64').status).toBe(0);
    const label = readdirSync(join(broken, 'labels', 'train')).sort()[0] as string;
    appendFileSync(join(broken, 'labels', 'train', label), '5 0.5 0.5 0.1 0.1\n');
    const bad = yolops('dataset', 'validate', broken);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(new RegExp(`labels/train/${label.replace('.', '\\.')}:\\d+: .*class`));
  });

  it('refuses to write into a non-empty directory and names it (exit 2)', () => {
    const again = yolops('dataset', 'synth', dataset);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/exists and is not an empty directory/);
  });

  it('prints the compiled pipeline definition', () => {
    const synth = yolops('pipeline', 'synth', '--code-version', 'abc123');
    expect(synth.status, synth.stderr).toBe(0);
    const definition = JSON.parse(synth.stdout) as { Version: string; Steps: { Name: string }[]; Parameters: { Name: string; DefaultValue?: unknown }[] };
    expect(definition.Version).toBe('2020-12-01');
    expect(definition.Steps.map((s) => s.Name)).toEqual(['Preprocess', 'TrainOnSpot', 'QualityGate', 'QualityGateOnDemand']);
    expect(definition.Parameters.find((p) => p.Name === 'InputFormat')).toEqual({ Name: 'InputFormat', Type: 'String', DefaultValue: 'yolo' });
    expect(definition.Parameters.find((p) => p.Name === 'UseSpotInstances')).toEqual({ Name: 'UseSpotInstances', Type: 'Boolean', DefaultValue: true });
    expect(definition.Parameters.find((p) => p.Name === 'CodeVersion')?.DefaultValue).toBe('abc123');
  });

  it('packs training/ as a code bundle named by its content, the same bytes every time', () => {
    const first = JSON.parse(yolops('code', 'bundle', join(work, 'bundle-1'), '--json').stdout) as { version: string; files: string[]; codeUri: string };
    const second = JSON.parse(yolops('code', 'bundle', join(work, 'bundle-2'), '--json').stdout) as { version: string };
    expect(first.version).toMatch(/^[0-9a-f]{12}$/);
    expect(second.version).toBe(first.version);
    expect(first.files).toEqual(expect.arrayContaining(['train.py', 'evaluate.py', 'requirements.txt', 'processing_entrypoint.sh']));
    expect(first.files.some((f) => f.startsWith('tests/'))).toBe(false);
    expect(first.codeUri).toBe(`s3://yolops-training-data-123456789012/code/${first.version}/`);
    expect(readdirSync(join(work, 'bundle-1')).sort()).toEqual(['processing_entrypoint.sh', 'sourcedir.tar.gz']);
  });

  it('runs the pipeline on the dataset, lists the run, and approves the registered version', () => {
    const run = yolops('run', '--dataset', dataset, '--param', 'Epochs=1', '--param', 'ImageSize=64', '--param', 'BatchSize=8', '--param', 'QualityThreshold=0', '--json');
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { record: { executionId: string; status: string; registeredModel?: { version: number } }; metrics: Record<string, number>; modelArtifactPath: string };
    expect(report.record.status).toBe('Succeeded');
    expect(report.record.registeredModel?.version).toBe(1);
    expect(Object.keys(report.metrics).sort()).toEqual(['mAP50', 'mAP50_95', 'precision', 'recall']);
    expect(run.stderr).toMatch(/epoch 1\/1/);

    // The run view of both targets (the AWS side: test/integration/cli/pipeline-aws.test.ts), on both commands.
    const runs = runSummarySchema.array().parse(JSON.parse(yolops('runs', 'list', '--json').stdout));
    expect(runs.map((r) => [r.target, r.id, r.status, r.registeredModel?.version])).toContainEqual(['local', report.record.executionId, 'Succeeded', 1]);
    expect(runSummarySchema.array().parse(JSON.parse(yolops('pipeline', 'list', '--json').stdout))).toEqual(runs);
    const view = runViewSchema.parse(JSON.parse(yolops('runs', 'show', 'latest', '--json').stdout));
    expect(view).toMatchObject({ id: report.record.executionId, status: 'Succeeded', parameters: { Epochs: '1', ImageSize: '64' } });
    expect(view.steps.find((s) => s.name === 'Train')?.metrics).toBeDefined();
    const status = yolops('pipeline', 'status', report.record.executionId, '--json');
    expect(status.status).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual(view);
    const show = yolops('runs', 'show', report.record.executionId);
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/Preprocess\s+Processing\s+Succeeded/);
    expect(show.stdout).toMatch(/Train\s+Training\s+Succeeded/);
    expect(show.stdout).toMatch(/preprocess: +\S+preprocess\.json/);
    expect(show.stdout).toMatch(/registered: yolops-yolo-models version 1 \(PendingManualApproval\)/);

    const approve = yolops('models', 'approve', '1', '--reason', 'looks good');
    expect(approve.status, approve.stderr).toBe(0);
    const shown = JSON.parse(yolops('models', 'show', '1', '--json').stdout) as { approvalStatus: string; approvalHistory: { reason?: string }[] };
    expect(shown.approvalStatus).toBe('Approved');
    expect(shown.approvalHistory.at(-1)?.reason).toBe('looks good');

    const missing = yolops('models', 'approve', '99');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/99/);
  });

  it('runs a COCO export (told from its files, as the trigger tells it): uploaded to labeled-data/<version>/, converted and split by Preprocess, trained and registered', async () => {
    const exportDir = join(work, 'coco export');
    const coco = await writeCocoExport(exportDir, { images: 32, imageSize: 64, seed: 11 });
    const run = yolops('run', '--dataset', exportDir, '--version', 'coco-v1', '--param', 'Epochs=1', '--param', 'ImageSize=64', '--param', 'BatchSize=8', '--param', 'QualityThreshold=0', '--json');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`${exportDir} holds a labelled export (coco: annotations.json); give --from to say otherwise`);
    const report = JSON.parse(run.stdout) as { record: { executionId: string; parameters: Record<string, unknown>; registeredModel?: { version: number }; steps: { name: string; status: string }[] }; preprocessReportPath: string };
    const bucket = join(home, 'buckets', 'yolops-training-data-123456789012');
    expect(report.record.parameters).toMatchObject({ InputFormat: 'coco', InputDataUri: 's3://yolops-training-data-123456789012/labeled-data/coco-v1/' });
    // The export as it was, and the upload marker listing it; nothing under split_dataset/ for it.
    expect(readdirSync(join(bucket, 'labeled-data', 'coco-v1')).sort()).toEqual(['.yolops-upload.json', 'annotations.json', 'images']);
    expect(existsSync(join(bucket, 'split_dataset', 'coco-v1'))).toBe(false);
    expect(report.record.steps.filter((s) => s.status === 'Succeeded').map((s) => s.name)).toEqual(['Preprocess', 'TrainOnSpot', 'Train', 'Evaluate', 'QualityGate', 'Register']);
    const preprocess = JSON.parse(readFileSync(report.preprocessReportPath, 'utf8')) as { format: string; converted: boolean; valid: boolean; classes: string[]; splits: Record<string, { images: number }> };
    expect(preprocess).toMatchObject({ format: 'coco', converted: true, valid: true, classes: coco.names });
    // The default split of training-config.json, every image in one split.
    expect(Object.keys(preprocess.splits)).toEqual(['train', 'val']);
    expect((preprocess.splits['train']?.images ?? 0) + (preprocess.splits['val']?.images ?? 0)).toBe(coco.images);
    const version = report.record.registeredModel?.version ?? 0;
    expect(version).toBeGreaterThan(0);
    const shown = JSON.parse(yolops('models', 'show', String(version), '--json').stdout) as { customerMetadata: Record<string, string> };
    expect(shown.customerMetadata).toMatchObject({ InputFormat: 'coco', InputDataUri: 's3://yolops-training-data-123456789012/labeled-data/coco-v1/' });
  });

  it('refuses an invalid dataset before any execution starts (exit 1, nothing registered)', () => {
    const broken = join(work, 'broken');
    const run = yolops('run', '--dataset', broken);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/is not valid, no execution started and nothing uploaded/);
    expect(run.stderr).toMatch(/labels\/train\/.*:\d+: class id 5/);
    expect((JSON.parse(yolops('models', 'list', '--json').stdout) as unknown[]).length).toBe(2);
    // Only the version of the successful run is in the training-data bucket.
    const versions = readdirSync(join(home, 'buckets', 'yolops-training-data-123456789012', 'split_dataset'));
    expect(versions).toHaveLength(1);
  });

  it('refuses a bad labelled export before anything is uploaded or started (exit 1, the converter\'s problem, nothing in labeled-data/)', () => {
    const exportDir = join(work, 'export with a bad size');
    cpSync(join(repo, 'test/corpus/labelled/voc/size-mismatch'), exportDir, { recursive: true });
    rmSync(join(exportDir, 'expected.json'));
    const executions = join(home, 'executions');
    const before = existsSync(executions) ? readdirSync(executions).length : 0;
    const run = yolops('run', '--dataset', exportDir, '--version', 'bad-voc');
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toContain(`${exportDir} holds a labelled export (voc: `);
    expect(run.stderr).toMatch(/export .* was refused, no execution started and nothing uploaded: Annotations\/cat-1\.xml: records the image as 400x300 pixels but cat-1\.png is 40x30/);
    expect(existsSync(join(home, 'buckets', 'yolops-training-data-123456789012', 'labeled-data', 'bad-voc'))).toBe(false);
    expect(existsSync(executions) ? readdirSync(executions).length : 0).toBe(before);
  });

  it('rejects bad usage with exit code 2', () => {
    expect(yolops('run').status).toBe(2);
    expect(yolops('run', '--dataset', dataset, '--param', 'Epochs').status).toBe(2);
    expect(yolops('no-such-command').status).toBe(2);
  });
});

/** One `yolops: ...` line, then at most indented lines (a list of problems), and no stack trace. */
function expectOneMessage(stderr: string, message: RegExp): void {
  const [first, ...rest] = stderr.trimEnd().split('\n');
  expect(first).toMatch(/^yolops: /);
  expect(first).toMatch(message);
  for (const line of rest) expect(line, stderr).toMatch(/^\s+\S/);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('yolops CLI errors a person can act on', () => {
  const errorsHome = join(work, 'errors-home');

  it('ends a mistake in a flag or value with exit 2 and one line, before anything starts', () => {
    const cases: [string[], RegExp][] = [
      [['run', '--dataset', work, '--version', 'bad/name'], /--version: dataset version "bad\/name" must be letters, digits/],
      [['run', '--dataset', join(work, 'no-such-folder')], /--dataset .*no-such-folder is not a directory/],
      [['run', '--input', 'not-a-uri'], /"not-a-uri" is not an S3 URI/],
      [['run', '--input', 's3://no-such-bucket/split_dataset/v1/'], /--input s3:\/\/no-such-bucket\/split_dataset\/v1\/: there is no bucket "no-such-bucket" in .*buckets; datasets go to s3:\/\/yolops-training-data-123456789012\/split_dataset\/<version>\//],
      [['run', '--dataset', work, '--param', 'Epochs'], /--param expects Name=value/],
      [['run', '--frobnicate'], /^yolops: unknown option '--frobnicate' \(add --help for usage\)$/],
      [['run', '--dataset', work, '--from', 'yaml'], /option '--from <format>' argument 'yaml' is invalid\. Use one of yolo, coco, voc, groundtruth, labelstudio/],
      [['models', 'show', 'one'], /<version> must be a whole number >= 1, got "one"/],
      [['models', 'show', '7'], /model yolops-yolo-models version 7 does not exist/],
      [['runs', 'show', 'nope'], /no execution "nope" in .*executions: `yolops runs list` shows the ones there are/],
      [['dataset', 'validate', join(work, 'no-such-folder')], /no-such-folder is not a directory/],
    ];
    for (const [args, message] of cases) {
      const result = yolopsIn({ env: { YOLOPS_HOME: errorsHome } }, ...args);
      expect(result.status, `${args.join(' ')}\n${result.stderr}`).toBe(2);
      expectOneMessage(result.stderr, message);
    }
    // Nothing was created for any of them: no upload, no claim, no execution, no registry folder.
    expect(readdirSync(work)).not.toContain('errors-home');
  });

  it('names the config file and every bad key (exit 2)', () => {
    const project = join(work, 'bad-config-project');
    mkdirSync(project);
    writeFileSync(join(project, 'cdk.json'), JSON.stringify({ app: 'x', context: { aws_account_id: '12', aws_region: 'us-east-1', project_name: 'yolops', environment: 'dev' } }));
    copyFileSync(join(repo, 'training-config.json'), join(project, 'training-config.json'));
    const result = yolopsIn({ cwd: project }, 'pipeline', 'synth');
    expect(result.status).toBe(2);
    expectOneMessage(result.stderr, /cdk\.json: 1 problem$/);
    expect(result.stderr).toMatch(/^ {2}- context\.aws_account_id: must be exactly 12 digits/m);
  });

  it('refuses a port that is taken (exit 2)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const result = yolopsIn({ env: { YOLOPS_HOME: errorsHome } }, 'mlflow', '--port', String(port));
      expect(result.status).toBe(2);
      expectOneMessage(result.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('names a corrupt record and what is wrong in it (exit 2); its stack and cause only with --debug', () => {
    const corruptHome = join(work, 'corrupt-home');
    const record = join(corruptHome, 'registry', 'yolops-yolo-models', '1.json');
    mkdirSync(join(record, '..'), { recursive: true });
    writeFileSync(record, JSON.stringify({ schemaVersion: 1, version: 'one' }));

    const plain = yolopsIn({ env: { YOLOPS_HOME: corruptHome } }, 'models', 'list');
    expect(plain.status).toBe(2);
    expectOneMessage(plain.stderr, new RegExp(`^yolops: ${record.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid model version record \\(schemaVersion 1\\); repair or remove the file:$`));
    expect(plain.stderr).toMatch(/^ {2}- version: .*expected number/m);

    const debug = yolopsIn({ env: { YOLOPS_HOME: corruptHome } }, 'models', 'list', '--debug');
    expect(debug.status).toBe(2);
    expect(debug.stderr).toMatch(/^\s+at .*model-registry\.ts/m);
    expect(debug.stderr).toMatch(/^caused by: ZodError/m);
  });

  it('reports an unexpected error by name (exit 1), and its stack only with --debug or YOLOPS_DEBUG=1', () => {
    // Something no person typed: an execution record that is a folder (EISDIR on read).
    const oddHome = join(work, 'odd-home');
    mkdirSync(join(oddHome, 'executions', 'abc', 'execution.json'), { recursive: true });

    const plain = yolopsIn({ env: { YOLOPS_HOME: oddHome } }, 'runs', 'list');
    expect(plain.status).toBe(1);
    expect(plain.stderr.trimEnd().split('\n')).toEqual([
      'yolops: unexpected error: Error: EISDIR: illegal operation on a directory, read',
      'yolops: run it again with --debug (or YOLOPS_DEBUG=1) to see where it happened',
    ]);

    for (const debug of [yolopsIn({ env: { YOLOPS_HOME: oddHome } }, 'runs', 'list', '--debug'), yolopsIn({ env: { YOLOPS_HOME: oddHome, YOLOPS_DEBUG: '1' } }, 'runs', 'list')]) {
      expect(debug.status).toBe(1);
      expect(debug.stderr).toMatch(/^yolops: unexpected error: Error: EISDIR/);
      expect(debug.stderr).toMatch(/^\s+at .*execution-store\.ts/m);
      expect(debug.stderr).not.toMatch(/run it again with --debug/);
    }
  });
});

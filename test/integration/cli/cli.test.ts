// The `yolops` command as a user runs it: a real process of bin/yolops.js, real files, real training.
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-cli-'));
const home = join(work, 'home');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function yolops(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repo, 'bin', 'yolops.js'), ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, YOLOPS_HOME: home, YOLO_OFFLINE: 'true', OMP_NUM_THREADS: '2', MLFLOW_TRACKING_URI: '' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
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
    expect(definition.Steps.map((s) => s.Name)).toEqual(['Train', 'Evaluate', 'QualityGate']);
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

    const runs = yolops('runs', 'list', '--json');
    expect((JSON.parse(runs.stdout) as { executionId: string }[]).map((r) => r.executionId)).toContain(report.record.executionId);
    const show = yolops('runs', 'show', report.record.executionId);
    expect(show.status).toBe(0);
    expect(show.stdout).toMatch(/Train\s+Training\s+Succeeded/);
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

  it('refuses an invalid dataset before any execution starts (exit 1, nothing registered)', () => {
    const broken = join(work, 'broken');
    const run = yolops('run', '--dataset', broken);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/is not valid, no execution started and nothing uploaded/);
    expect(run.stderr).toMatch(/labels\/train\/.*:\d+: class id 5/);
    expect((JSON.parse(yolops('models', 'list', '--json').stdout) as unknown[]).length).toBe(1);
    // Only the version of the successful run is in the training-data bucket.
    const versions = readdirSync(join(home, 'buckets', 'yolops-training-data-123456789012', 'split_dataset'));
    expect(versions).toHaveLength(1);
  });

  it('rejects bad usage with exit code 2', () => {
    expect(yolops('run').status).toBe(2);
    expect(yolops('run', '--dataset', dataset, '--param', 'Epochs').status).toBe(2);
    expect(yolops('no-such-command').status).toBe(2);
  });
});

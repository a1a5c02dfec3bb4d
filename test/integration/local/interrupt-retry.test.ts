import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSummarySchema } from '../../../src/cli/render/run-view.ts';
import type { ExecutionRecord } from '../../../src/local/executions/execution-record.ts';
import { ExecutionStore } from '../../../src/local/executions/execution-store.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { localLayout, REPO_ROOT } from '../../../src/local/layout.ts';
import { startMlflowServer } from '../../../src/local/mlflow/mlflow-server.ts';
import { pythonEnvironment } from '../../../src/local/python-env.ts';
import { LocalModelRegistry } from '../../../src/local/registry/model-registry.ts';
import { DatasetClaims } from '../../../src/local/watch/dataset-claims.ts';
import { ARTIFACTS_BUCKET, processesMentioning, testEnv, tinyDataset } from './helpers.ts';

/**
 * A runner killed while it trains (Ctrl-C, or SIGKILL: a crash), then retried: the execution ends with each
 * epoch trained once (results.csv in the model, the MLflow run's metric history) and one model version.
 */

const EPOCHS = 3;
const PARAMS = { Epochs: EPOCHS, ImageSize: 64, BatchSize: '8', Model: 'yolo11n.yaml', Patience: 0, Seed: 0, QualityThreshold: 0 } as const;
// Node 24 itself (bin/yolops.js on an older Node re-runs itself in a child, which a signal to the parent would not reach).
const NODE24 = join(REPO_ROOT, 'node_modules', '.bin', 'node');

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], root: string, env: Record<string, string> = {}): Proc {
  const child = spawn(NODE24, args, { cwd: REPO_ROOT, env: testEnv({ YOLOPS_HOME: root, ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

/** True while any process of the group is alive. */
function groupAlive(pgid: number | undefined): boolean {
  if (pgid === undefined) throw new Error('no job process group was recorded');
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const yolops = (root: string, env: Record<string, string>, ...args: string[]): Proc => start([join(REPO_ROOT, 'bin', 'yolops.js'), ...args], root, env);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, proc: Proc | undefined, timeoutMs = 400_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${proc?.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The one execution under root, once its training has recorded at least `epochs` finished epochs. */
async function trainedEpochs(root: string, epochs: number): Promise<ExecutionRecord | undefined> {
  const [summary] = await new ExecutionStore(localLayout(root).executions).list();
  const progress = summary?.record.steps.find((s) => s.name === 'Train')?.progress;
  return progress && progress.epoch >= epochs ? summary.record : undefined;
}

/** The process group of the Train step's job, while it ran. */
function trainJob(record: ExecutionRecord): number | undefined {
  return record.steps.find((s) => s.name === 'Train')?.job?.pid;
}

/** The epoch column of results.csv in the execution's model.tar.gz. */
async function resultsCsvEpochs(root: string, record: ExecutionRecord): Promise<number[]> {
  const uri = (record.steps.find((s) => s.name === 'Train')?.properties?.['ModelArtifacts'] as { S3ModelArtifacts: string }).S3ModelArtifacts;
  const key = uri.slice(`s3://${ARTIFACTS_BUCKET}/`.length);
  const tarball = new FolderObjectStore({ root: localLayout(root).buckets }).objectPath(ARTIFACTS_BUCKET, key);
  const out = join(root, 'model-extracted');
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  await x({ file: tarball, cwd: out });
  const lines = (await readFile(join(out, 'results.csv'), 'utf8')).trim().split('\n').slice(1);
  return lines.map((line) => Number(line.split(',')[0]));
}

/** The MLflow runs of the execution and the steps logged for two per-epoch metrics of the first (REST API: metric history). */
async function mlflowEpochs(url: string, record: ExecutionRecord): Promise<{ runs: number; history: Record<string, number[]> }> {
  const experiment = (await (await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=yolo-training`)).json()) as { experiment: { experiment_id: string } };
  const search = await fetch(`${url}/api/2.0/mlflow/runs/search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ experiment_ids: [experiment.experiment.experiment_id], filter: `tags."yolops.execution_id" = '${record.executionId}'` }),
  });
  const runs = ((await search.json()) as { runs?: { info: { run_id: string } }[] }).runs ?? [];
  const history: Record<string, number[]> = {};
  for (const key of ['train/box_loss', 'val/mAP50-95']) {
    const answer = await fetch(`${url}/api/2.0/mlflow/metrics/get-history?run_id=${runs[0]?.info.run_id ?? ''}&metric_key=${encodeURIComponent(key)}`);
    const metrics = ((await answer.json()) as { metrics?: { step: number }[] }).metrics ?? [];
    history[key] = metrics.map((m) => m.step).sort((a, b) => a - b);
  }
  return { runs: runs.length, history };
}

async function expectEachEpochOnce(root: string, record: ExecutionRecord, mlflowUrl: string): Promise<void> {
  const epochs = Array.from({ length: EPOCHS }, (_, i) => i + 1);
  expect(record.status).toBe('Succeeded');
  expect(record.retries).toHaveLength(1);
  expect(await resultsCsvEpochs(root, record)).toEqual(epochs);
  const { runs, history } = await mlflowEpochs(mlflowUrl, record);
  expect(runs).toBe(1);
  expect(history).toEqual({ 'train/box_loss': epochs, 'val/mAP50-95': epochs });
  const versions = await new LocalModelRegistry(localLayout(root).registry).list('yolops-yolo-models');
  expect(versions.map((v) => v.version)).toEqual([1]);
  // The retry resumed: the log of the training job says so, and it never started a new training after the first.
  const log = await readFile(join(localLayout(root).executions, record.executionId, 'steps', 'Train', 'stdout.log'), 'utf8');
  expect(log).toMatch(/resuming from the checkpoint dir .*: \d+ epochs done/);
  expect(log.match(/starting a new training/g)).toHaveLength(1);
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'yolops-interrupt-'));
});
afterEach(async () => {
  expect(processesMentioning(root)).toEqual([]);
  await rm(root, { recursive: true, force: true });
});

describe('an execution interrupted while it trains', () => {
  it('Ctrl-C on `yolops run`: Stopped with the reason, nothing left running; `runs retry` finishes it with each epoch once', async () => {
    const layout = localLayout(root);
    const store = new FolderObjectStore({ root: layout.buckets });
    // One tracking server for the run and its retry (MLFLOW_TRACKING_URI), as a user's own server would be.
    const server = await startMlflowServer({ python: pythonEnvironment(join(REPO_ROOT, '.venv')), backendStoreDb: layout.mlflowDb, artifactsDir: store.bucketPath('yolops-mlflow-artifacts-123456789012') });
    const env = { MLFLOW_TRACKING_URI: server.url };
    try {
    const dataset = await tinyDataset(store, 'ctrl-c');
    const params = Object.entries(PARAMS).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
    const run = yolops(root, env, 'run', '--input', dataset.uri, ...params);
    const running = await waitFor('epoch 1', () => trainedEpochs(root, 1), run);
    run.child.kill('SIGINT');
    expect((await run.exited).code, run.output()).toBe(130);

    const stopped = await new ExecutionStore(localLayout(root).executions).show(running.executionId);
    expect(stopped.runnerGone).toBe(false);
    expect(stopped.record.status).toBe('Stopped');
    expect(stopped.record.stopReason).toBe('stopped by SIGINT (Ctrl-C)');
    // Preprocess ran, TrainOnSpot chose spot (the default), Train was stopped, nothing after it ran.
    expect(stopped.record.steps.map((s) => s.status)).toEqual(['Succeeded', 'Succeeded', 'Stopped', ...Array<string>(9).fill('NotExecuted')]);
    expect(groupAlive(trainJob(running))).toBe(false);
    expect(run.output()).toMatch(/STOPPED.*stopped by SIGINT/);

    const retry = yolops(root, env, 'runs', 'retry', running.executionId, '--json');
    expect((await retry.exited).code, retry.output()).toBe(0);
    const done = await new ExecutionStore(localLayout(root).executions).get(running.executionId);
    expect(done?.retries?.[0]).toMatchObject({ previousStatus: 'Stopped', previousReason: 'stopped by SIGINT (Ctrl-C)', fromStep: 'Train' });
    await expectEachEpochOnce(root, done as ExecutionRecord, server.url);

    // A succeeded execution is not retried: one line, exit 2.
    const again = yolops(root, env, 'runs', 'retry', running.executionId);
    expect((await again.exited).code).toBe(2);
    expect(again.output()).toMatch(/^yolops: execution \w+ succeeded: there is nothing to retry/m);
    } finally {
      await server.stop();
    }
  });

  it('SIGKILL of the watcher: the execution reads as Stopped (runner gone); the watcher, started again, continues it', async () => {
    const layout = localLayout(root);
    const store = new FolderObjectStore({ root: layout.buckets });
    const script = join(REPO_ROOT, 'test', 'integration', 'local', 'processes', 'watch-process.ts');
    const first = start([script, root, JSON.stringify(PARAMS)], root);
    await tinyDataset(store, 'killed');
    const running = await waitFor('epoch 1', () => trainedEpochs(root, 1), first);
    first.child.kill('SIGKILL');
    await first.exited;

    // `runs list` does not show it as running: Stopped, with why.
    const list = yolops(root, {}, 'runs', 'list', '--json');
    expect((await list.exited).code).toBe(0);
    const listed = runSummarySchema.array().parse(JSON.parse(list.output().slice(list.output().indexOf('['))));
    expect(listed.map((r) => [r.id, r.status, r.stopReason])).toEqual([[running.executionId, 'Stopped', `the runner (pid ${first.child.pid}) exited without finishing`]]);
    const shown = yolops(root, {}, 'runs', 'show', running.executionId);
    expect((await shown.exited).code).toBe(0);
    expect(shown.output()).toMatch(/: Stopped\nstopped: the runner \(pid \d+\) exited without finishing; continue it with: npx yolops runs retry/);

    const second = start([script, root, JSON.stringify(PARAMS)], root);
    const claims = new DatasetClaims(layout.watch);
    await waitFor('the retried execution to finish', async () => ((await claims.get('split_dataset/killed'))?.outcome?.status === 'Succeeded' ? true : undefined), second);
    const done = await new ExecutionStore(layout.executions).get(running.executionId);
    expect(done?.retries?.[0]).toMatchObject({ previousStatus: 'Stopped', previousReason: `the runner (pid ${first.child.pid}) exited without finishing`, fromStep: 'Train' });
    // Checked through the new watcher's own server (the same MLflow store), while it still runs.
    const started = /"type":"mlflow-server-started","url":"([^"]+)"/.exec(second.output());
    await expectEachEpochOnce(root, done as ExecutionRecord, started?.[1] ?? 'no server');
    second.child.kill('SIGINT');
    expect((await second.exited).code, second.output()).toBe(0);
    expect(second.output()).toContain('"type":"dataset-continuing"');
    expect(second.output()).toContain('"type":"leftover-stopped"');
    expect(groupAlive(trainJob(running))).toBe(false);
    expect((await new ExecutionStore(layout.executions).list()).map((s) => s.record.executionId)).toEqual([running.executionId]);
  });
});

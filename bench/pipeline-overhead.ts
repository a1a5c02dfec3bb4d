// Pipeline overhead of the local backend: the end-to-end local run (dataset validation, code bundle, job
// folders, hyperparameters.json, model.tar.gz packing, evaluation, gate, registry, notification) against
// train.py + evaluate.py run bare on the same data with the same settings, side by side in one run.
//
//   npm run bench -- [--epochs 5] [--rounds 1]
//
// Both sides log to the same MLflow server, started once up front, so the ratio measures the runner and not
// MLflow's start-up, which is reported on its own line. Target: ratio <= 1.10.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { localTrainingConfig } from '../src/core/config/training-config.ts';
import { synthesizeDataset } from '../src/core/dataset/index.ts';
import { resourceNames } from '../src/core/naming.ts';
import { compileLocalPipeline } from '../src/cli/local-pipeline.ts';
import { findProject } from '../src/cli/project.ts';
import { FolderObjectStore } from '../src/local/folder-object-store.ts';
import { localLayout, pythonEnvironment, REPO_ROOT, runPipelineLocally, startMlflowServer } from '../src/local/index.ts';

const { values } = parseArgs({ options: { epochs: { type: 'string', default: '5' }, rounds: { type: 'string', default: '1' } } });
const epochs = Number(values.epochs);
const rounds = Number(values.rounds);

// The pipeline `yolops run` runs, and the same settings for the bare side.
const compiled = compileLocalPipeline(findProject(REPO_ROOT));
const { context } = compiled;
const training = localTrainingConfig(compiled.training);
const python = pythonEnvironment(join(REPO_ROOT, '.venv'));
const work = mkdtempSync(join(tmpdir(), 'yolops-bench-'));
const layout = localLayout(join(work, 'root'));
const names = resourceNames(context);
const store = new FolderObjectStore({ root: layout.buckets });
await store.createBucket(names.trainingDataBucket);
const dataset = await synthesizeDataset({ store, bucket: names.trainingDataBucket, prefix: 'split_dataset/bench/', seed: 0 });
const datasetDir = store.objectPath(names.trainingDataBucket, 'split_dataset/bench');

const mlflowStarted = performance.now();
const mlflow = await startMlflowServer({ python, backendStoreDb: join(work, 'mlflow', 'mlflow.db'), artifactsDir: join(work, 'mlflow', 'artifacts') });
const mlflowSeconds = (performance.now() - mlflowStarted) / 1000;
const env = { ...process.env, MLFLOW_TRACKING_URI: mlflow.url, YOLO_OFFLINE: 'true' };

const hyperparameters = ['--epochs', String(epochs), '--batch_size', String(training.batch_size), '--imgsz', String(training.image_size), '--model', training.model, '--patience', '0', '--seed', String(training.seed)];

interface Timing { total: number; train: number; evaluate: number }

function bare(round: number): Timing {
  const dir = join(work, `bare-${round}`);
  const sm = { SM_CHANNEL_TRAINING: datasetDir, SM_MODEL_DIR: join(dir, 'model'), SM_OUTPUT_DATA_DIR: join(dir, 'output', 'data'), SM_OUTPUT_DIR: join(dir, 'output'), SM_CHECKPOINT_DIR: join(dir, 'checkpoints'), SM_INPUT_CONFIG_DIR: join(dir, 'config') };
  for (const d of Object.values(sm).slice(1)) mkdirSync(d, { recursive: true });
  const started = performance.now();
  const train = spawnSync(python.python, [join(REPO_ROOT, 'training', 'train.py'), ...hyperparameters], { env: { ...env, ...sm }, stdio: 'ignore' });
  if (train.status !== 0) throw new Error(`bare train.py failed (exit ${train.status}); see ${sm.SM_OUTPUT_DIR}/failure`);
  const trained = performance.now();
  const evaluate = spawnSync(python.python, [join(REPO_ROOT, 'training', 'evaluate.py'), '--model', join(sm.SM_MODEL_DIR, 'best.pt'), '--data', datasetDir, '--output', join(dir, 'evaluation')], { env: { ...env, SM_OUTPUT_DIR: sm.SM_OUTPUT_DIR }, stdio: 'ignore' });
  if (evaluate.status !== 0) throw new Error(`bare evaluate.py failed (exit ${evaluate.status})`);
  const ended = performance.now();
  return { total: (ended - started) / 1000, train: (trained - started) / 1000, evaluate: (ended - trained) / 1000 };
}

async function endToEnd(): Promise<Timing> {
  const started = performance.now();
  const record = await runPipelineLocally({
    root: layout.root, definition: compiled.json, context, inputDataUri: dataset.uri, validateDataset: true,
    parameterOverrides: { Epochs: String(epochs), QualityThreshold: '0' }, env, notificationChannels: [],
  });
  if (record.status !== 'Succeeded') throw new Error(`end-to-end run ${record.executionId} ${record.status}: ${record.failureReason ?? ''}`);
  const step = (name: string): number => record.steps.find((s) => s.name === name)?.durationSeconds ?? Number.NaN;
  return { total: (performance.now() - started) / 1000, train: step('Train'), evaluate: step('Evaluate') };
}

try {
  const results: { bare: Timing; e2e: Timing }[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternate the order so neither side always runs on a warmer page cache.
    const first = round % 2 === 1 ? bare(round) : await endToEnd();
    const second = round % 2 === 1 ? await endToEnd() : bare(round);
    const [b, e] = round % 2 === 1 ? [first, second] : [second, first];
    results.push({ bare: b, e2e: e });
    const f = (t: Timing): string => `${t.total.toFixed(1)} s (train ${t.train.toFixed(1)}, evaluate ${t.evaluate.toFixed(1)})`;
    console.log(`round ${round}: bare train.py+evaluate.py ${f(b)}; end-to-end local run ${f(e)}; ratio ${(e.total / b.total).toFixed(3)}`);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const ratio = median(results.map((r) => r.e2e.total / r.bare.total));
  console.log(`dataset: ${dataset.files} files; epochs ${epochs}, imgsz ${training.image_size}, batch ${training.batch_size}, model ${training.model}`);
  console.log(`MLflow server start (outside the ratio): ${mlflowSeconds.toFixed(1)} s`);
  console.log(`pipeline overhead ratio (median of ${rounds}): ${ratio.toFixed(3)} (target <= 1.10)`);
} finally {
  await mlflow.stop();
  rmSync(work, { recursive: true, force: true });
}

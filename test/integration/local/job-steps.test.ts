import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { list } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../src/local/events.ts';
import type { EpochProgress } from '../../../src/local/executions/execution-record.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import type { JsonObject } from '../../../src/local/json.ts';
import { REPO_ROOT } from '../../../src/local/layout.ts';
import type { StepNode } from '../../../src/local/pipeline/runnable-pipeline.ts';
import { StepFailure } from '../../../src/local/pipeline/errors.ts';
import type { StepExecutionContext } from '../../../src/local/pipeline/interpreter.ts';
import { pythonEnvironment } from '../../../src/local/python-env.ts';
import { createProcessingExecutor } from '../../../src/local/steps/processing-step.ts';
import { writeTarGz } from '../../../src/local/fs/tar-archive.ts';
import { createTrainingExecutor } from '../../../src/local/steps/training-step.ts';

/**
 * The training and processing executors with stand-in scripts (plain Python, no Ultralytics): what the job
 * sees (SM_* variables, hyperparameters.json, arguments, remapped paths) and what comes out (model.tar.gz,
 * outputs, failure reasons, metrics), in a second.
 */
const python = pythonEnvironment(join(REPO_ROOT, '.venv'));
const DATA = 'yolops-training-data-123456789012';
const ART = 'yolops-model-artifacts-123456789012';

const FAKE_TRAIN = `
import json, os, sys
from pathlib import Path
env = {k: v for k, v in os.environ.items() if k.startswith(("SM_", "TRAINING_JOB", "MY_"))}
Path(os.environ["SM_MODEL_DIR"], "best.pt").write_text("weights")
Path(os.environ["SM_MODEL_DIR"], "env.json").write_text(json.dumps({"env": env, "argv": sys.argv[1:], "cwd": os.getcwd(), "channel": sorted(os.listdir(os.environ["SM_CHANNEL_TRAINING"]))}))
Path(os.environ["SM_OUTPUT_DATA_DIR"], "results.csv").write_text("epoch,map\\n")
Path(os.environ["SM_CHECKPOINT_DIR"], "last.pt").write_text("ckpt")
for e in (1, 2):
    print(f"yolops-metrics epoch={e}/2 train/box_loss={1.0 / e:.6f} val/mAP50-95={0.1 * e:.6f}", flush=True)
if os.environ.get("MY_FAIL"):
    Path(os.environ["SM_OUTPUT_DIR"], "failure").write_text("Dataset invalid: class id 7 is out of range\\n")
    sys.exit(1)
`;

const FAKE_EVALUATE = `
import json, os, sys
from pathlib import Path
args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
out = Path(args["--output"])
if os.environ.get("MY_FAIL"):
    Path(os.environ["SM_OUTPUT_DIR"], "message").write_text("model and dataset classes differ")
    sys.exit(2)
(out / "evaluation.json").write_text(json.dumps({"metrics": {"mAP50_95": 0.5}, "seen": sorted(os.listdir(args["--model"])), "cwd": os.getcwd(), "python": sys.executable}))
`;

let dir: string;
let store: FolderObjectStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-jobs-'));
  store = new FolderObjectStore({ root: join(dir, 'buckets') });
  await store.createBucket(DATA);
  await store.createBucket(ART);
  const code = join(dir, 'code');
  await mkdir(code, { recursive: true });
  await writeFile(join(code, 'train.py'), FAKE_TRAIN);
  await writeFile(join(code, 'evaluate.py'), FAKE_EVALUATE);
  await writeFile(join(code, 'processing_entrypoint.sh'), await readFile(join(REPO_ROOT, 'training', 'processing_entrypoint.sh')));
  await writeTarGz(code, ['train.py', 'evaluate.py'], join(dir, 'sourcedir.tar.gz'));
  await store.put(DATA, 'code/v1/sourcedir.tar.gz', await readFile(join(dir, 'sourcedir.tar.gz')));
  await store.put(DATA, 'code/v1/processing_entrypoint.sh', await readFile(join(code, 'processing_entrypoint.sh')));
  await store.put(DATA, 'split_dataset/v1/data.yaml', 'names: [a]\n');
  await store.put(DATA, 'split_dataset/v1/images/train/1.png', 'png');
  await store.put(DATA, 'split_dataset/v10/data.yaml', 'another version that shares the string prefix');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const node = (name: string, type: 'Training' | 'Processing'): StepNode => ({ name, type, location: 'Steps[0]', arguments: {}, propertyFiles: [], dependencies: [], ignored: [] });

function context(step: string, events: RunEvent[], progress: EpochProgress[]): StepExecutionContext {
  return {
    executionId: 'exec1',
    pipelineName: 'p',
    jobName: `pipelines-exec1-${step}`,
    jobDir: join(dir, 'executions', 'exec1', 'steps', step),
    emit: (e) => events.push(e),
    reportProgress: async (p) => void progress.push(p),
  };
}

const trainingArgs = (environment: JsonObject = {}): JsonObject => ({
  AlgorithmSpecification: {
    TrainingInputMode: 'File',
    TrainingImage: 'ignored',
    MetricDefinitions: [{ Name: 'val:mAP50-95', Regex: 'yolops-metrics epoch=[0-9]+/[0-9]+ .*val/mAP50-95=([0-9.]+)' }],
  },
  OutputDataConfig: { S3OutputPath: `s3://${ART}/pipelines/exec1/` },
  ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.g5.xlarge', VolumeSizeInGB: 50 },
  StoppingCondition: { MaxRuntimeInSeconds: 60 },
  InputDataConfig: [{ ChannelName: 'training', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${DATA}/split_dataset/v1/`, S3DataDistributionType: 'FullyReplicated' } } }],
  HyperParameters: { epochs: '2', batch_size: 'auto', model: '"yolo11n.yaml"', sagemaker_program: '"train.py"', sagemaker_submit_directory: `"s3://${DATA}/code/v1/sourcedir.tar.gz"` },
  CheckpointConfig: { S3Uri: `s3://${ART}/checkpoints/exec1/` },
  Environment: { MY_VAR: 'x', ...environment },
});

describe('training executor', () => {
  it('runs the script with the SageMaker contract and publishes model.tar.gz where SageMaker does', async () => {
    const events: RunEvent[] = [];
    const progress: EpochProgress[] = [];
    const properties = await createTrainingExecutor({ store, python })(node('Train', 'Training'), trainingArgs(), context('Train', events, progress));
    const modelUri = `s3://${ART}/pipelines/exec1/pipelines-exec1-Train/output/model.tar.gz`;
    expect(properties).toMatchObject({
      TrainingJobName: 'pipelines-exec1-Train',
      TrainingJobStatus: 'Completed',
      ModelArtifacts: { S3ModelArtifacts: modelUri },
      FinalMetricDataList: [{ MetricName: 'val:mAP50-95', Value: 0.2 }],
      CheckpointConfig: { S3Uri: `s3://${ART}/checkpoints/exec1/` },
    });
    expect(progress.map((p) => p.epoch)).toEqual([1, 2]);
    expect(events.some((e) => e.type === 'log' && e.line.startsWith('yolops-metrics epoch=2/2'))).toBe(true);

    const jobDir = join(dir, 'executions', 'exec1', 'steps', 'Train');
    expect(JSON.parse(await readFile(join(jobDir, 'input', 'config', 'hyperparameters.json'), 'utf8'))).toEqual((trainingArgs()['HyperParameters'] as JsonObject));
    const entries: string[] = [];
    await list({ file: join(dir, 'buckets', ART, 'pipelines', 'exec1', 'pipelines-exec1-Train', 'output', 'model.tar.gz'), onReadEntry: (e) => void entries.push(e.path) });
    expect(entries).toEqual(['best.pt', 'env.json']);
    await expect(store.head(ART, 'pipelines/exec1/pipelines-exec1-Train/output/output.tar.gz')).resolves.toBeDefined();
    expect(Buffer.from(await store.get(ART, 'checkpoints/exec1/last.pt')).toString()).toBe('ckpt');

    const seen = JSON.parse(await readFile(join(jobDir, 'model', 'env.json'), 'utf8')) as { env: Record<string, string>; argv: string[]; cwd: string; channel: string[] };
    expect(seen.argv).toEqual(['--batch_size', 'auto', '--epochs', '2', '--model', 'yolo11n.yaml']);
    expect(seen.cwd).toBe(join(jobDir, 'code'));
    expect(seen.channel).toEqual(['data.yaml', 'images']); // v10 shares the string prefix "v1" only without the slash
    expect(seen.env).toMatchObject({
      SM_CHANNEL_TRAINING: join(jobDir, 'input', 'data', 'training'),
      SM_MODEL_DIR: join(jobDir, 'model'),
      SM_OUTPUT_DIR: join(jobDir, 'output'),
      SM_OUTPUT_DATA_DIR: join(jobDir, 'output', 'data'),
      SM_CHECKPOINT_DIR: join(jobDir, 'checkpoints'),
      SM_INPUT_CONFIG_DIR: join(jobDir, 'input', 'config'),
      SM_CHANNELS: '["training"]',
      SM_HPS: '{"batch_size":"auto","epochs":2,"model":"yolo11n.yaml"}',
      SM_HP_EPOCHS: '2',
      SM_CURRENT_INSTANCE_TYPE: 'ml.g5.xlarge',
      TRAINING_JOB_NAME: 'pipelines-exec1-Train',
      MY_VAR: 'x',
    });
  });

  it('fails with the reason from the failure file, and still syncs the checkpoints', async () => {
    const error = await createTrainingExecutor({ store, python })(node('Train', 'Training'), trainingArgs({ MY_FAIL: '1' }), context('Train', [], [])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepFailure);
    expect((error as StepFailure).reason).toBe('AlgorithmError: training job pipelines-exec1-Train exited with code 1: Dataset invalid: class id 7 is out of range');
    expect(Buffer.from(await store.get(ART, 'checkpoints/exec1/last.pt')).toString()).toBe('ckpt');
    await expect(store.head(ART, 'pipelines/exec1/pipelines-exec1-Train/output/model.tar.gz')).rejects.toThrow(/does not exist/);
  });

  it('refuses settings it cannot honour, naming the argument', async () => {
    const two = trainingArgs();
    (two['ResourceConfig'] as JsonObject)['InstanceCount'] = 2;
    await expect(createTrainingExecutor({ store, python })(node('Train', 'Training'), two, context('Train', [], []))).rejects.toThrow(/step "Train", Arguments.ResourceConfig.InstanceCount: 2 instances/);
    const pipe = trainingArgs();
    (pipe['AlgorithmSpecification'] as JsonObject)['TrainingInputMode'] = 'Pipe';
    await expect(createTrainingExecutor({ store, python })(node('Train', 'Training'), pipe, context('Train', [], []))).rejects.toThrow(/TrainingInputMode "Pipe" is not supported by the local runner/);
    const numeric = trainingArgs();
    (numeric['HyperParameters'] as JsonObject)['epochs'] = 2;
    await expect(createTrainingExecutor({ store, python })(node('Train', 'Training'), numeric, context('Train', [], []))).rejects.toThrow(/HyperParameters.epochs: must be a string \(SageMaker takes string values only\), found 2/);
    const missing = trainingArgs();
    (missing['InputDataConfig'] as JsonObject[])[0] = { ChannelName: 'training', DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${DATA}/split_dataset/nothing/` } } };
    await expect(createTrainingExecutor({ store, python })(node('Train', 'Training'), missing, context('Train', [], []))).rejects.toThrow(/ClientError: cannot prepare the inputs .* no objects found under s3:\/\/.*split_dataset\/nothing\//);
  });
});

const processingArgs = (environment: JsonObject = {}): JsonObject => ({
  ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: 'ml.m5.xlarge', VolumeSizeInGB: 30 } },
  AppSpecification: {
    ImageUri: 'ignored',
    ContainerEntrypoint: ['bash', '/opt/ml/processing/input/code/processing_entrypoint.sh', 'evaluate.py', '--model', '/opt/ml/processing/model', '--output', '/opt/ml/processing/evaluation'],
  },
  ProcessingInputs: [
    { InputName: 'model', S3Input: { S3Uri: `s3://${DATA}/split_dataset/v1/data.yaml`, LocalPath: '/opt/ml/processing/model', S3DataType: 'S3Prefix', S3InputMode: 'File', S3CompressionType: 'None' } },
    { InputName: 'code', S3Input: { S3Uri: `s3://${DATA}/code/v1/`, LocalPath: '/opt/ml/processing/input/code', S3DataType: 'S3Prefix', S3InputMode: 'File' } },
  ],
  ProcessingOutputConfig: { Outputs: [{ OutputName: 'evaluation', S3Output: { S3Uri: `s3://${ART}/pipelines/exec1/evaluation/`, LocalPath: '/opt/ml/processing/evaluation', S3UploadMode: 'EndOfJob' } }] },
  Environment: environment,
});

describe('processing executor', () => {
  it('runs the entrypoint with /opt/ml remapped and the venv python, and uploads the outputs', async () => {
    const properties = await createProcessingExecutor({ store, python })(node('Evaluate', 'Processing'), processingArgs(), context('Evaluate', [], []));
    expect(properties).toMatchObject({ ProcessingJobStatus: 'Completed', ProcessingOutputConfig: { Outputs: [{ OutputName: 'evaluation', S3Output: { S3Uri: `s3://${ART}/pipelines/exec1/evaluation/` } }] } });
    const report = JSON.parse(Buffer.from(await store.get(ART, 'pipelines/exec1/evaluation/evaluation.json')).toString()) as { seen: string[]; cwd: string; python: string };
    expect(report.seen).toEqual(['data.yaml']); // an exact-object prefix lands under its own name
    expect(report.cwd).toBe(join(dir, 'executions', 'exec1', 'steps', 'Evaluate', 'opt', 'ml', 'processing', 'input', 'code'));
    expect(report.python.startsWith(join(REPO_ROOT, '.venv'))).toBe(true);
  });

  it('fails with the message the job left in /opt/ml/output/message', async () => {
    const error = await createProcessingExecutor({ store, python })(node('Evaluate', 'Processing'), processingArgs({ MY_FAIL: '1' }), context('Evaluate', [], [])).catch((e: unknown) => e);
    expect((error as StepFailure).reason).toBe('AlgorithmError: processing job pipelines-exec1-Evaluate exited with code 2: model and dataset classes differ');
    await expect(store.head(ART, 'pipelines/exec1/evaluation/evaluation.json')).rejects.toThrow(/does not exist/);
  });

  it('refuses local paths outside /opt/ml/processing and a missing entrypoint', async () => {
    const outside = processingArgs();
    (((outside['ProcessingInputs'] as JsonObject[])[0] as JsonObject)['S3Input'] as JsonObject)['LocalPath'] = '/tmp/model';
    await expect(createProcessingExecutor({ store, python })(node('Evaluate', 'Processing'), outside, context('Evaluate', [], []))).rejects.toThrow(/ProcessingInputs\[0\]\.S3Input\.LocalPath: must be a folder under \/opt\/ml\/processing\//);
    const noEntrypoint = processingArgs();
    (noEntrypoint['AppSpecification'] as JsonObject) = { ImageUri: 'x', ContainerArguments: ['--a'] };
    await expect(createProcessingExecutor({ store, python })(node('Evaluate', 'Processing'), noEntrypoint, context('Evaluate', [], []))).rejects.toThrow(/needs a ContainerEntrypoint/);
  });
});

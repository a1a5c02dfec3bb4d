// `yolops models` on both targets, as real processes: the local registry in a temporary YOLOPS_HOME, and the
// SageMaker Model Registry and S3 of moto's server.
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { CreateModelPackageCommand, CreateModelPackageGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws/clients.ts';
import { S3ObjectStore } from '../../../src/aws/s3-object-store.ts';
import { resourceNames } from '../../../src/core/naming.ts';
import { modelVersionRecordSchema, type ModelVersionRecord } from '../../../src/core/registry/model-version.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { writeTarGz } from '../../../src/local/fs/tar-archive.ts';
import { localLayout, LocalModelRegistry } from '../../../src/local/index.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from '../aws/moto.ts';
import { makeProject, motoEnv, yolopsIn, type CliResult } from './aws-cli.ts';

const names = resourceNames({ project_name: 'yolops', aws_account_id: MOTO_ACCOUNT });
const GROUP = names.modelPackageGroup;
const ARTIFACTS = names.modelArtifactsBucket;
const METRICS = { mAP50: 0.8, mAP50_95: 0.61, precision: 0.7, recall: 0.65 };
const modelKey = (id: string): string => `pipelines/${id}/Train/output/model.tar.gz`;
const reportKey = (id: string): string => `pipelines/${id}/Evaluate/output/evaluation/evaluation.json`;
const EXECUTION_ARN = (id: string): string => `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:pipeline/${names.pipeline}/execution/${id}`;

const work = mkdtempSync(join(tmpdir(), 'yolops-models-'));
let archive: Uint8Array;
let weights: Buffer;

beforeAll(async () => {
  // A model.tar.gz as the training job writes it: weights and results at the archive root.
  const model = join(work, 'model');
  mkdirSync(join(model, 'weights'), { recursive: true });
  weights = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251));
  writeFileSync(join(model, 'best.pt'), weights);
  writeFileSync(join(model, 'last.pt'), weights.subarray(0, 1000));
  writeFileSync(join(model, 'results.csv'), 'epoch,mAP50\n1,0.8\n');
  await writeTarGz(model, ['best.pt', 'last.pt', 'results.csv'], join(work, 'model.tar.gz'));
  archive = readFileSync(join(work, 'model.tar.gz'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function parseRecord(result: CliResult): ModelVersionRecord {
  expect(result.status, result.stderr).toBe(0);
  return modelVersionRecordSchema.parse(JSON.parse(result.stdout));
}

/** The keys of a record, nested objects as `parent.key`: the shape, without the values. */
function shapeOf(record: ModelVersionRecord): string[] {
  return Object.entries(record)
    .flatMap(([key, value]) => (value !== null && typeof value === 'object' && !Array.isArray(value) && key !== 'metrics' && key !== 'customerMetadata' ? Object.keys(value).map((k) => `${key}.${k}`) : [key]))
    .sort();
}

/** A refusal (exit 2) or a failure (exit 1) told in one line on stderr, nothing on stdout. */
function expectOneLineError(result: CliResult, pattern: RegExp, status = 2): void {
  expect(result.status).toBe(status);
  expect(result.stdout).toBe('');
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(pattern);
}

/** What the local runner's Register step records (src/local/steps/register-step.ts), for execution `id`. */
function registerLocally(registry: LocalModelRegistry, id: string): Promise<ModelVersionRecord> {
  return registry.register({
    modelPackageGroupName: GROUP,
    description: `trained by ${id}`,
    artifactUri: `s3://${ARTIFACTS}/${modelKey(id)}`,
    metrics: METRICS,
    modelQualityStatisticsUri: `s3://${ARTIFACTS}/${reportKey(id)}`,
    lineage: { executionId: id, pipelineName: names.pipeline, datasetUri: `s3://${names.trainingDataBucket}/split_dataset/${id}/`, codeVersion: 'abc1234' },
    customerMetadata: { PipelineExecutionId: id, InputDataUri: `s3://${names.trainingDataBucket}/split_dataset/${id}/`, CodeVersion: 'abc1234' },
  });
}

describe('yolops models on the local target', () => {
  const home = join(work, 'home');
  const dir = makeProject();
  const env = motoEnv(undefined, { YOLOPS_HOME: home });
  const yolops = (...args: string[]): CliResult => yolopsIn(dir, env, ...args);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const layout = localLayout(home);
    const store = new FolderObjectStore({ root: layout.buckets });
    await store.createBucket(ARTIFACTS);
    const registry = new LocalModelRegistry(layout.registry);
    for (const id of ['exec1', 'exec2']) {
      await store.put(ARTIFACTS, modelKey(id), archive);
      await registerLocally(registry, id);
    }
  });

  it('lists and shows the versions', () => {
    const list = yolops('models', 'list', '--json');
    expect(list.status, list.stderr).toBe(0);
    const versions = (JSON.parse(list.stdout) as unknown[]).map((v) => modelVersionRecordSchema.parse(v));
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    const shown = parseRecord(yolops('models', 'show', '1', '--json'));
    expect(shown).toEqual(versions[1]);
    const text = yolops('models', 'list');
    expect(text.stdout).toMatch(/^2 +PendingManualApproval +0\.6100 +0\.8000 +\S+ \S+ +exec2$/m);
  });

  it('approves and rejects with reasons; refuses an invalid transition and a missing version in one line', () => {
    expect(parseRecord(yolops('models', 'approve', '1', '--reason', 'beats production', '--json'))).toMatchObject({ approvalStatus: 'Approved' });
    const rejected = parseRecord(yolops('models', 'reject', '1', '--reason', 'drifted on new data', '--json'));
    expect(rejected.approvalHistory.map((c) => [c.from, c.to, c.reason])).toEqual([
      ['PendingManualApproval', 'Approved', 'beats production'],
      ['Approved', 'Rejected', 'drifted on new data'],
    ]);
    expectOneLineError(yolops('models', 'approve', '1'), new RegExp(`^yolops: model ${GROUP} version 1 was Rejected; approving it overrules that decision, so give a reason$`));
    expectOneLineError(yolops('models', 'show', '7'), new RegExp(`^yolops: model ${GROUP} version 7 does not exist in the local registry: yolops models list shows the versions there are$`));
  });

  it('downloads a version into a new folder and unpacks it; never overwrites', () => {
    const into = join(work, 'local-download');
    const result = yolops('models', 'download', '2', into, '--extract', '--json');
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      modelPackageGroupName: GROUP,
      version: 2,
      artifactUri: `s3://${ARTIFACTS}/${modelKey('exec2')}`,
      file: join(into, 'model.tar.gz'),
      bytes: archive.length,
      extracted: { dir: join(into, 'model'), files: ['best.pt', 'last.pt', 'results.csv'] },
    });
    expect(readFileSync(join(into, 'model.tar.gz')).equals(archive)).toBe(true);
    expect(readFileSync(join(into, 'model', 'best.pt')).equals(weights)).toBe(true);
    expectOneLineError(yolops('models', 'download', '2', into), /^yolops: .*local-download exists and is not empty: name a new folder to download into \(nothing is overwritten\)$/);

    // Without a folder: ./<group>-v<version> in the working directory.
    const plain = yolops('models', 'download', '1');
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toBe(`${GROUP} version 1: ${join(dir, `${GROUP}-v1`, 'model.tar.gz')} (${archive.length} bytes)\n`);
  });
});

describe('yolops models --target aws (SageMaker Model Registry and S3 in moto)', () => {
  let moto: MotoServer;
  let sagemaker: SageMakerClient;
  let store: S3ObjectStore;
  let s3: ReturnType<typeof createS3Client>;
  const dir = makeProject();
  let env: NodeJS.ProcessEnv;
  const yolops = (...args: string[]): CliResult => yolopsIn(dir, env, '--target', 'aws', ...args);

  beforeAll(async () => {
    moto = await startMoto();
    env = motoEnv(moto);
    sagemaker = new SageMakerClient({ ...moto.clientConfig, maxAttempts: 1 });
    s3 = createS3Client(moto.clientConfig);
    store = new S3ObjectStore(s3);
  });
  afterAll(async () => {
    sagemaker?.destroy();
    s3?.destroy();
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: ARTIFACTS }));
    await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
  });

  /** What the pipeline's RegisterModel step sends (src/core/pipeline/training-pipeline.ts), with the files it points at. */
  async function registerVersion(id: string, options: { artifact?: boolean } = {}): Promise<void> {
    if (options.artifact !== false) await store.put(ARTIFACTS, modelKey(id), archive);
    await store.put(ARTIFACTS, reportKey(id), JSON.stringify({ schema_version: 1, metrics: METRICS, per_class: {} }));
    await sagemaker.send(
      new CreateModelPackageCommand({
        ModelPackageGroupName: GROUP,
        ModelPackageDescription: `trained by ${id}`,
        ModelApprovalStatus: 'PendingManualApproval',
        InferenceSpecification: {
          Containers: [{ Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.5-gpu-py311', ModelDataUrl: `s3://${ARTIFACTS}/${modelKey(id)}` }],
          SupportedContentTypes: ['application/x-image'],
          SupportedResponseMIMETypes: ['application/json'],
        },
        ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://${ARTIFACTS}/${reportKey(id)}` } } },
        CustomerMetadataProperties: { PipelineExecutionId: id, InputDataUri: `s3://${names.trainingDataBucket}/split_dataset/${id}/`, CodeVersion: 'abc1234' },
        MetadataProperties: { GeneratedBy: EXECUTION_ARN(id) },
      }),
    );
  }

  it('lists and shows versions in the shape the local target prints, metrics from the evaluation report', async () => {
    await registerVersion('exec1');
    await registerVersion('exec2');
    const list = yolops('models', 'list', '--json');
    expect(list.status, list.stderr).toBe(0);
    const versions = (JSON.parse(list.stdout) as unknown[]).map((v) => modelVersionRecordSchema.parse(v));
    expect(versions.map((v) => [v.version, v.approvalStatus, v.metrics])).toEqual([
      [2, 'PendingManualApproval', METRICS],
      [1, 'PendingManualApproval', METRICS],
    ]);
    const shown = parseRecord(yolops('models', 'show', '2', '--json'));
    expect(shown).toEqual(versions[0]);
    expect(shown.lineage).toEqual({ executionId: 'exec2', pipelineName: names.pipeline, datasetUri: `s3://${names.trainingDataBucket}/split_dataset/exec2/`, codeVersion: 'abc1234' });
    // The same record, key for key, as the local registry keeps for a version registered with the same fields;
    // only what SageMaker assigns differs (ARN, creation time), and approvalHistory, which SageMaker does not keep.
    const localRegistry = new LocalModelRegistry(mkdtempSync(join(work, 'registry-')));
    await registerLocally(localRegistry, 'exec1');
    const local = await registerLocally(localRegistry, 'exec2');
    expect(shapeOf(shown)).toEqual(shapeOf(local));
    expect({ ...shown, modelPackageArn: '', createdAt: '' }).toEqual({ ...local, modelPackageArn: '', createdAt: '' });

    const text = yolops('models', 'show', '2');
    expect(text.stdout).toMatch(new RegExp(`^${GROUP} version 2: PendingManualApproval\\n {2}artifact: +s3://${ARTIFACTS}/${modelKey('exec2')}\\n {2}metrics: +mAP50 0\\.8000, mAP50-95 0\\.6100`));
  });

  it('approves, then rejects with a reason; refuses an invalid transition and a missing version in one line', async () => {
    await registerVersion('exec1');
    const approved = parseRecord(yolops('models', 'approve', '1', '--reason', 'beats production', '--json'));
    expect(approved).toMatchObject({ approvalStatus: 'Approved', approvalDescription: 'beats production' });
    const rejected = yolops('models', 'reject', '1', '--reason', 'drifted on new data');
    expect(rejected.status, rejected.stderr).toBe(0);
    expect(rejected.stdout).toBe(`${GROUP} version 1: Rejected\n`);
    expect(parseRecord(yolops('models', 'show', '1', '--json'))).toMatchObject({ approvalStatus: 'Rejected', approvalDescription: 'drifted on new data' });

    expectOneLineError(yolops('models', 'approve', '1'), new RegExp(`^yolops: model ${GROUP} version 1 was Rejected; approving it overrules that decision, so give a reason$`));
    expect(parseRecord(yolops('models', 'show', '1', '--json')).approvalStatus).toBe('Rejected');
    expectOneLineError(
      yolops('models', 'show', '9'),
      new RegExp(`^yolops: model ${GROUP} version 9 does not exist in the SageMaker Model Registry: yolops models list --target aws shows the versions there are$`),
    );
  });

  it("downloads a version's artifact from S3 and unpacks it; a missing artifact leaves nothing behind", async () => {
    await registerVersion('exec1');
    await registerVersion('exec2', { artifact: false });
    const into = join(work, 'aws-download');
    const result = yolops('models', 'download', '1', into, '--extract');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${GROUP} version 1: ${join(into, 'model.tar.gz')} (${archive.length} bytes)\n  unpacked 3 files into ${join(into, 'model')}; weights: ${join(into, 'model', 'best.pt')}\n`);
    expect(readFileSync(join(into, 'model.tar.gz')).equals(archive)).toBe(true);
    expect(readFileSync(join(into, 'model', 'best.pt')).equals(weights)).toBe(true);

    const missing = join(work, 'aws-missing');
    expectOneLineError(yolops('models', 'download', '2', missing), new RegExp(`^yolops: the model artifact s3://${ARTIFACTS}/${modelKey('exec2')} does not exist any more`), 1);
    expect(existsSync(missing)).toBe(false);
    expect(readdirSync(work).filter((n) => n.includes('.partial-'))).toEqual([]);
  });
});

import { CreateModelPackageCommand, CreateModelPackageGroupCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelRegistryError } from '../../../src/aws/sagemaker-errors.ts';
import { SageMakerModelRegistry } from '../../../src/aws/sagemaker-model-registry.ts';
import { REQUEST_CONTENT_TYPES, RESPONSE_CONTENT_TYPES } from '../../../src/core/serving/server-contract.ts';
import { MemoryObjectStore } from '../../fixtures/datasets/memory-object-store.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from './moto.ts';

const GROUP = 'yolops-yolo-models';
const ARTIFACTS = 'yolops-model-artifacts-123456789012';
const EXECUTION_ARN = (id: string): string => `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:pipeline/yolops-yolo-training-pipeline/execution/${id}`;
const REPORT_KEY = (id: string): string => `runs/${id}/evaluation/evaluation.json`;

let moto: MotoServer;
let client: SageMakerClient;
// The S3 adapter is not in this branch yet: the evaluation reports live in the in-memory store.
let store: MemoryObjectStore;
let registry: SageMakerModelRegistry;

beforeAll(async () => {
  moto = await startMoto();
  client = new SageMakerClient({ ...moto.clientConfig, maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  store = new MemoryObjectStore(ARTIFACTS);
  registry = new SageMakerModelRegistry(client, store);
  await client.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP, ModelPackageGroupDescription: 'YOLO models' }));
});

const INFERENCE_IMAGE = `${MOTO_ACCOUNT}.dkr.ecr.${MOTO_REGION}.amazonaws.com/yolops-inference:abc1234`;
const modelUrl = (id: string): string => `s3://${ARTIFACTS}/runs/${id}/model/model.tar.gz`;

/** The InferenceSpecification the pipeline's Register step sends now, and the one it sent before serving existed. */
const SPECIFICATIONS = {
  serving: (id: string) => ({
    Containers: [{ Image: INFERENCE_IMAGE, Environment: { YOLOPS_INFERENCE_RUNTIME: 'onnx' }, ModelDataUrl: modelUrl(id) }],
    SupportedContentTypes: [...REQUEST_CONTENT_TYPES],
    SupportedResponseMIMETypes: [...RESPONSE_CONTENT_TYPES],
    SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large', 'ml.g5.xlarge'],
  }),
  beforeServing: (id: string) => ({
    Containers: [{ Image: '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.5-gpu-py311', ModelDataUrl: modelUrl(id) }],
  }),
};

/** What the pipeline's RegisterModel step sends (src/core/pipeline/training-pipeline.ts), for execution `id`. */
async function registerVersion(id: string, options: { report?: boolean; specification?: keyof typeof SPECIFICATIONS } = {}): Promise<void> {
  if (options.report !== false) {
    await store.put(ARTIFACTS, REPORT_KEY(id), JSON.stringify({ schema_version: 1, metrics: { mAP50: 0.8, mAP50_95: 0.61, precision: 0.7, recall: 0.65 }, per_class: {} }));
  }
  await client.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: GROUP,
      ModelPackageDescription: `trained by ${id}`,
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: SPECIFICATIONS[options.specification ?? 'serving'](id),
      ModelMetrics: { ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `s3://${ARTIFACTS}/${REPORT_KEY(id)}` } } },
      CustomerMetadataProperties: { PipelineExecutionId: id, InputDataUri: `s3://yolops-training-data-123456789012/datasets/${id}/`, CodeVersion: 'abc1234' },
      MetadataProperties: { GeneratedBy: EXECUTION_ARN(id) },
    }),
  );
}

async function refusal(promise: Promise<unknown>): Promise<ModelRegistryError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof ModelRegistryError)) throw new Error(`expected a ModelRegistryError, got ${String(error)}`);
  return error;
}

describe('SageMakerModelRegistry against moto', () => {
  it('lists the versions of a group, oldest first, as the records the local registry returns', async () => {
    for (const id of ['exec1', 'exec2', 'exec3']) await registerVersion(id);
    const versions = await registry.list(GROUP);
    expect(versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(versions[1]).toEqual({
      schemaVersion: 1,
      modelPackageGroupName: GROUP,
      version: 2,
      modelPackageArn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:model-package/${GROUP}/2`,
      description: 'trained by exec2',
      artifactUri: `s3://${ARTIFACTS}/runs/exec2/model/model.tar.gz`,
      approvalStatus: 'PendingManualApproval',
      approvalHistory: [],
      metrics: { mAP50: 0.8, mAP50_95: 0.61, precision: 0.7, recall: 0.65 },
      modelQualityStatisticsUri: `s3://${ARTIFACTS}/${REPORT_KEY('exec2')}`,
      lineage: { executionId: 'exec2', pipelineName: 'yolops-yolo-training-pipeline', datasetUri: 's3://yolops-training-data-123456789012/datasets/exec2/', codeVersion: 'abc1234' },
      inference: {
        image: INFERENCE_IMAGE,
        modelDataUrl: modelUrl('exec2'),
        environment: { YOLOPS_INFERENCE_RUNTIME: 'onnx' },
        contentTypes: ['image/jpeg', 'image/png', 'application/x-image', 'application/json'],
        responseMimeTypes: ['application/json'],
        realtimeInstanceTypes: ['ml.m5.large', 'ml.g5.xlarge'],
      },
      customerMetadata: { PipelineExecutionId: 'exec2', InputDataUri: 's3://yolops-training-data-123456789012/datasets/exec2/', CodeVersion: 'abc1234' },
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(await registry.list('no-such-group')).toEqual([]);
  });

  it('reads a package registered before serving existed (the training image alone) without inference: it is not deployable', async () => {
    await registerVersion('old', { specification: 'beforeServing' });
    await registerVersion('new');
    const [old, current] = await registry.list(GROUP);
    expect(old).toMatchObject({ version: 1, artifactUri: modelUrl('old') });
    expect(old?.inference).toBeUndefined();
    expect(current?.inference).toMatchObject({ image: INFERENCE_IMAGE, modelDataUrl: modelUrl('new') });
  });

  it('gets one version; a missing one is a NotFound user error', async () => {
    await registerVersion('exec1');
    await registerVersion('exec2');
    expect(await registry.get(GROUP, 1)).toMatchObject({ version: 1, lineage: { executionId: 'exec1' }, metrics: { mAP50_95: 0.61 } });
    const missing = await refusal(registry.get(GROUP, 9));
    expect(missing).toMatchObject({ code: 'NotFound', audience: 'user', message: expect.stringContaining(`model ${GROUP} version 9 does not exist in ${MOTO_REGION}`) });
    expect(await refusal(registry.get('bad_name', 1))).toMatchObject({ code: 'InvalidInput', audience: 'user' });
    expect(await refusal(registry.get(GROUP, 0))).toMatchObject({ code: 'InvalidInput' });
  });

  it('approves and rejects, with the reason as ApprovalDescription; Rejected -> Approved needs a reason', async () => {
    await registerVersion('exec1');
    await registerVersion('exec2');

    const approved = await registry.approve(GROUP, 1, { reason: 'beats production on the holdout' });
    expect(approved).toMatchObject({ version: 1, approvalStatus: 'Approved', approvalDescription: 'beats production on the holdout', approvalHistory: [] });
    expect(await registry.get(GROUP, 1)).toMatchObject({ approvalStatus: 'Approved', approvalDescription: 'beats production on the holdout' });
    // Approving an Approved version changes nothing, so the earlier reason stays.
    expect(await registry.approve(GROUP, 1)).toMatchObject({ approvalStatus: 'Approved', approvalDescription: 'beats production on the holdout' });

    expect(await registry.reject(GROUP, 2)).toMatchObject({ approvalStatus: 'Rejected' });
    const refused = await refusal(registry.approve(GROUP, 2, { reason: '   ' }));
    expect(refused).toMatchObject({ code: 'InvalidTransition', audience: 'user', message: `model ${GROUP} version 2 was Rejected; approving it overrules that decision, so give a reason` });
    expect((await registry.get(GROUP, 2)).approvalStatus).toBe('Rejected');
    expect(await registry.approve(GROUP, 2, { reason: 'relabelled set fixed the misses' })).toMatchObject({ approvalStatus: 'Approved' });

    // Withdrawing an approved model without a reason clears the earlier reason rather than keeping it.
    const withdrawn = await registry.reject(GROUP, 1);
    expect(withdrawn.approvalStatus).toBe('Rejected');
    expect(withdrawn).not.toHaveProperty('approvalDescription');
    expect(await registry.get(GROUP, 1)).not.toHaveProperty('approvalDescription');
    // moto's UpdateModelPackage also drops CustomerMetadataProperties that the call does not repeat (SageMaker
    // keeps them), so lineage is checked before any decision, in the tests above, and not here.
  });

  it('leaves metrics empty without a store, or when the evaluation report is gone', async () => {
    await registerVersion('exec1', { report: false });
    await registerVersion('exec2');
    expect((await new SageMakerModelRegistry(client).get(GROUP, 2)).metrics).toEqual({});
    expect(store.reads).toEqual([]);
    expect((await registry.get(GROUP, 1)).metrics).toEqual({});
    expect((await registry.get(GROUP, 2)).metrics).toMatchObject({ mAP50_95: 0.61 });
    expect(store.reads.map((r) => r.key)).toEqual([REPORT_KEY('exec2')]);
  });
});

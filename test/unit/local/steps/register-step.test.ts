import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeTrainingPipeline, type PipelineDefinitionJson } from '../../../../src/core/pipeline/index.ts';
import { FolderObjectStore } from '../../../../src/local/folder-object-store.ts';
import { isJsonObject, type JsonObject } from '../../../../src/local/json.ts';
import { resolveExpression } from '../../../../src/local/pipeline/expressions.ts';
import type { StepExecutionContext } from '../../../../src/local/pipeline/interpreter.ts';
import { parsePipelineDefinition, type StepNode } from '../../../../src/local/pipeline/runnable-pipeline.ts';
import { LocalModelRegistry } from '../../../../src/local/registry/model-registry.ts';
import { createRegisterExecutor } from '../../../../src/local/steps/register-step.ts';
import { options } from '../../core/pipeline/helpers.ts';
import { fakeScope } from '../pipeline/scope.ts';

const GROUP = 'yolops-yolo-models';
const MODEL = 's3://yolops-model-artifacts-123456789012/pipelines/abc123def456/pipelines-abc123def456-Train/output/model.tar.gz';
const REPORT = 's3://yolops-model-artifacts-123456789012/pipelines/abc123def456/evaluation/evaluation.json';

let root: string;
let store: FolderObjectStore;
let registry: LocalModelRegistry;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'yolops-register-step-'));
  store = new FolderObjectStore({ root: join(root, 'buckets') });
  registry = new LocalModelRegistry(join(root, 'registry'));
  await store.createBucket('yolops-model-artifacts-123456789012');
  await store.put('yolops-model-artifacts-123456789012', 'pipelines/abc123def456/evaluation/evaluation.json', new TextEncoder().encode(JSON.stringify({ schema_version: 1, metrics: { mAP50: 0.8, mAP50_95: 0.55 } })));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The compiled Register step's arguments, parsed and resolved as the runner does when the step starts. */
async function resolvedRegisterArguments(definition: PipelineDefinitionJson, codeVersion: string): Promise<JsonObject> {
  const register = parsePipelineDefinition(definition).steps.find((node) => node.name === 'Register');
  if (!register) throw new Error('no Register step');
  const scope = fakeScope({
    parameters: { CodeVersion: codeVersion, InputDataUri: 's3://yolops-training-data-123456789012/split_dataset/v1/', InputFormat: 'yolo' },
    steps: { Train: { ModelArtifacts: { S3ModelArtifacts: MODEL } } },
  });
  const resolved = await resolveExpression(register.arguments, scope, 'Register');
  if (!isJsonObject(resolved)) throw new Error('the Register step\'s arguments resolved to a non-object');
  return resolved;
}

const step = { name: 'Register' } as StepNode;
const context = { executionId: 'e1', pipelineName: 'yolops-yolo-training-pipeline' } as StepExecutionContext;

describe('the local Register step', () => {
  it('records what serving the version needs, with the run\'s code version as the image tag', async () => {
    const definition = synthesizeTrainingPipeline(options({ serving: { runtime: 'torch' } })).definition;
    const properties = await createRegisterExecutor({ store, registry })(step, await resolvedRegisterArguments(definition, 'abc123'), context);
    expect(properties).toMatchObject({ ModelPackageGroupName: GROUP, ModelPackageVersion: 1 });
    const version = await registry.get(GROUP, 1);
    expect(version.inference).toEqual({
      image: '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-inference:abc123',
      modelDataUrl: MODEL,
      environment: { YOLOPS_INFERENCE_RUNTIME: 'torch' },
      contentTypes: ['image/jpeg', 'image/png', 'application/x-image', 'application/json'],
      responseMimeTypes: ['application/json'],
      realtimeInstanceTypes: ['ml.m5.large', 'ml.m5.xlarge', 'ml.c5.xlarge', 'ml.g4dn.xlarge', 'ml.g5.xlarge'],
    });
    expect(version).toMatchObject({ artifactUri: MODEL, metrics: { mAP50: 0.8, mAP50_95: 0.55 }, modelQualityStatisticsUri: REPORT, lineage: { codeVersion: 'abc123' } });
  });

  it('records no inference for a specification that names no content types (a version from before serving)', async () => {
    const definition = synthesizeTrainingPipeline(options()).definition;
    const args = await resolvedRegisterArguments(definition, 'abc123');
    const specification = args['InferenceSpecification'] as JsonObject;
    delete specification['SupportedContentTypes'];
    await createRegisterExecutor({ store, registry })(step, args, context);
    const version = await registry.get(GROUP, 1);
    expect(version.inference).toBeUndefined();
    expect(version.artifactUri).toBe(MODEL);
  });

  it('fails the step, registering nothing, when the image is empty', async () => {
    const definition = synthesizeTrainingPipeline(options({}, { serving: { imageUri: '' } })).definition;
    const run = createRegisterExecutor({ store, registry })(step, await resolvedRegisterArguments(definition, 'abc123'), context);
    await expect(run).rejects.toThrow(/^step "Register", Arguments\.InferenceSpecification\.Containers\[0\]\.Image: .*a registered version must say what serves it/);
    expect(await registry.list(GROUP)).toEqual([]);
  });
});

import { DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand, ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CreateModelCommand, DescribeEndpointConfigCommand, DescribeModelCommand, ListEndpointConfigsCommand, ListModelsCommand, ListTagsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EndpointBusyError, SageMakerDeployments } from '../../../src/aws/deployment/index.ts';
import { SageMakerRequestError } from '../../../src/aws/sagemaker-errors.ts';
import { parseTrainingConfig, type ServingConfig } from '../../../src/core/config/training-config.ts';
import { deployedVersionOf } from '../../../src/core/deploy/deployment-tags.ts';
import { DeploymentRefusedError } from '../../../src/core/deploy/errors.ts';
import { smokeImage } from '../../../src/core/deploy/smoke-image.ts';
import { resourceNames } from '../../../src/core/naming.ts';
import type { ModelVersionRecord } from '../../../src/core/registry/model-version.ts';
import { startEndpointUpdatesProxy, type EndpointUpdatesProxy } from './endpoint-updates-proxy.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from './moto.ts';

/**
 * SageMakerDeployments against moto's SageMaker and Application Auto Scaling. moto has no UpdateEndpoint and
 * finishes every endpoint at once: EndpointUpdatesProxy carries updates out as their end state (recording the
 * DeploymentConfig sent) and scripts the statuses moto never shows (Updating, Failed, a rollback).
 */
const names = resourceNames({ project_name: 'yolops', aws_account_id: MOTO_ACCOUNT });
const ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/yolops-endpoint-role`;
const GROUP = 'yolops-yolo-models';
const arnOf = (version: number): string => `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:model-package/${GROUP}/${version}`;
const T0 = new Date('2026-12-02T07:00:00Z');
const later = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);

function record(version: number, overrides: Partial<ModelVersionRecord> = {}): ModelVersionRecord {
  return {
    schemaVersion: 1,
    modelPackageGroupName: GROUP,
    version,
    modelPackageArn: arnOf(version),
    artifactUri: `s3://${names.modelArtifactsBucket}/runs/e${version}/model/model.tar.gz`,
    approvalStatus: 'Approved',
    approvalHistory: [],
    metrics: {},
    lineage: {},
    inference: {
      image: `${MOTO_ACCOUNT}.dkr.ecr.${MOTO_REGION}.amazonaws.com/yolops-inference:c${version}`,
      modelDataUrl: `s3://${names.modelArtifactsBucket}/runs/e${version}/model/model.tar.gz`,
      environment: { YOLOPS_INFERENCE_RUNTIME: 'auto' },
      contentTypes: ['image/jpeg', 'image/png', 'application/x-image', 'application/json'],
      responseMimeTypes: ['application/json'],
      realtimeInstanceTypes: ['ml.m5.large', 'ml.c5.xlarge'],
    },
    customerMetadata: {},
    createdAt: T0.toISOString(),
    ...overrides,
  };
}

const serving = (overrides: Record<string, unknown> = {}): ServingConfig => parseTrainingConfig({ serving: { min_instances: 1, max_instances: 3, ...overrides } }).serving;

let moto: MotoServer;
let proxy: EndpointUpdatesProxy;
let sagemaker: SageMakerClient;
let autoscaling: ApplicationAutoScalingClient;
let runtime: SageMakerRuntimeClient;
let deployments: SageMakerDeployments;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startEndpointUpdatesProxy(moto);
  const config = { ...moto.clientConfig, endpoint: proxy.endpoint, maxAttempts: 1 };
  sagemaker = new SageMakerClient(config);
  autoscaling = new ApplicationAutoScalingClient(config);
  runtime = new SageMakerRuntimeClient(config);
  deployments = new SageMakerDeployments({ sagemaker, autoscaling, runtime }, { projectName: 'yolops', names, endpointRoleArn: ROLE, deleteWaitMs: 5000, pollIntervalMs: 100 });
});
afterAll(async () => {
  for (const client of [sagemaker, autoscaling, runtime]) client?.destroy();
  await proxy?.close();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  proxy.clear();
});

async function modelNames(): Promise<string[]> {
  return ((await sagemaker.send(new ListModelsCommand({}))).Models ?? []).map((m) => m.ModelName ?? '').sort();
}
async function configNames(): Promise<string[]> {
  return ((await sagemaker.send(new ListEndpointConfigsCommand({}))).EndpointConfigs ?? []).map((c) => c.EndpointConfigName ?? '').sort();
}
const sageMakerCalls = (): string[] => proxy.calls.filter((c) => c.startsWith('SageMaker.') && !/\.(Describe|List)/.test(c)).map((c) => c.slice('SageMaker.'.length));

describe('deployVersion to staging', () => {
  it('creates a tagged model, a serverless configuration without data capture and the endpoint; describeStage reads the version back', async () => {
    const start = await deployments.deployVersion('staging', record(7), serving({ staging_memory_mb: 2048, staging_max_concurrency: 3 }), { at: T0 });
    expect(start.kind).toBe('started');
    expect(sageMakerCalls()).toEqual(['CreateModel', 'CreateEndpointConfig', 'CreateEndpoint']);
    const model = await sagemaker.send(new DescribeModelCommand({ ModelName: 'yolops-stg-v7-261202070000' }));
    expect(model.ExecutionRoleArn).toBe(ROLE);
    expect(model.PrimaryContainer).toMatchObject({ Image: record(7).inference?.image, ModelDataUrl: record(7).inference?.modelDataUrl, Environment: { YOLOPS_INFERENCE_RUNTIME: 'auto' } });
    expect(deployedVersionOf((await sagemaker.send(new ListTagsCommand({ ResourceArn: model.ModelArn }))).Tags as { Key: string; Value: string }[])).toEqual({ modelPackageArn: arnOf(7), modelPackageGroupName: GROUP, version: 7 });
    const config = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'yolops-stg-v7-261202070000' }));
    expect(config.ProductionVariants).toEqual([{ VariantName: 'AllTraffic', ModelName: 'yolops-stg-v7-261202070000', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 3 } }]);
    expect(config.DataCaptureConfig ?? {}).toEqual({});

    const state = await deployments.describeStage('staging');
    expect(state).toMatchObject({ stage: 'staging', endpointName: 'yolops-staging', exists: true, status: 'InService', pending: undefined });
    expect(state.current).toMatchObject({ endpointConfigName: 'yolops-stg-v7-261202070000', modelName: 'yolops-stg-v7-261202070000', version: { version: 7, modelPackageArn: arnOf(7) }, serverless: { memoryMb: 2048, maxConcurrency: 3 }, instanceType: undefined });
    expect((await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }))).ScalableTargets).toEqual([]);
  });

  it('is idempotent: the same approval twice (or the version approved again later) creates one deployment', async () => {
    await deployments.deployVersion('staging', record(7), serving(), { at: T0 });
    const again = await deployments.deployVersion('staging', record(7), serving(), { at: T0 });
    const later1 = await deployments.deployVersion('staging', record(7), serving(), { at: later(5) });
    expect([again.kind, later1.kind]).toEqual(['already-deployed', 'already-deployed']);
    expect(await modelNames()).toEqual(['yolops-stg-v7-261202070000']);
    expect(sageMakerCalls().filter((c) => c === 'CreateEndpoint' || c === 'UpdateEndpoint')).toEqual(['CreateEndpoint']);
  });

  it('updates to a newer version all at once (no DeploymentConfig), then cleans up only what is no longer in use', async () => {
    await deployments.deployVersion('staging', record(7), serving(), { at: T0 });
    // Not ours (another prefix), and one a deployment in flight has just created: both stay.
    await sagemaker.send(new CreateModelCommand({ ModelName: 'someone-elses-model', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'x' } }));
    const start = await deployments.deployVersion('staging', record(8), serving(), { at: later(10) });
    expect(start).toMatchObject({ kind: 'started', plan: { action: 'update' } });
    expect(proxy.updates).toEqual([{ EndpointName: 'yolops-staging', EndpointConfigName: 'yolops-stg-v8-261202071000' }]);
    expect((await deployments.describeStage('staging')).current?.version?.version).toBe(8);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await sagemaker.send(new CreateModelCommand({ ModelName: 'yolops-stg-v9-261202072000', ExecutionRoleArn: ROLE, PrimaryContainer: { Image: 'x' } }));

    const cleaned = await deployments.cleanUp('staging');
    expect(cleaned).toEqual({ models: ['yolops-stg-v7-261202070000'], endpointConfigs: ['yolops-stg-v7-261202070000'] });
    expect(await modelNames()).toEqual(['someone-elses-model', 'yolops-stg-v8-261202071000', 'yolops-stg-v9-261202072000']);
    expect(await configNames()).toEqual(['yolops-stg-v8-261202071000']);
    expect(await deployments.cleanUp('staging')).toEqual({ models: [], endpointConfigs: [] });
  });

  it('refuses a version without an inference specification, creating nothing', async () => {
    const { inference: _none, ...bare } = record(7);
    await expect(deployments.deployVersion('staging', bare, serving(), { at: T0 })).rejects.toThrow(DeploymentRefusedError);
    expect(await modelNames()).toEqual([]);
  });

  it('waits for an endpoint busy with another version, and counts one being updated to this version as deployed', async () => {
    await deployments.deployVersion('staging', record(7), serving(), { at: T0 });
    proxy.rollBackNextUpdate('yolops-staging', 'unused');
    await deployments.deployVersion('staging', record(8), serving(), { at: later(1) });
    proxy.script('yolops-staging', [{ EndpointStatus: 'Updating', pending: true }]);
    const error = await deployments.deployVersion('staging', record(9), serving(), { at: later(2) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointBusyError);
    expect((error as Error).message).toBe('the endpoint yolops-staging is Updating (deploying version 8): a deployment starts only once it is InService or Failed; wait and try again');
    expect(await deployments.deployVersion('staging', record(8), serving(), { at: later(3) })).toMatchObject({ kind: 'already-deployed' });
  });

  it('deletes what it created when the update is refused, and reports why', async () => {
    await deployments.deployVersion('staging', record(7), serving(), { at: T0 });
    proxy.refuseNextUpdate('yolops-staging', 'Could not access model data at s3://nowhere');
    const error = await deployments.deployVersion('staging', record(8), serving(), { at: later(1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SageMakerRequestError);
    expect((error as Error).message).toBe('SageMaker refused UpdateEndpoint for endpoint yolops-staging: Could not access model data at s3://nowhere');
    expect(await modelNames()).toEqual(['yolops-stg-v7-261202070000']);
    expect(await configNames()).toEqual(['yolops-stg-v7-261202070000']);
  });

  it('deletes a Failed endpoint and creates it again', async () => {
    await deployments.deployVersion('staging', record(7), serving(), { at: T0 });
    proxy.script('yolops-staging', [{ EndpointStatus: 'Failed', FailureReason: 'the container did not pass the ping health check' }]);
    const start = await deployments.deployVersion('staging', record(8), serving(), { at: later(1) });
    expect(start).toMatchObject({ kind: 'started', plan: { action: 'create' } });
    expect(sageMakerCalls().slice(-4)).toEqual(['DeleteEndpoint', 'CreateModel', 'CreateEndpointConfig', 'CreateEndpoint']);
  });
});

describe('deployVersion to production', () => {
  const prod = serving({ min_instances: 2, max_instances: 4, data_capture_percent: 30, canary_percent: 20, canary_wait_seconds: 300, target_invocations_per_instance: 200 });

  it('creates an instance-based endpoint with data capture; autoscaling is registered once it is InService', async () => {
    const start = await deployments.deployVersion('production', record(7), prod, { at: T0 });
    expect(start).toMatchObject({ kind: 'started', plan: { action: 'create' } });
    const config = await sagemaker.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'yolops-prd-v7-261202070000' }));
    expect(config.ProductionVariants).toEqual([{ VariantName: 'AllTraffic', ModelName: 'yolops-prd-v7-261202070000', InstanceType: 'ml.m5.large', InitialInstanceCount: 2, InitialVariantWeight: 1 }]);
    expect(config.DataCaptureConfig).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 30,
      DestinationS3Uri: `s3://${names.modelArtifactsBucket}/data-capture/`,
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
    });
    expect(await deployments.ensureAutoscaling(prod)).toEqual({ kind: 'registered', min: 2, max: 4, policy: 'yolops-production-invocations-per-instance' });
    const targets = (await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }))).ScalableTargets ?? [];
    expect(targets.map((t) => [t.ResourceId, t.ScalableDimension, t.MinCapacity, t.MaxCapacity])).toEqual([['endpoint/yolops-production/variant/AllTraffic', 'sagemaker:variant:DesiredInstanceCount', 2, 4]]);
    const policies = (await autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'sagemaker' }))).ScalingPolicies ?? [];
    expect(policies.map((p) => p.TargetTrackingScalingPolicyConfiguration)).toEqual([
      { TargetValue: 200, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' }, ScaleInCooldown: 300, ScaleOutCooldown: 60 },
    ]);
    expect((await deployments.describeStage('production')).current).toMatchObject({ instanceType: 'ml.m5.large', instanceCount: 2, dataCapturePercent: 30, version: { version: 7 } });
  });

  it('updates blue/green with a canary and both rollback alarms, keeping autoscaling registered', async () => {
    await deployments.deployVersion('production', record(7), prod, { at: T0 });
    await deployments.ensureAutoscaling(prod);
    proxy.calls.length = 0;
    await deployments.deployVersion('production', record(8), prod, { at: later(1) });
    expect(proxy.updates).toEqual([
      {
        EndpointName: 'yolops-production',
        EndpointConfigName: 'yolops-prd-v8-261202070100',
        DeploymentConfig: {
          BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 20 }, WaitIntervalInSeconds: 300 }, TerminationWaitInSeconds: 300, MaximumExecutionTimeoutInSeconds: 2400 },
          AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'yolops-production-5xx' }, { AlarmName: 'yolops-production-latency' }] },
        },
      },
    ]);
    expect(proxy.calls.some((c) => c.includes('DeregisterScalableTarget'))).toBe(false);
    expect((await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }))).ScalableTargets).toHaveLength(1);
  });

  it('deregisters autoscaling before an update that changes the instance type, and registers it again after', async () => {
    await deployments.deployVersion('production', record(7), prod, { at: T0 });
    await deployments.ensureAutoscaling(prod);
    proxy.calls.length = 0;
    const bigger = serving({ ...prod, instance_type: 'ml.c5.xlarge' });
    await deployments.deployVersion('production', record(8), bigger, { at: later(1) });
    const order = proxy.calls.filter((c) => /DeleteScalingPolicy|DeregisterScalableTarget|UpdateEndpoint/.test(c)).map((c) => c.split('.')[1]);
    expect(order).toEqual(['DeleteScalingPolicy', 'DeregisterScalableTarget', 'UpdateEndpoint']);
    expect((await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }))).ScalableTargets).toEqual([]);
    expect(await deployments.ensureAutoscaling(bigger)).toMatchObject({ kind: 'registered' });
    expect((await deployments.describeStage('production')).current).toMatchObject({ instanceType: 'ml.c5.xlarge', version: { version: 8 } });
  });

  it('refuses a version that is not Approved', async () => {
    await expect(deployments.deployVersion('production', record(7, { approvalStatus: 'Rejected' }), prod, { at: T0 })).rejects.toThrow(/is Rejected; only Approved versions are deployed/);
  });
});

describe('smokeTest through moto', () => {
  it("judges moto's canned answers: an inference answer passes, anything else fails with the reason", async () => {
    const good = {
      model: { version: 'sha256:0123456789abcdef', mlflow_run_id: null, runtime: 'onnx' },
      inference_ms: 3.5,
      options: { conf: 0.25, imgsz: 64 },
      predictions: [{ width: 64, height: 64, detections: [] }],
    };
    // moto answers InvokeEndpoint from a queue of canned results, one per distinct request body.
    const results = [{ Body: JSON.stringify(good), ContentType: 'application/json', InvokedProductionVariant: 'AllTraffic', CustomAttributes: '' }];
    await fetch(`${moto.endpoint}/moto-api/static/sagemaker/endpoint-results`, { method: 'POST', body: JSON.stringify({ results }) });
    const verdict = await deployments.smokeTest('staging');
    expect(verdict).toMatchObject({ ok: true, inferenceMs: 3.5, detections: 0, servedModel: 'sha256:0123456789abcdef' });
    expect(verdict.latencyMs).toBeGreaterThanOrEqual(0);
    expect(proxy.invocations.map((i) => [i.endpointName, i.contentType])).toEqual([['yolops-staging', 'image/png']]);
    expect(proxy.invocations[0]?.body.equals(Buffer.from(smokeImage()))).toBe(true);
    // moto keeps the first answer it gave for a body (it reads no endpoint name from the path), so the same image
    // gets the same answer until moto is reset.
    await moto.reset();
    await fetch(`${moto.endpoint}/moto-api/static/sagemaker/endpoint-results`, { method: 'POST', body: JSON.stringify({ results: [{ ...results[0], Body: '<html>bad gateway</html>' }] }) });
    expect(await deployments.smokeTest('production')).toMatchObject({ ok: false, reason: 'the answer is not JSON (application/json): <html>bad gateway</html>' });
  });
});

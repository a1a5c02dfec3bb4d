import { describe, expect, it } from 'vitest';
import { parseTrainingConfig, type ServingConfig } from '../../../../src/core/config/training-config.ts';
import { autoscalingPlan } from '../../../../src/core/deploy/autoscaling-plan.ts';
import { BLUE_GREEN_LIMITS, productionDeploymentConfig } from '../../../../src/core/deploy/blue-green.ts';
import { deploymentResourcePrefix } from '../../../../src/core/deploy/deploy-stage.ts';
import { deploymentRefusal } from '../../../../src/core/deploy/deployability.ts';
import { deploymentName } from '../../../../src/core/deploy/deployment-names.ts';
import { planDeployment, type PlanInput } from '../../../../src/core/deploy/deployment-plan.ts';
import { deployedVersionOf } from '../../../../src/core/deploy/deployment-tags.ts';
import { DeploymentRefusedError } from '../../../../src/core/deploy/errors.ts';
import { MAX_PROJECT_NAME_LENGTH } from '../../../../src/core/config/cdk-context.ts';
import { resourceNames } from '../../../../src/core/naming.ts';
import type { ModelVersionRecord } from '../../../../src/core/registry/model-version.ts';

const names = resourceNames({ project_name: 'yolops', aws_account_id: '123456789012' });
const ARN = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/yolops-yolo-models/7';
const ROLE = 'arn:aws:iam::123456789012:role/yolops-endpoint-role';
const AT = new Date('2026-12-02T07:08:09.123Z');

function servingOf(overrides: Record<string, unknown> = {}): ServingConfig {
  return parseTrainingConfig({ serving: overrides }).serving;
}

function record(overrides: Partial<ModelVersionRecord> = {}): ModelVersionRecord {
  return {
    schemaVersion: 1,
    modelPackageGroupName: 'yolops-yolo-models',
    version: 7,
    modelPackageArn: ARN,
    artifactUri: 's3://yolops-model-artifacts-123456789012/runs/e1/model/model.tar.gz',
    approvalStatus: 'Approved',
    approvalHistory: [],
    metrics: {},
    lineage: {},
    inference: {
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/yolops-inference:abc1234',
      modelDataUrl: 's3://yolops-model-artifacts-123456789012/runs/e1/model/model.tar.gz',
      environment: { YOLOPS_INFERENCE_RUNTIME: 'torch', SAGEMAKER_PROGRAM: 'serve' },
      contentTypes: ['image/jpeg', 'image/png', 'application/x-image'],
      responseMimeTypes: ['application/json'],
      realtimeInstanceTypes: ['ml.m5.large', 'ml.c5.xlarge'],
    },
    customerMetadata: {},
    createdAt: '2026-12-01T00:00:00.000Z',
    ...overrides,
  };
}

function input(overrides: Partial<PlanInput> = {}): PlanInput {
  return { record: record(), serving: servingOf(), stage: 'staging', projectName: 'yolops', names, endpointRoleArn: ROLE, at: AT, current: undefined, ...overrides };
}

describe('deployment names', () => {
  it('name a deployment after the stage, the version and the time, within 63 characters for the longest project name', () => {
    expect(deploymentName('yolops', 'staging', 7, AT)).toBe('yolops-stg-v7-261202070809');
    expect(deploymentName('yolops', 'production', 12, AT)).toBe('yolops-prd-v12-261202070809');
    const longest = 'p'.repeat(MAX_PROJECT_NAME_LENGTH);
    const name = deploymentName(longest, 'production', 999_999_999, AT);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name.startsWith(deploymentResourcePrefix(longest, 'production'))).toBe(true);
  });

  it('give the same name for the same approval time (a repeated event) and another for another time', () => {
    expect(deploymentName('yolops', 'staging', 7, new Date(AT))).toBe(deploymentName('yolops', 'staging', 7, AT));
    expect(deploymentName('yolops', 'staging', 7, new Date(AT.getTime() + 1000))).not.toBe(deploymentName('yolops', 'staging', 7, AT));
  });
});

describe('deploymentRefusal', () => {
  it('refuses a version without an inference specification, a version not Approved, and an instance type it is not registered for', () => {
    const { inference: _none, ...bare } = record();
    expect(deploymentRefusal(bare, servingOf(), 'staging')).toBe(
      'model yolops-yolo-models version 7 has no inference specification (it was registered before serving existed), so there is nothing to deploy: train a new version and approve that one',
    );
    expect(deploymentRefusal(record({ approvalStatus: 'PendingManualApproval' }), servingOf(), 'production')).toBe(
      'model yolops-yolo-models version 7 is PendingManualApproval; only Approved versions are deployed: approve it first with `yolops models approve 7 --target aws`',
    );
    const gpu = servingOf({ instance_type: 'ml.g5.xlarge' });
    expect(deploymentRefusal(record(), gpu, 'production')).toMatch(/is registered to run on ml\.m5\.large, ml\.c5\.xlarge, not on ml\.g5\.xlarge/);
    // Serverless staging runs on no instance type of the list.
    expect(deploymentRefusal(record(), gpu, 'staging')).toBeUndefined();
    expect(() => planDeployment(input({ record: bare }))).toThrow(DeploymentRefusedError);
  });
});

describe('planDeployment: staging', () => {
  it('creates a tagged model from the inference spec and a serverless configuration without data capture', () => {
    const plan = planDeployment(input({ serving: servingOf({ runtime: 'onnx', staging_memory_mb: 3072, staging_max_concurrency: 3 }) }));
    expect(plan.action).toBe('create');
    expect(plan.endpointName).toBe('yolops-staging');
    expect(plan.model).toEqual({
      ModelName: 'yolops-stg-v7-261202070809',
      ExecutionRoleArn: ROLE,
      PrimaryContainer: {
        Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/yolops-inference:abc1234',
        ModelDataUrl: 's3://yolops-model-artifacts-123456789012/runs/e1/model/model.tar.gz',
        Environment: { YOLOPS_INFERENCE_RUNTIME: 'torch', SAGEMAKER_PROGRAM: 'serve' },
      },
      Tags: plan.endpointConfig.Tags,
    });
    expect(deployedVersionOf(plan.model.Tags)).toEqual({ modelPackageArn: ARN, modelPackageGroupName: 'yolops-yolo-models', version: 7 });
    expect(plan.endpointConfig.ProductionVariants).toEqual([{ VariantName: 'AllTraffic', ModelName: plan.model.ModelName, ServerlessConfig: { MemorySizeInMB: 3072, MaxConcurrency: 3 } }]);
    expect(plan.endpointConfig.DataCaptureConfig).toBeUndefined();
    expect(plan.deploymentConfig).toBeUndefined();
    expect(plan.autoscaling).toBeUndefined();
  });

  it('updates an existing serverless endpoint all at once (no blue/green DeploymentConfig)', () => {
    const plan = planDeployment(input({ current: {} }));
    expect(plan.action).toBe('update');
    expect(plan.deploymentConfig).toBeUndefined();
  });
});

describe('planDeployment: production', () => {
  const serving = servingOf({ min_instances: 2, max_instances: 5, data_capture_percent: 35, canary_percent: 25, canary_wait_seconds: 900, target_invocations_per_instance: 120 });

  it('creates an instance-based configuration with data capture into the model artifacts bucket, and no DeploymentConfig on creation', () => {
    const plan = planDeployment(input({ stage: 'production', serving }));
    expect(plan.action).toBe('create');
    expect(plan.endpointConfig.ProductionVariants).toEqual([{ VariantName: 'AllTraffic', ModelName: 'yolops-prd-v7-261202070809', InstanceType: 'ml.m5.large', InitialInstanceCount: 2, InitialVariantWeight: 1 }]);
    expect(plan.endpointConfig.DataCaptureConfig).toEqual({
      EnableCapture: true,
      InitialSamplingPercentage: 35,
      DestinationS3Uri: 's3://yolops-model-artifacts-123456789012/data-capture/',
      CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
      CaptureContentTypeHeader: { JsonContentTypes: ['application/json'] },
    });
    expect(plan.deploymentConfig).toBeUndefined();
    expect(plan.autoscaling).toEqual(autoscalingPlan('yolops-production', serving));
  });

  it('updates an instance-based endpoint blue/green with a canary and both rollback alarms, keeping its current size', () => {
    const plan = planDeployment(input({ stage: 'production', serving, current: { instanceType: 'ml.m5.large', instanceCount: 4 } }));
    expect(plan.action).toBe('update');
    expect(plan.endpointConfig.ProductionVariants[0]).toMatchObject({ InitialInstanceCount: 4 });
    expect(plan.deploymentConfig).toEqual({
      BlueGreenUpdatePolicy: {
        TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 25 }, WaitIntervalInSeconds: 900 },
        TerminationWaitInSeconds: 900,
        MaximumExecutionTimeoutInSeconds: 900 + 900 + 1800,
      },
      AutoRollbackConfiguration: { Alarms: [{ AlarmName: 'yolops-production-5xx' }, { AlarmName: 'yolops-production-latency' }] },
    });
    expect(plan.pauseAutoscaling).toBe(false);
    // Outside the bounds, the size is brought back in.
    expect(planDeployment(input({ stage: 'production', serving, current: { instanceType: 'ml.m5.large', instanceCount: 9 } })).endpointConfig.ProductionVariants[0]).toMatchObject({ InitialInstanceCount: 5 });
  });

  it('pauses autoscaling when the instance type changes (UpdateEndpoint refuses that for a scalable target)', () => {
    const plan = planDeployment(input({ stage: 'production', serving, current: { instanceType: 'ml.c5.xlarge', instanceCount: 2 } }));
    expect(plan.pauseAutoscaling).toBe(true);
  });

  it('turns data capture off at 0% and leaves out the JSON header when the version answers no JSON', () => {
    const plan = planDeployment(input({ stage: 'production', serving: servingOf({ data_capture_percent: 0 }), record: record({ inference: { ...(record().inference as NonNullable<ModelVersionRecord['inference']>), responseMimeTypes: ['text/plain'] } }) }));
    expect(plan.endpointConfig.DataCaptureConfig).toMatchObject({ EnableCapture: false, InitialSamplingPercentage: 0 });
    expect(plan.endpointConfig.DataCaptureConfig?.CaptureContentTypeHeader).toBeUndefined();
  });
});

describe('productionDeploymentConfig and autoscalingPlan', () => {
  it('keep the whole update within SageMaker limits at both ends of the config', () => {
    const quick = productionDeploymentConfig(servingOf({ canary_wait_seconds: 0 }), names).BlueGreenUpdatePolicy;
    expect(quick.MaximumExecutionTimeoutInSeconds).toBe(1800);
    const slow = productionDeploymentConfig(servingOf({ canary_wait_seconds: 3600, canary_percent: 50 }), names).BlueGreenUpdatePolicy;
    expect(slow.MaximumExecutionTimeoutInSeconds).toBe(3600 + 3600 + 1800);
    for (const policy of [quick, slow]) {
      expect(policy.MaximumExecutionTimeoutInSeconds).toBeGreaterThan(policy.TerminationWaitInSeconds + policy.TrafficRoutingConfiguration.WaitIntervalInSeconds);
      expect(policy.MaximumExecutionTimeoutInSeconds).toBeGreaterThanOrEqual(BLUE_GREEN_LIMITS.minExecutionTimeoutSeconds);
      expect(policy.MaximumExecutionTimeoutInSeconds).toBeLessThanOrEqual(BLUE_GREEN_LIMITS.maxExecutionTimeoutSeconds);
    }
  });

  it('tracks invocations per instance on the AllTraffic variant between min and max', () => {
    expect(autoscalingPlan('yolops-production', servingOf({ min_instances: 1, max_instances: 3, target_invocations_per_instance: 50 }))).toEqual({
      target: { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/yolops-production/variant/AllTraffic', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount', MinCapacity: 1, MaxCapacity: 3 },
      policy: {
        PolicyName: 'yolops-production-invocations-per-instance',
        ServiceNamespace: 'sagemaker',
        ResourceId: 'endpoint/yolops-production/variant/AllTraffic',
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' }, ScaleInCooldown: 300, ScaleOutCooldown: 60 },
      },
    });
  });
});

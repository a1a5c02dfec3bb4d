import { CreateModelPackageCommand, CreateModelPackageGroupCommand, SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeScalableTargetsCommand, ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeAwsSession, openAwsSession, type AwsSession } from '../../../src/cli/aws-session.ts';
import { CliError } from '../../../src/cli/errors.ts';
import { promoteOnAws } from '../../../src/cli/models/promote-aws.ts';
import { parseCdkContext } from '../../../src/core/config/cdk-context.ts';
import { PREFIXES, resourceNames } from '../../../src/core/naming.ts';
import { REPO_ROOT } from '../../../src/local/layout.ts';
import { startEndpointUpdatesProxy, type EndpointUpdatesProxy } from '../aws/endpoint-updates-proxy.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from '../aws/moto.ts';

/**
 * promoteOnAws over an AwsSession opened as the CLI opens it (AWS_ENDPOINT_URL), against moto behind
 * EndpointUpdatesProxy: moto has no UpdateEndpoint and never shows Updating or a rollback, so the proxy carries
 * updates out and scripts the statuses a blue/green rollout goes through.
 */
const context = parseCdkContext({ ...(JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context, aws_region: MOTO_REGION, aws_account_id: MOTO_ACCOUNT });
const names = resourceNames(context);
const GROUP = names.modelPackageGroup;

let moto: MotoServer;
let proxy: EndpointUpdatesProxy;
let session: AwsSession;
let sagemaker: SageMakerClient;
let lines: string[] = [];
const out = (line: string): void => void lines.push(line);

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startEndpointUpdatesProxy(moto);
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true' });
  session = await openAwsSession(context, { AWS_REGION: MOTO_REGION, AWS_ENDPOINT_URL: proxy.endpoint });
  sagemaker = new SageMakerClient({ ...moto.clientConfig, maxAttempts: 1 });
});
afterAll(async () => {
  if (session) closeAwsSession(session);
  sagemaker?.destroy();
  await proxy?.close();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  lines = [];
  const s3 = new S3Client({ ...moto.clientConfig, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: names.trainingDataBucket }));
  await s3.send(new PutObjectCommand({ Bucket: names.trainingDataBucket, Key: PREFIXES.trainingConfigKey, Body: JSON.stringify({ serving: { min_instances: 1, max_instances: 2, canary_percent: 10, canary_wait_seconds: 120 } }) }));
  s3.destroy();
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
});

async function register(approved: boolean): Promise<void> {
  const created = await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: GROUP,
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [{ Image: `${MOTO_ACCOUNT}.dkr.ecr.${MOTO_REGION}.amazonaws.com/${names.inferenceImageRepository}:abc1234`, ModelDataUrl: `s3://${names.modelArtifactsBucket}/runs/e/model/model.tar.gz`, Environment: { YOLOPS_INFERENCE_RUNTIME: 'auto' } }],
        SupportedContentTypes: ['image/png'],
        SupportedResponseMIMETypes: ['application/json'],
        SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large'],
      },
    }),
  );
  if (approved) await sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: created.ModelPackageArn, ModelApprovalStatus: 'Approved' }));
}

async function refusal(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof CliError)) throw new Error(`expected a CliError, got ${String(error)}`);
  return error;
}

describe('promoteOnAws', () => {
  it('refuses a version that is not Approved, or does not exist, with exit 2 and nothing created', async () => {
    await register(false);
    const pending = await refusal(promoteOnAws(session, 1, { wait: false, out }));
    expect([pending.exitCode, pending.message]).toEqual([2, 'model yolops-yolo-models version 1 is PendingManualApproval; only Approved versions are promoted to production: approve it first with `yolops models approve 1 --target aws`']);
    const missing = await refusal(promoteOnAws(session, 4, { wait: false, out }));
    expect([missing.exitCode, missing.message]).toEqual([2, 'model yolops-yolo-models version 4 does not exist in the SageMaker Model Registry: yolops models list --target aws shows the versions there are']);
    expect(proxy.calls.filter((c) => /Create/.test(c))).toEqual([]);
  });

  it('creates production, waits for it, registers autoscaling; promoting it again changes nothing', async () => {
    await register(true);
    const result = await promoteOnAws(session, 1, { wait: true, out, pollIntervalMs: 50 });
    expect(result).toMatchObject({ version: 1, endpoint: 'yolops-production', outcome: 'deployed', status: 'InService', autoscaling: { kind: 'registered', min: 1, max: 2 } });
    expect(lines[0]).toBe(`serving settings from s3://${names.trainingDataBucket}/${PREFIXES.trainingConfigKey}`);
    expect(lines[1]).toMatch(/^yolops-production: deploying yolops-yolo-models version 1 as yolops-prd-v1-\d{12} on 1 x ml\.m5\.large \(a new endpoint\)$/);
    expect(lines.slice(2)).toEqual(['yolops-production: InService', 'yolops-production: autoscaling 1-2 instances (yolops-production-invocations-per-instance)', 'yolops-production serves yolops-yolo-models version 1']);
    const autoscaling = new ApplicationAutoScalingClient({ ...moto.clientConfig, maxAttempts: 1 });
    expect((await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }))).ScalableTargets?.map((t) => t.ResourceId)).toEqual(['endpoint/yolops-production/variant/AllTraffic']);
    autoscaling.destroy();

    lines = [];
    expect(await promoteOnAws(session, 1, { wait: false, out })).toMatchObject({ outcome: 'already-serving', status: 'InService' });
    expect(lines.slice(1)).toEqual(['yolops-production serves yolops-yolo-models version 1 already (InService)']);
  });

  it('updates blue/green, follows Updating to InService, then removes the previous model', async () => {
    await register(true);
    await register(true);
    await promoteOnAws(session, 1, { wait: true, out, pollIntervalMs: 50 });
    lines = [];
    proxy.script('yolops-production', [{ EndpointStatus: 'InService' }, { EndpointStatus: 'Updating', pending: true }, { EndpointStatus: 'Updating', pending: true }, { EndpointStatus: 'InService' }]);
    const result = await promoteOnAws(session, 2, { wait: true, out, pollIntervalMs: 50 });
    expect(result).toMatchObject({ outcome: 'deployed', cleanedUp: { models: [expect.stringMatching(/^yolops-prd-v1-/)], endpointConfigs: [expect.stringMatching(/^yolops-prd-v1-/)] } });
    expect(lines[1]).toMatch(/ on 1 x ml\.m5\.large \(blue\/green: 10% canary watched 2 min 0 s, rolled back by yolops-production-5xx or yolops-production-latency\)$/);
    expect(lines).toContain('yolops-production: Updating');
    expect(proxy.updates[0]).toMatchObject({ DeploymentConfig: { BlueGreenUpdatePolicy: { TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: 10 }, WaitIntervalInSeconds: 120 } } } });
  });

  it('ends with exit 1 and the reason when the update is rolled back', async () => {
    await register(true);
    await register(true);
    await promoteOnAws(session, 1, { wait: true, out, pollIntervalMs: 50 });
    lines = [];
    proxy.rollBackNextUpdate('yolops-production', 'Alarm yolops-production-5xx went into ALARM during the canary baking period');
    proxy.script('yolops-production', [{ EndpointStatus: 'InService' }, { EndpointStatus: 'Updating', pending: true }, { EndpointStatus: 'RollingBack', pending: true }, { EndpointStatus: 'InService' }]);
    const error = await refusal(promoteOnAws(session, 2, { wait: true, out, pollIntervalMs: 50 }));
    expect([error.exitCode, error.message]).toEqual([1, 'yolops-production rolled the update back and still serves version 1: Alarm yolops-production-5xx went into ALARM during the canary baking period']);
    expect(lines.slice(2)).toEqual(['yolops-production: Updating', 'yolops-production: RollingBack', 'yolops-production: InService']);
  });

  it('without --wait, starts the update and says how to follow it', async () => {
    await register(true);
    expect(await promoteOnAws(session, 1, { wait: false, out })).toMatchObject({ outcome: 'started', status: 'Creating' });
    expect(lines.at(-1)).toBe('follow it with `yolops models promote 1 --target aws --wait`, which also registers autoscaling once the endpoint is InService');
  });
});

import { CreateModelPackageCommand, CreateModelPackageGroupCommand, ListModelsCommand, SageMakerClient, UpdateModelPackageCommand } from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PREFIXES, resourceNames } from '../../../src/core/naming.ts';
import type { DeployerOutcome } from '../../../src/deployer/process-event.ts';
import { startEndpointUpdatesProxy, type EndpointUpdatesProxy } from './endpoint-updates-proxy.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from './moto.ts';

/**
 * The deployer Lambda's handler (src/deployer/handler.ts, imported as Lambda loads it, its settings from the
 * environment) given the EventBridge events SageMaker sends, shaped as the examples of
 * automating-sagemaker-with-eventbridge.html, against moto behind EndpointUpdatesProxy (moto has no UpdateEndpoint,
 * never reports Failed, and cannot take an image body on InvokeEndpoint; see the proxy). moto answers InvokeEndpoint
 * with canned results, set per test through /moto-api/static/sagemaker/endpoint-results.
 */
const names = resourceNames({ project_name: 'yolops', aws_account_id: MOTO_ACCOUNT });
const GROUP = names.modelPackageGroup;
const TOPIC = 'yolops-notifications';
const packageArn = (version: number): string => `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:model-package/${GROUP}/${version}`;

let moto: MotoServer;
let proxy: EndpointUpdatesProxy;
let sagemaker: SageMakerClient;
let s3: S3Client;
let sns: SNSClient;
let sqs: SQSClient;
let queueUrl = '';
let handler: (event: unknown) => Promise<DeployerOutcome>;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startEndpointUpdatesProxy(moto);
  const config = { ...moto.clientConfig, maxAttempts: 1 };
  sagemaker = new SageMakerClient(config);
  s3 = new S3Client(config);
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
  Object.assign(process.env, {
    MODEL_PACKAGE_GROUP: GROUP,
    STAGING_ENDPOINT: names.stagingEndpoint,
    ENDPOINT_ROLE_ARN: `arn:aws:iam::${MOTO_ACCOUNT}:role/${names.endpointExecutionRole}`,
    TRAINING_BUCKET: names.trainingDataBucket,
    TRAINING_CONFIG_KEY: PREFIXES.trainingConfigKey,
    NOTIFICATIONS_TOPIC_ARN: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT}:${TOPIC}`,
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_REGION: MOTO_REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  ({ handler } = await import('../../../src/deployer/handler.ts'));
});
afterAll(async () => {
  for (const client of [sagemaker, s3, sns, sqs]) client?.destroy();
  await proxy?.close();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  await s3.send(new CreateBucketCommand({ Bucket: names.trainingDataBucket }));
  await putConfig({ serving: { staging_memory_mb: 2048, staging_max_concurrency: 2 } });
  const topic = await sns.send(new CreateTopicCommand({ Name: TOPIC }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'notices' }))).QueueUrl ?? '';
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.['QueueArn'];
  await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: queueArn }));
  await sagemaker.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: GROUP }));
});

async function putConfig(config: unknown): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: names.trainingDataBucket, Key: PREFIXES.trainingConfigKey, Body: typeof config === 'string' ? config : JSON.stringify(config) }));
}

/** A version as the pipeline's Register step records it, approved (or not) as a person would. */
async function register(options: { serving?: boolean; approve?: boolean } = {}): Promise<void> {
  await sagemaker.send(
    new CreateModelPackageCommand({
      ModelPackageGroupName: GROUP,
      ModelApprovalStatus: 'PendingManualApproval',
      InferenceSpecification: {
        Containers: [{ Image: `${MOTO_ACCOUNT}.dkr.ecr.${MOTO_REGION}.amazonaws.com/${names.inferenceImageRepository}:abc1234`, ModelDataUrl: `s3://${names.modelArtifactsBucket}/runs/e1/model/model.tar.gz`, Environment: { YOLOPS_INFERENCE_RUNTIME: 'auto' } }],
        ...(options.serving === false ? {} : { SupportedContentTypes: ['image/jpeg', 'image/png', 'application/x-image', 'application/json'], SupportedResponseMIMETypes: ['application/json'], SupportedRealtimeInferenceInstanceTypes: ['ml.m5.large'] }),
      },
    }),
  );
}

async function approve(version: number): Promise<void> {
  await sagemaker.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn(version), ModelApprovalStatus: 'Approved' }));
}

/** "SageMaker Model Package State Change", as EventBridge delivers it. */
function approvalEvent(version: number, overrides: { group?: string; status?: string; time?: string } = {}): unknown {
  const group = overrides.group ?? GROUP;
  return {
    version: '0',
    id: `844e2571-85d4-695f-b930-0153b71dcb4${version}`,
    'detail-type': 'SageMaker Model Package State Change',
    source: 'aws.sagemaker',
    account: MOTO_ACCOUNT,
    time: overrides.time ?? '2026-12-02T08:00:00Z',
    region: MOTO_REGION,
    resources: [`arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:model-package/${group}/${version}`],
    detail: {
      ModelPackageGroupName: group,
      ModelPackageVersion: version,
      ModelPackageArn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:model-package/${group}/${version}`,
      CreationTime: '2026-12-02T07:00:00Z',
      InferenceSpecification: { Containers: [{ Image: 'image', ModelDataUrl: 's3://bucket/model.tar.gz' }], SupportedContentTypes: ['image/png'], SupportedResponseMIMETypes: ['application/json'] },
      ModelPackageStatus: 'Completed',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
      CertifyForMarketplace: false,
      ModelApprovalStatus: overrides.status ?? 'Approved',
      LastModifiedTime: '2026-12-02T08:00:00Z',
    },
  };
}

/** "SageMaker Endpoint State Change": its status spelled IN_SERVICE, FAILED. */
function endpointEvent(status: string, endpointName: string = names.stagingEndpoint): unknown {
  return {
    version: '0',
    id: `d2921b5a-b0ad-cace-a8e3-0f159d018e0${status.length}`,
    'detail-type': 'SageMaker Endpoint State Change',
    source: 'aws.sagemaker',
    account: MOTO_ACCOUNT,
    time: '2026-12-02T08:05:00Z',
    region: MOTO_REGION,
    resources: [`arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:endpoint/${endpointName}`],
    detail: {
      EndpointName: endpointName,
      EndpointArn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:endpoint/${endpointName}`,
      EndpointConfigName: 'whatever',
      ProductionVariants: [{ DesiredWeight: 1.0, DesiredInstanceCount: 1.0 }],
      EndpointStatus: status,
      CreationTime: 1_592_411_992_203.0,
      LastModifiedTime: 1_592_411_994_287.0,
      Tags: {},
    },
  };
}

async function cannedAnswer(body: string): Promise<void> {
  const results = [{ Body: body, ContentType: 'application/json', InvokedProductionVariant: 'AllTraffic', CustomAttributes: '' }];
  await fetch(`${moto.endpoint}/moto-api/static/sagemaker/endpoint-results`, { method: 'POST', body: JSON.stringify({ results }) });
}

const inferenceAnswer = JSON.stringify({ model: { version: 'sha256:0123456789abcdef', mlflow_run_id: null, runtime: 'torch' }, inference_ms: 7.25, options: { conf: 0.25, imgsz: 640 }, predictions: [{ width: 64, height: 64, detections: [] }] });

async function notices(): Promise<{ subject: string; event: string; body: Record<string, unknown> }[]> {
  const found: { subject: string; event: string; body: Record<string, unknown> }[] = [];
  for (;;) {
    const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const messages = answer.Messages ?? [];
    if (messages.length === 0) return found;
    for (const m of messages) {
      const envelope = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message: string; MessageAttributes?: Record<string, { Value: string }> };
      found.push({ subject: envelope.Subject ?? '', event: envelope.MessageAttributes?.['event']?.Value ?? '', body: JSON.parse(envelope.Message) as Record<string, unknown> });
    }
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
  }
}

async function modelNames(): Promise<string[]> {
  return ((await sagemaker.send(new ListModelsCommand({}))).Models ?? []).map((m) => m.ModelName ?? '').sort();
}

describe('the deployer handler', () => {
  it('deploys an approved version of our group to staging once, however often the event comes, and says so on SNS', async () => {
    await register();
    await approve(1);
    expect(await handler(approvalEvent(1))).toEqual({ kind: 'deploying', version: 1, model: 'yolops-stg-v1-261202080000' });
    expect(await handler(approvalEvent(1))).toEqual({ kind: 'already-deployed', version: 1 });
    expect(await modelNames()).toEqual(['yolops-stg-v1-261202080000']);
    const sent = await notices();
    expect(sent.map((n) => [n.event, n.subject])).toEqual([['deployment.started', 'yolops-staging: deploying yolops-yolo-models version 1']]);
    expect(sent[0]?.body).toMatchObject({ version: 1, modelPackageArn: packageArn(1), action: 'create', servingConfig: `s3://${names.trainingDataBucket}/${PREFIXES.trainingConfigKey}` });
  });

  it('says why it does not deploy: another group and other statuses are ignored, a version without serving is refused', async () => {
    await register({ serving: false });
    await approve(1);
    expect(await handler(approvalEvent(1, { group: 'someone-elses-models' }))).toEqual({ kind: 'ignored', reason: 'model package group someone-elses-models is not yolops-yolo-models' });
    expect(await handler(approvalEvent(1, { status: 'PendingManualApproval' }))).toEqual({ kind: 'ignored', reason: 'version 1 is PendingManualApproval, not Approved' });
    const refused = await handler(approvalEvent(1));
    expect(refused).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/^model yolops-yolo-models version 1 has no inference specification/) });
    expect((await notices()).map((n) => n.event)).toEqual(['deployment.refused']);
    expect(await modelNames()).toEqual([]);
  });

  it('refuses, with the problems, when the uploaded serving config is not valid', async () => {
    await register();
    await approve(1);
    await putConfig({ serving: { staging_memory_mb: 1000 } });
    expect(await handler(approvalEvent(1))).toMatchObject({ kind: 'refused', reason: expect.stringMatching(/serving\.staging_memory_mb: must be 1024, 2048/) });
    expect((await notices()).map((n) => n.event)).toEqual(['deployment.refused']);
  });

  it('smoke-tests the endpoint once InService, reports the version and latency, and removes the previous deployment', async () => {
    await register();
    await register();
    await approve(1);
    await handler(approvalEvent(1, { time: '2026-12-02T08:00:00Z' }));
    await approve(2);
    await handler(approvalEvent(2, { time: '2026-12-02T09:00:00Z' }));
    await notices();
    await cannedAnswer(inferenceAnswer);
    const outcome = await handler(endpointEvent('IN_SERVICE'));
    expect(outcome).toMatchObject({ kind: 'smoke-passed', version: 2 });
    const [notice] = await notices();
    expect(notice?.event).toBe('deployment.succeeded');
    expect(notice?.subject).toMatch(/^yolops-staging: version 2 in service, smoke test passed in \d+ ms$/);
    expect(notice?.body).toMatchObject({ version: 2, modelPackageArn: packageArn(2), inferenceMs: 7.25, detections: 0, servedModel: 'sha256:0123456789abcdef', latencyMs: expect.any(Number) });
    expect(await modelNames()).toEqual(['yolops-stg-v2-261202090000']);
  });

  it('reports a failed smoke test with the reason', async () => {
    await register();
    await approve(1);
    await handler(approvalEvent(1));
    await notices();
    await cannedAnswer('{"error": "the model failed to load: best.pt is missing"}');
    expect(await handler(endpointEvent('IN_SERVICE'))).toEqual({ kind: 'smoke-failed', version: 1, reason: 'the server refused the image: the model failed to load: best.pt is missing' });
    expect((await notices()).map((n) => [n.event, n.body['reason']])).toEqual([['deployment.smoke-failed', 'the server refused the image: the model failed to load: best.pt is missing']]);
  });

  it("reports a Failed endpoint with SageMaker's FailureReason, and ignores other endpoints and passing states", async () => {
    await register();
    await approve(1);
    await handler(approvalEvent(1));
    await notices();
    expect(await handler(endpointEvent('CREATING'))).toEqual({ kind: 'ignored', reason: 'endpoint yolops-staging is CREATING' });
    expect(await handler(endpointEvent('IN_SERVICE', names.productionEndpoint))).toEqual({ kind: 'ignored', reason: 'endpoint yolops-production is not yolops-staging' });
    proxy.script(names.stagingEndpoint, [{ EndpointStatus: 'Failed', FailureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' }]);
    expect(await handler(endpointEvent('FAILED'))).toEqual({ kind: 'failed', reason: 'The primary container for production variant AllTraffic did not pass the ping health check.' });
    const [notice] = await notices();
    expect(notice).toMatchObject({ event: 'deployment.failed', subject: 'yolops-staging: version 1 failed (Failed)', body: { version: 1, failureReason: 'The primary container for production variant AllTraffic did not pass the ping health check.' } });
  });

  it('reports an update that SageMaker rolled back: the reason, and the version still served', async () => {
    await register();
    await register();
    await approve(1);
    await handler(approvalEvent(1));
    await approve(2);
    proxy.rollBackNextUpdate(names.stagingEndpoint, 'Failed to download model data for model yolops-stg-v2');
    await handler(approvalEvent(2, { time: '2026-12-02T09:00:00Z' }));
    await notices();
    expect(await handler(endpointEvent('IN_SERVICE'))).toEqual({ kind: 'failed', reason: 'Failed to download model data for model yolops-stg-v2' });
    expect((await notices())[0]).toMatchObject({ event: 'deployment.failed', body: { stillServing: 1, failureReason: 'Failed to download model data for model yolops-stg-v2' } });
  });

  it('reports an error on SNS, then throws it for the Lambda to retry', async () => {
    // Version 3 was never registered: the registry cannot find it.
    await expect(handler(approvalEvent(3))).rejects.toThrow(/version 3 does not exist/);
    const [notice] = await notices();
    expect(notice).toMatchObject({ event: 'deployment.error', subject: 'yolops-staging: the deployer failed', body: { error: expect.stringMatching(/^ModelRegistryError: model yolops-yolo-models version 3 does not exist/) } });
  });
});

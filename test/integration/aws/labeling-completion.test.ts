import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { labelingJobLayout, LABEL_ATTRIBUTE_NAME } from '../../../src/core/labeling/layout.ts';
import { PREFIXES, resourceNames } from '../../../src/core/naming.ts';
import type { ObjectInfo } from '../../../src/core/storage/object-store.ts';
import { datasetVersionOfKey } from '../../../src/core/trigger/dataset-version.ts';
import { contentFingerprint } from '../../../src/core/trigger/fingerprint.ts';
import { matchUploadMarker, uploadMarkerSchema } from '../../../src/core/trigger/upload-marker.ts';
import type { LabelingCompletionOutcome } from '../../../src/labeling/process-event.ts';
import { startLabelingJobsProxy, type LabelingJobsProxy } from './labeling-jobs-proxy.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from './moto.ts';

/**
 * The labeling completion Lambda's handler (src/labeling/handler.ts, imported as Lambda loads it, its settings from
 * the environment) given the EventBridge event Ground Truth sends when a job ends (developer guide, "Monitor
 * Labeling Job Status": the job's ARN as the resource, LabelingJobStatus in the detail). S3, SNS and SQS are moto's:
 * the copies, the marker and the messages are real. moto has no labeling jobs, so DescribeLabelingJob is answered by
 * LabelingJobsProxy with the description each test scripts (the API's member names and types).
 */
const names = resourceNames({ project_name: 'yolops', aws_account_id: MOTO_ACCOUNT });
const BUCKET = names.trainingDataBucket;
const TOPIC = 'yolops-notifications';
const JOB = 'yolops-street-20260301T101500';
const layout = labelingJobLayout(JOB);
// A key with a space, a plus and an accent: CopyObject's CopySource must carry it URL-encoded.
const IMAGES = ['raw-images/street/a.jpg', 'raw-images/street/red car+1 é.jpg', 'raw-images/street/night/c.png'];

let moto: MotoServer;
let proxy: LabelingJobsProxy;
let s3: S3Client;
let sns: SNSClient;
let sqs: SQSClient;
let queueUrl = '';
let handler: (event: unknown) => Promise<LabelingCompletionOutcome>;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startLabelingJobsProxy(moto.endpoint, MOTO_ACCOUNT, MOTO_REGION);
  const config = { ...moto.clientConfig, maxAttempts: 1 };
  s3 = new S3Client(config);
  sns = new SNSClient(config);
  sqs = new SQSClient(config);
  Object.assign(process.env, {
    PROJECT_NAME: 'yolops',
    TRAINING_BUCKET: BUCKET,
    NOTIFICATIONS_TOPIC_ARN: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT}:${TOPIC}`,
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_REGION: MOTO_REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  ({ handler } = await import('../../../src/labeling/handler.ts'));
}, 90_000);
afterAll(async () => {
  for (const client of [s3, sns, sqs]) client?.destroy();
  await proxy?.close();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const topic = await sns.send(new CreateTopicCommand({ Name: TOPIC }));
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'notices' }))).QueueUrl ?? '';
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.['QueueArn'];
  await sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: queueArn }));
  for (const [index, key] of IMAGES.entries()) await put(key, Buffer.from(`image ${index} `.repeat(50 + index)));
});

async function put(key: string, body: string | Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

async function text(key: string): Promise<string> {
  return (await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body?.transformToString()) ?? '';
}

async function listed(prefix: string): Promise<ObjectInfo[]> {
  const answer = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (answer.Contents ?? []).map((o) => ({ key: o.Key ?? '', size: o.Size ?? 0, etag: (o.ETag ?? '').replace(/"/g, ''), lastModified: o.LastModified ?? new Date(0) }));
}

/** One line of a bounding-box output manifest as Ground Truth writes it (developer guide, "Bounding Box Job Output"). */
function outputLine(key: string, boxes: number): string {
  return JSON.stringify({
    'source-ref': `s3://${BUCKET}/${key}`,
    [LABEL_ATTRIBUTE_NAME]: {
      image_size: [{ width: 640, height: 480, depth: 3 }],
      annotations: Array.from({ length: boxes }, (_, i) => ({ class_id: i % 2, left: 10 + i * 50, top: 20, width: 40, height: 60 })),
    },
    [`${LABEL_ATTRIBUTE_NAME}-metadata`]: {
      objects: Array.from({ length: boxes }, () => ({ confidence: 0.93 })),
      'class-map': { '0': 'car', '1': 'person' },
      type: 'groundtruth/object-detection',
      'human-annotated': 'yes',
      'creation-date': '2026-03-01T11:02:13.527256',
      'job-name': `labeling-job/${JOB}`,
    },
  });
}

async function putOutputManifest(keys: readonly string[] = IMAGES, bucket: string = BUCKET): Promise<string> {
  const manifest = `${keys.map((k, i) => outputLine(k, i + 1).replace(`s3://${BUCKET}/`, `s3://${bucket}/`)).join('\n')}\n`;
  await put(layout.outputManifestKey, manifest);
  return manifest;
}

function describeAs(status: string, extra: Record<string, unknown> = {}, job = JOB): void {
  proxy.describeAs(job, {
    LabelingJobName: job,
    LabelingJobArn: `arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:labeling-job/${job}`,
    LabelingJobStatus: status,
    LabelCounters: { TotalLabeled: 3, HumanLabeled: 3, MachineLabeled: 0, FailedNonRetryableError: 0, Unlabeled: 0 },
    CreationTime: 1772359200,
    LastModifiedTime: 1772363000,
    JobReferenceCode: 'abc123',
    LabelAttributeName: LABEL_ATTRIBUTE_NAME,
    ...(status === 'Completed' ? { LabelingJobOutput: { OutputDatasetS3Uri: `s3://${BUCKET}/${layout.outputManifestKey}` } } : {}),
    ...extra,
  });
}

function event(status: string, job = JOB): unknown {
  return {
    version: '0',
    id: '111e1111-11d1-111f-b111-1111b11dcb11',
    'detail-type': 'SageMaker Ground Truth Labeling Job State Change',
    source: 'aws.sagemaker',
    account: MOTO_ACCOUNT,
    time: '2026-03-01T12:26:13Z',
    region: MOTO_REGION,
    resources: [`arn:aws:sagemaker:${MOTO_REGION}:${MOTO_ACCOUNT}:labeling-job/${job}`],
    detail: { LabelingJobStatus: status },
  };
}

interface Delivered {
  subject: string;
  event: string;
  body: Record<string, unknown>;
}

async function messages(): Promise<Delivered[]> {
  const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  return (answer.Messages ?? []).map((m) => {
    const envelope = JSON.parse(m.Body ?? '') as { Subject: string; Message: string; MessageAttributes: Record<string, { Value: string }> };
    return { subject: envelope.Subject, event: envelope.MessageAttributes['event']?.Value ?? '', body: JSON.parse(envelope.Message) as Record<string, unknown> };
  });
}

function fingerprint(objects: readonly ObjectInfo[]): string {
  // The trigger's own reading of a labeled-data/ key: the version is the job's folder.
  const lookup = datasetVersionOfKey(layout.versionManifestKey, [PREFIXES.labeledData]);
  if (lookup.kind !== 'version') throw new Error(`${layout.versionManifestKey} is not in a dataset version: ${JSON.stringify(lookup)}`);
  return contentFingerprint(lookup.ref, objects);
}

describe('labeling completion handler against moto S3 and SNS', () => {
  it('copies a completed job\'s output manifest and every labelled image into labeled-data/<job>/, then writes the upload marker last', async () => {
    const manifest = await putOutputManifest();
    describeAs('Completed');
    const outcome = await handler(event('Completed'));
    expect(outcome).toEqual({ kind: 'version-written', job: JOB, versionUri: `s3://${BUCKET}/labeled-data/${JOB}/`, images: 3, copied: 4 });

    expect(await text(layout.versionManifestKey)).toBe(manifest);
    for (const key of IMAGES) expect(await text(`labeled-data/${JOB}/images/${key}`)).toBe(await text(key));
    const objects = await listed(layout.versionRoot);
    expect(objects.map((o) => o.key).sort()).toEqual([...IMAGES.map((k) => `labeled-data/${JOB}/images/${k}`), layout.versionManifestKey, layout.versionMarkerKey].sort());
    const marker = uploadMarkerSchema.parse(JSON.parse(await text(layout.versionMarkerKey)));
    expect(marker.objects.map((o) => o.key).sort()).toEqual(['output.manifest', ...IMAGES.map((k) => `images/${k}`)].sort());
    expect(matchUploadMarker(marker, layout.versionRoot, objects)).toEqual({ complete: true });
    // The marker is the last write of the version: the trigger may start the moment it sees it.
    const writes = proxy.restCalls.filter((c) => c.startsWith(`PUT /${BUCKET}/labeled-data/`));
    expect(writes).toHaveLength(5);
    expect(writes.at(-1)).toBe(`PUT /${BUCKET}/${layout.versionMarkerKey}`);
    expect(proxy.targets.filter((t) => t === 'SageMaker.DescribeLabelingJob')).toHaveLength(1);

    const sent = await messages();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ event: 'labeling.completed', body: { labelingJob: JOB, versionUri: `s3://${BUCKET}/labeled-data/${JOB}/`, images: 3 } });
  });

  it('does nothing on a second delivery of the same event: same objects, same marker, same content fingerprint, no second message', async () => {
    await putOutputManifest();
    describeAs('Completed');
    await handler(event('Completed'));
    const first = await listed(layout.versionRoot);
    const firstMarker = await text(layout.versionMarkerKey);
    await messages();
    proxy.restCalls.length = 0;

    expect(await handler(event('Completed'))).toEqual({ kind: 'already-complete', job: JOB, versionUri: `s3://${BUCKET}/labeled-data/${JOB}/` });
    expect(proxy.restCalls.filter((c) => c.startsWith('PUT '))).toEqual([]);
    expect(await listed(layout.versionRoot)).toEqual(first);
    expect(await text(layout.versionMarkerKey)).toBe(firstMarker);
    expect(await messages()).toEqual([]);
  });

  it('copies only what is missing when a delivery died half way, and the trigger sees the same content as a whole first run', async () => {
    await putOutputManifest();
    describeAs('Completed');
    await handler(event('Completed'));
    const whole = fingerprint(await listed(layout.versionRoot));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `labeled-data/${JOB}/images/${IMAGES[1]}` }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: layout.versionMarkerKey }));

    expect(await handler(event('Completed'))).toMatchObject({ kind: 'version-written', images: 3, copied: 1 });
    const objects = await listed(layout.versionRoot);
    expect(fingerprint(objects)).toBe(whole);
    expect(matchUploadMarker(uploadMarkerSchema.parse(JSON.parse(await text(layout.versionMarkerKey))), layout.versionRoot, objects)).toEqual({ complete: true });
  });

  it.each([
    ['Failed', { FailureReason: 'ClientError: Access Denied when reading s3://.../input.manifest' }, 'labeling.failed'],
    ['Stopped', {}, 'labeling.stopped'],
  ])('reports a %s job and starts nothing', async (status, extra, eventName) => {
    describeAs(status, extra);
    expect(await handler(event(status))).toEqual({ kind: 'ended', job: JOB, status });
    expect(await listed('labeled-data/')).toEqual([]);
    const sent = await messages();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ event: eventName, body: { labelingJob: JOB, status, ...('FailureReason' in extra ? { failureReason: extra.FailureReason } : {}) } });
    expect(sent[0]?.subject).toContain('no training started');
  });

  it('ignores the jobs of other projects and states it does not handle, without describing them', async () => {
    expect(await handler(event('Completed', 'other-team-job-1'))).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('is not one of project yolops') });
    expect(await handler(event('InProgress'))).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('is InProgress') });
    expect(await handler({ source: 'aws.s3', detail: {} })).toMatchObject({ kind: 'ignored' });
    expect(proxy.targets.filter((t) => t.startsWith('SageMaker.'))).toEqual([]);
  });

  it('refuses, with a message and no marker, a manifest whose images are no longer there', async () => {
    await putOutputManifest();
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: IMAGES[2] }));
    describeAs('Completed');
    const outcome = await handler(event('Completed'));
    expect(outcome).toMatchObject({ kind: 'refused', reason: expect.stringContaining(`1 labelled images are no longer in s3://${BUCKET}/raw-images/ (e.g. ${IMAGES[2]})`) });
    expect(await listed('labeled-data/')).toEqual([]);
    expect((await messages())[0]).toMatchObject({ event: 'labeling.refused' });
  });

  it('refuses a manifest that labels images outside the training bucket\'s raw-images/', async () => {
    await putOutputManifest(IMAGES, 'someone-elses-bucket');
    describeAs('Completed');
    expect(await handler(event('Completed'))).toMatchObject({ kind: 'refused', reason: expect.stringContaining('line 1 of the output manifest labels s3://someone-elses-bucket/raw-images/street/a.jpg') });
    expect(await listed('labeled-data/')).toEqual([]);
  });

  it('refuses a job that completed with nothing labelled', async () => {
    await putOutputManifest();
    describeAs('Completed', { LabelCounters: { TotalLabeled: 0, HumanLabeled: 0, MachineLabeled: 0, FailedNonRetryableError: 3, Unlabeled: 0 } });
    expect(await handler(event('Completed'))).toMatchObject({ kind: 'refused', reason: expect.stringContaining('no image labelled (3 failed') });
  });

  it('reports and rethrows a failure a retry may get past (the job cannot be described), so Lambda retries it', async () => {
    await expect(handler(event('Completed'))).rejects.toThrow(`labeling job ${JOB} does not exist in ${MOTO_REGION}`);
    const sent = await messages();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ event: 'labeling.error', body: { labelingJob: JOB } });
    expect(await listed('labeled-data/')).toEqual([]);
  });
});

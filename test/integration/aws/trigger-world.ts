import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createS3Client, createSageMakerClient, createSnsClient, createSqsClient } from '../../../src/aws/clients.ts';
import { S3ObjectStore } from '../../../src/aws/s3-object-store.ts';
import { SageMakerPipelines } from '../../../src/aws/sagemaker-pipelines.ts';
import { synthesizeTrainingPipelineFromFiles } from '../../../src/core/pipeline/index.ts';
import { listAll, type ObjectInfo } from '../../../src/core/storage/object-store.ts';
import { processTriggerBatch, type BatchOutcome } from '../../../src/core/trigger/process-batch.ts';
import type { TriggerDeps } from '../../../src/core/trigger/process-version.ts';
import type { RecheckScheduler } from '../../../src/core/trigger/ports.ts';
import { recheckMessageBody } from '../../../src/core/trigger/trigger-messages.ts';
import { REPO_ROOT } from '../../../src/local/layout.ts';
import { createTriggerDeps } from '../../../src/trigger/dependencies.ts';
import type { TriggerEnvironment } from '../../../src/trigger/environment.ts';
import type { MotoServer } from './moto.ts';

export const BUCKET = 'yolops-training-data-123456789012';
export const PIPELINE = 'yolops-yolo-training-pipeline';
/** Short enough for tests; the tests that upload while the trigger drains use UPLOADING_QUIET_SECONDS. */
const QUIET_SECONDS = 4;
/**
 * For the tests whose upload runs while the trigger drains its queue: a pause that long mid-upload would count
 * as the end of the upload, so it is well above any stall of a busy 2-core machine.
 */
const UPLOADING_QUIET_SECONDS = 10;

export interface Notice {
  subject: string;
  event: string;
  body: Record<string, unknown>;
}

/**
 * Everything the trigger talks to, in moto: the training bucket, the pipeline (the real compiled definition),
 * the notifications topic with a queue subscribed to read what it sent, and the trigger's own delayed queue.
 * moto cannot deliver S3 events to EventBridge, so `sendEvents` builds each "Object Created" event from the
 * object's real metadata (a HEAD in moto) and puts it on the queue, as the EventBridge rule's SQS target does.
 */
export class TriggerWorld {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly sns: SNSClient;
  readonly store: S3ObjectStore;
  readonly pipelines: SageMakerPipelines;
  environment!: TriggerEnvironment;
  private transport!: EventTransport;
  deps!: TriggerDeps;
  noticesQueueUrl = '';
  /** Objects under the version at the moment each start was asked for: proves no start saw a partial upload. */
  readonly startsSaw: { inputDataUri: string; objects: number }[] = [];
  readonly logs: { level: string; message: string; fields?: Record<string, unknown> }[] = [];

  readonly moto: MotoServer;

  constructor(moto: MotoServer) {
    this.moto = moto;
    this.s3 = createS3Client(moto.clientConfig);
    this.sqs = createSqsClient(moto.clientConfig);
    this.sns = createSnsClient(moto.clientConfig);
    this.store = new S3ObjectStore(this.s3);
    this.pipelines = new SageMakerPipelines(createSageMakerClient(moto.clientConfig));
  }

  /** `in-process`: events (and rechecks) wait in an InProcessQueue instead of moto's SQS queue. */
  async setUp(options: { transport?: 'moto' | 'in-process' } = {}): Promise<void> {
    const quietSeconds = options.transport === 'in-process' ? UPLOADING_QUIET_SECONDS : QUIET_SECONDS;
    await this.moto.reset();
    await this.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await this.pipelines.upsert({ pipelineName: PIPELINE, definition: synthesizeTrainingPipelineFromFiles({ root: REPO_ROOT }).json, roleArn: 'arn:aws:iam::123456789012:role/yolops-pipeline-role' });
    const topic = await this.sns.send(new CreateTopicCommand({ Name: 'yolops-notifications' }));
    const notices = await this.sqs.send(new CreateQueueCommand({ QueueName: 'notices' }));
    this.noticesQueueUrl = notices.QueueUrl ?? '';
    const noticesArn = (await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.noticesQueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.['QueueArn'];
    await this.sns.send(new SubscribeCommand({ TopicArn: topic.TopicArn, Protocol: 'sqs', Endpoint: noticesArn }));
    // As deployed: every message waits the quiet period; a failed one comes back after the visibility timeout.
    const queue = await this.sqs.send(new CreateQueueCommand({ QueueName: 'trigger-events', Attributes: { DelaySeconds: String(quietSeconds), VisibilityTimeout: '2' } }));
    this.environment = {
      trainingBucket: BUCKET,
      pipelineName: PIPELINE,
      configKey: 'config/training-config.json',
      notificationsTopicArn: topic.TopicArn ?? '',
      queueUrl: queue.QueueUrl ?? '',
      quietPeriodSeconds: quietSeconds,
      claimStaleSeconds: 600,
      validationConcurrency: 32,
    };
    const record = (level: string) => (message: string, fields?: Record<string, unknown>) => void this.logs.push({ level, message, ...(fields ? { fields } : {}) });
    this.deps = createTriggerDeps(this.environment, { info: record('info'), warn: record('warn'), error: record('error') }, this.moto.clientConfig);
    if (options.transport === 'in-process') {
      const queue = new InProcessQueue(quietSeconds * 1000, 2_000);
      this.transport = queue;
      this.deps.rechecks = queue;
    } else {
      this.transport = new MotoSqsTransport(this.sqs, this.environment.queueUrl);
    }
    const realStart = this.deps.starter.startExecution.bind(this.deps.starter);
    this.deps.starter = {
      startExecution: async (request) => {
        const uri = request.parameters['InputDataUri'] ?? '';
        this.startsSaw.push({ inputDataUri: uri, objects: (await listAll(this.store, BUCKET, uri.slice(`s3://${BUCKET}/`.length))).length });
        return realStart(request);
      },
    };
    this.startsSaw.length = 0;
    this.logs.length = 0;
  }

  /** The "Object Created" events of these keys, built from each object's metadata as S3 reports it. */
  async sendEvents(keys: readonly string[], bucket = BUCKET): Promise<void> {
    const infos: ObjectInfo[] = [];
    for (const key of keys) infos.push(bucket === BUCKET ? await this.store.head(bucket, key) : { key, size: 1, etag: 'x', lastModified: new Date() });
    await this.transport.send(infos.map((info) => objectCreatedEvent(bucket, info)));
  }

  /** Events for objects this test just put, from what the put answered (no HEAD): size, ETag, time. */
  async sendObjectEvents(infos: readonly ObjectInfo[]): Promise<void> {
    await this.transport.send(infos.map((info) => objectCreatedEvent(BUCKET, info)));
  }

  async sendRaw(body: string): Promise<void> {
    await this.transport.send([body]);
  }

  /**
   * Plays Lambda's SQS event source: receives batches (up to 100 messages), hands them to the trigger, deletes
   * what it did not report failed, and stops once the queue holds nothing, delayed or in flight. Messages that
   * keep failing are left in the queue after `maxReceives` (the dead-letter queue's job on AWS).
   */
  async drain(options: { timeoutMs?: number; maxReceives?: number; while?: () => boolean } = {}): Promise<BatchOutcome[]> {
    const outcomes: BatchOutcome[] = [];
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    const receives = new Map<string, number>();
    for (;;) {
      const batch: Received[] = [];
      for (;;) {
        const messages = await this.transport.receive(100 - batch.length, batch.length === 0 ? 1 : 0);
        batch.push(...messages);
        if (messages.length === 0 || batch.length >= 100) break;
      }
      if (batch.length > 0) {
        const outcome = await processTriggerBatch(batch, this.deps, randomUUID());
        outcomes.push(outcome);
        const failed = new Set(outcome.failedMessageIds);
        const done = batch.filter((m) => !failed.has(m.messageId) || (receives.set(m.messageId, (receives.get(m.messageId) ?? 0) + 1).get(m.messageId) ?? 0) >= (options.maxReceives ?? 3));
        await this.transport.delete(done);
        continue;
      }
      const pending = await this.transport.pending();
      if (pending === 0 && !(options.while?.() ?? false)) return outcomes;
      if (Date.now() > deadline) throw new Error(`the trigger queue still holds ${pending} messages after ${options.timeoutMs ?? 60_000} ms`);
      // moto answers a long poll at once when the only messages are delayed ones: pace the loop ourselves.
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async executions(): Promise<{ arn: string; displayName?: string }[]> {
    return (await this.pipelines.listExecutions(PIPELINE)).map((e) => ({ arn: e.executionArn, ...(e.displayName === undefined ? {} : { displayName: e.displayName }) }));
  }

  /** Every message the trigger published since the last call. */
  async notices(): Promise<Notice[]> {
    const notices: Notice[] = [];
    for (;;) {
      const answer = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.noticesQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = answer.Messages ?? [];
      if (messages.length === 0) return notices;
      for (const m of messages) {
        const envelope = JSON.parse(m.Body ?? '{}') as { Subject?: string; Message: string; MessageAttributes?: Record<string, { Value: string }> };
        notices.push({ subject: envelope.Subject ?? '', event: envelope.MessageAttributes?.['event']?.Value ?? '', body: JSON.parse(envelope.Message) as Record<string, unknown> });
      }
      await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.noticesQueueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })) }));
    }
  }

  async putRaw(key: string, body: Uint8Array | string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }
}

/** One received message, and how to delete it. */
interface Received {
  messageId: string;
  body: string;
  receipt: string;
}

/** Where the test's S3 events wait before the trigger takes them: the moto SQS queue, or an in-process one. */
interface EventTransport {
  send(bodies: readonly string[]): Promise<void>;
  receive(max: number, waitSeconds: number): Promise<Received[]>;
  delete(messages: readonly Received[]): Promise<void>;
  /** Messages waiting, delayed or in flight. */
  pending(): Promise<number>;
}

class MotoSqsTransport implements EventTransport {
  private readonly sqs: SQSClient;
  private readonly queueUrl: string;

  constructor(sqs: SQSClient, queueUrl: string) {
    this.sqs = sqs;
    this.queueUrl = queueUrl;
  }

  async send(bodies: readonly string[]): Promise<void> {
    for (let i = 0; i < bodies.length; i += 10) {
      await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: bodies.slice(i, i + 10).map((body) => ({ Id: randomUUID(), MessageBody: body })) }));
    }
  }

  async receive(max: number, waitSeconds: number): Promise<Received[]> {
    const answer = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: Math.min(10, max), WaitTimeSeconds: waitSeconds }));
    return (answer.Messages ?? []).map((m) => ({ messageId: m.MessageId ?? '', body: m.Body ?? '', receipt: m.ReceiptHandle ?? '' }));
  }

  async delete(messages: readonly Received[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      await this.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: messages.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.receipt })) }));
    }
  }

  async pending(): Promise<number> {
    const attributes = (await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes ?? {};
    return Number(attributes['ApproximateNumberOfMessages'] ?? 0) + Number(attributes['ApproximateNumberOfMessagesDelayed'] ?? 0) + Number(attributes['ApproximateNumberOfMessagesNotVisible'] ?? 0);
  }
}

/**
 * A queue with SQS's delay and visibility timeout, in this process. moto's SQS spends time in proportion to the
 * queue's depth on every call (measured here: about 230 ms per SendMessageBatch and 1.25 s per ReceiveMessage
 * with 1,000 messages queued), so the 1,000-event tests carry their events here; the SQS adapter and the
 * recheck messages go through moto's SQS in the other tests.
 */
export class InProcessQueue implements EventTransport, RecheckScheduler {
  private readonly messages: { id: string; body: string; visibleAt: number }[] = [];

  private readonly delayMs: number;
  private readonly visibilityMs: number;

  constructor(delayMs: number, visibilityMs: number) {
    this.delayMs = delayMs;
    this.visibilityMs = visibilityMs;
  }

  async send(bodies: readonly string[], delayMs = this.delayMs): Promise<void> {
    for (const body of bodies) this.messages.push({ id: randomUUID(), body, visibleAt: Date.now() + delayMs });
  }

  async schedule(recheck: { bucket: string; versionRoot: string }, delaySeconds: number): Promise<void> {
    await this.send([recheckMessageBody(recheck.bucket, recheck.versionRoot)], delaySeconds * 1000);
  }

  async receive(max: number): Promise<Received[]> {
    const now = Date.now();
    const out: Received[] = [];
    for (const m of this.messages) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      m.visibleAt = now + this.visibilityMs;
      out.push({ messageId: m.id, body: m.body, receipt: m.id });
    }
    return out;
  }

  async delete(messages: readonly Received[]): Promise<void> {
    const gone = new Set(messages.map((m) => m.receipt));
    for (let i = this.messages.length - 1; i >= 0; i -= 1) if (gone.has(this.messages[i]?.id ?? '')) this.messages.splice(i, 1);
  }

  async pending(): Promise<number> {
    return this.messages.length;
  }
}

/** An S3 "Object Created" event as EventBridge delivers it to an SQS target (the whole event is the body). */
export function objectCreatedEvent(bucket: string, info: ObjectInfo): string {
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time: info.lastModified.toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: { version: '0', bucket: { name: bucket }, object: { key: info.key, size: info.size, etag: info.etag, sequencer: '0' }, reason: 'PutObject' },
  });
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i -= 1) {
    state = (state * 1664525 + 1013904223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

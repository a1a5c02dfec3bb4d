import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsNotifier, SnsPublishError } from '../../../src/aws/sns-notifier.ts';
import { summaryLine, type PipelineNotification } from '../../../src/core/notify/pipeline-notification.ts';
import { MOTO_ACCOUNT, MOTO_REGION, startMoto, type MotoServer } from './moto.ts';

let moto: MotoServer;
let sns: SNSClient;
let sqs: SQSClient;
let notifier: SnsNotifier;
let queueUrl: string;

beforeAll(async () => {
  moto = await startMoto();
  sns = new SNSClient({ ...moto.clientConfig, maxAttempts: 1 });
  sqs = new SQSClient({ ...moto.clientConfig, maxAttempts: 1 });
});
afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'yolops-pipeline-notifications' }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'notifications-inbox' }));
  queueUrl = queue.QueueUrl ?? '';
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  // Not raw delivery: the queue gets SNS's envelope, which carries the subject and the attributes as sent.
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: attributes.Attributes?.['QueueArn'] }));
  notifier = new SnsNotifier(sns, TopicArn ?? '');
});

interface Envelope {
  Type: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/** The one message the queue got, as SNS delivered it. */
async function delivered(): Promise<Envelope> {
  const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  expect(answer.Messages).toHaveLength(1);
  return JSON.parse(answer.Messages?.[0]?.Body ?? '') as Envelope;
}

const failed: PipelineNotification = {
  event: 'pipeline.failed',
  executionId: 'k3x9q2m1v8ab',
  pipelineName: 'yolops-yolo-training-pipeline',
  status: 'Failed',
  failedStep: 'QualityGateFailed',
  failureReason: 'Quality gate failed: mAP50-95 is 0.1, below QualityThreshold 0.5',
  startedAt: '2026-11-23T10:00:00.000Z',
  endedAt: '2026-11-23T10:31:00.000Z',
  durationSeconds: 1860,
  decisions: [{ step: 'QualityGate', outcome: false, conditions: [{ type: 'GreaterThanOrEqualTo', outcome: false, left: 0.1, right: 0.5 }], branchSteps: ['QualityGateFailed'] }],
};

describe('SnsNotifier against moto SNS, delivered to an SQS queue', () => {
  it('sends a notification: the summary line as subject (cut to 100 ASCII characters), the JSON, the event attribute', async () => {
    expect(await notifier.send(failed)).toMatch(/^message [0-9a-f-]{36}$/);
    const message = await delivered();
    expect(message).toMatchObject({ Type: 'Notification', TopicArn: `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT}:yolops-pipeline-notifications` });
    const line = summaryLine(failed);
    expect(line.length).toBeGreaterThan(100);
    expect(message.Subject).toBe(`${line.slice(0, 97).trimEnd()}...`);
    expect(message.Subject).toHaveLength(100);
    expect(JSON.parse(message.Message)).toEqual(failed);
    expect(message.MessageAttributes).toEqual({ event: { Type: 'String', Value: 'pipeline.failed' } });
  });

  it('publishes the trigger\'s messages with a clean subject, pretty JSON and the given attributes', async () => {
    await notifier.publish({ subject: 'Dataset v2 rejected:\n3 problèmes', body: { problems: ['a', 'b', 'c'] }, attributes: { event: 'dataset.invalid', dataset: 'v2' } });
    const message = await delivered();
    expect(message.Subject).toBe('Dataset v2 rejected: 3 problemes');
    expect(message.Message).toBe(JSON.stringify({ problems: ['a', 'b', 'c'] }, null, 2));
    expect(message.MessageAttributes).toEqual({ event: { Type: 'String', Value: 'dataset.invalid' }, dataset: { Type: 'String', Value: 'v2' } });
  });

  it('keeps a message over 256 KiB under the limit by cutting its lists, and says so inside it', async () => {
    const problems = Array.from({ length: 20_000 }, (_, i) => `images/train/img-${i}.jpg: label file missing`);
    await notifier.publish({ subject: 'Dataset v3 rejected', body: { dataset: 'v3', problems }, attributes: { event: 'dataset.invalid' } });
    const message = await delivered();
    expect(Buffer.byteLength(message.Message)).toBeLessThanOrEqual(262_144);
    const body = JSON.parse(message.Message) as { dataset: string; problems: string[]; truncated: { reason: string; lists: string[] } };
    expect(body.dataset).toBe('v3');
    expect(body.problems).toEqual(problems.slice(0, 100));
    expect(body.truncated).toEqual({ reason: expect.stringMatching(/^the message was \d+ bytes, over the \d+ bytes SNS takes; parts were left out$/), lists: ['$.problems: 100 of 20000 items kept'] });
  });

  it('names a missing topic and how to create it', async () => {
    const missing = new SnsNotifier(sns, `arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT}:not-deployed`);
    const error = await missing.send(failed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnsPublishError);
    expect(error).toMatchObject({ audience: 'user', message: `SNS topic arn:aws:sns:${MOTO_REGION}:${MOTO_ACCOUNT}:not-deployed does not exist in ${MOTO_REGION}: deploy it first with npx cdk deploy --all` });
  });
});

import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RecheckScheduler } from '../core/trigger/ports.ts';
import { recheckMessageBody } from '../core/trigger/trigger-messages.ts';

/** Schedules a recheck as a delayed message on the trigger's own queue (SQS holds it for up to 900 s). */
export class SqsRecheckScheduler implements RecheckScheduler {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(client: SQSClient, queueUrl: string) {
    this.client = client;
    this.queueUrl = queueUrl;
  }

  async schedule(recheck: { bucket: string; versionRoot: string }, delaySeconds: number): Promise<void> {
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > 900) throw new RangeError(`delaySeconds must be a whole number from 0 to 900, got ${delaySeconds}`);
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: recheckMessageBody(recheck.bucket, recheck.versionRoot), DelaySeconds: delaySeconds }));
  }
}

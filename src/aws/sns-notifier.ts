import { PublishCommand, type MessageAttributeValue, type SNSClient } from '@aws-sdk/client-sns';
import type { NotificationChannel } from '../core/notify/notification-channel.ts';
import { summaryLine, type PipelineNotification } from '../core/notify/pipeline-notification.ts';
import type { MessagePublisher, PublishedMessage } from '../core/trigger/ports.ts';
import { AwsError } from './errors.ts';
import { clientRegion, describeFailure, serviceErrorInfo } from './sdk-errors.ts';
import { fitJson, MAX_MESSAGE_BYTES, snsSubject } from './sns-message.ts';

/** Publishing to the SNS topic failed; `user` when the topic is missing or the caller may not publish to it. */
export class SnsPublishError extends AwsError {}

/** Bytes kept free of the 256 KiB for what SNS counts besides body and attributes. */
const SAFETY_MARGIN_BYTES = 1024;

/**
 * Publishes to one SNS topic: pipeline notifications (a NotificationChannel, like the local console and
 * webhook channels) and the trigger's messages (MessagePublisher). Every message has a plain-ASCII subject of
 * at most 100 characters, a JSON body within SNS's 256 KiB (long lists are cut, and the body says so), and
 * String message attributes subscribers can filter on (`event` for notifications).
 */
export class SnsNotifier implements NotificationChannel, MessagePublisher {
  readonly name = 'sns';
  readonly topicArn: string;
  private readonly client: SNSClient;

  constructor(client: SNSClient, topicArn: string) {
    this.client = client;
    this.topicArn = topicArn;
  }

  async send(notification: PipelineNotification): Promise<string | undefined> {
    const messageId = await this.publishMessage({ subject: summaryLine(notification), body: notification, attributes: { event: notification.event } });
    return `message ${messageId}`;
  }

  async publish(message: PublishedMessage): Promise<void> {
    await this.publishMessage(message);
  }

  private async publishMessage(message: PublishedMessage): Promise<string | undefined> {
    const attributes: Record<string, MessageAttributeValue> = {};
    let attributeBytes = 0;
    for (const [name, value] of Object.entries(message.attributes ?? {})) {
      // SNS refuses an attribute without a value; an empty one could not be filtered on anyway.
      if (value === '') throw new SnsPublishError(`message attribute ${JSON.stringify(name)} is empty; SNS needs a value`);
      attributes[name] = { DataType: 'String', StringValue: value };
      attributeBytes += Buffer.byteLength(name) + Buffer.byteLength('String') + Buffer.byteLength(value);
    }
    const subject = snsSubject(message.subject);
    const body = fitJson(message.body, MAX_MESSAGE_BYTES - attributeBytes - Buffer.byteLength(subject) - SAFETY_MARGIN_BYTES);
    try {
      const answer = await this.client.send(
        new PublishCommand({ TopicArn: this.topicArn, Subject: subject, Message: body.text, ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}) }),
      );
      return answer.MessageId;
    } catch (error) {
      throw await this.publishError(error);
    }
  }

  private async publishError(error: unknown): Promise<SnsPublishError> {
    const info = serviceErrorInfo(error);
    const region = await clientRegion(this.client);
    if (info?.name === 'NotFoundException' || info?.name === 'NotFound') {
      return new SnsPublishError(`SNS topic ${this.topicArn} does not exist in ${region}: deploy it first with npx cdk deploy --all`, { cause: error, audience: 'user' });
    }
    if (info?.name === 'AuthorizationErrorException') {
      return new SnsPublishError(`not allowed to publish to SNS topic ${this.topicArn} (${info.message}): the caller's role needs sns:Publish on it`, { cause: error, audience: 'user' });
    }
    return new SnsPublishError(`publishing to SNS topic ${this.topicArn} failed: ${describeFailure(error)}`, { cause: error });
  }
}

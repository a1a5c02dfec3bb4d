import { Duration, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { EnvironmentPolicy } from '../environment.ts';

/** The AWS services that publish to the topic: EventBridge rules (pipeline status) and CloudWatch alarms. */
const PUBLISHING_SERVICES = ['events.amazonaws.com', 'cloudwatch.amazonaws.com'] as const;

export interface NotificationsTopicProps {
  readonly topicName: string;
  readonly keyAlias: string;
  readonly environment: EnvironmentPolicy;
  /**
   * Email address subscribed to the topic (the recipient confirms the subscription once).
   * @default - no subscription
   */
  readonly email?: string;
}

/**
 * The SNS topic every yolops notification goes to, encrypted with a customer managed key: the AWS managed
 * `alias/aws/sns` key cannot be used by EventBridge or CloudWatch, which publish here. Other stacks import it by
 * ARN (`Topic.fromTopicArn`) so that their rule and alarm targets leave this topic policy exactly as written here.
 */
export class NotificationsTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: NotificationsTopicProps) {
    super(scope, id);
    const account = Stack.of(this).account;
    this.key = new Key(this, 'Key', {
      alias: props.keyAlias,
      description: `Encrypts the messages of the ${props.topicName} SNS topic`,
      enableKeyRotation: true,
      removalPolicy: props.environment.removalPolicy,
      pendingWindow: Duration.days(7),
    });
    this.topic = new Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: 'yolops training notifications',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const service of PUBLISHING_SERVICES) {
      const principal = new ServicePrincipal(service);
      // SNS asks KMS for a data key on the publisher's behalf, so the publishing service needs the key.
      this.key.addToResourcePolicy(new PolicyStatement({ principals: [principal], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'] }));
      // Only this account's rules and alarms may publish (confused-deputy protection).
      this.topic.addToResourcePolicy(
        new PolicyStatement({
          principals: [principal],
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
          conditions: { StringEquals: { 'aws:SourceAccount': account } },
        }),
      );
    }
    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));
  }
}

import type { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';

/**
 * What a function needs to publish to the notifications topic from another stack: sns:Publish on the topic, and
 * the topic's KMS key, which lives in the shared stack and is known here only by its alias (SNS asks for a data
 * key on the publisher's behalf). `anyKey` is the key pattern the grant names, and `why` the reason cdk-nag is
 * given for it.
 */
export function notificationPublishing(stack: Stack, topic: ITopic, keyAlias: string): { statements: PolicyStatement[]; anyKey: string; why: string } {
  const anyKey = stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
  return {
    anyKey,
    why: `The notifications key is in the shared stack and its id is not known here; the grant holds only for the key with the alias ${keyAlias}, used through SNS.`,
    statements: [
      new PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: [topic.topicArn] }),
      new PolicyStatement({
        sid: 'EncryptNotifications',
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: [anyKey],
        conditions: {
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': keyAlias },
          StringEquals: { 'kms:ViaService': `sns.${stack.region}.${stack.urlSuffix}` },
        },
      }),
    ],
  };
}

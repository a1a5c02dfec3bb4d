import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EnvironmentPolicy } from '../environment.ts';

/**
 * The dead-letter queue of a yolops Lambda (the training trigger, the deployer): events it could not handle wait
 * here two weeks, encrypted, reachable over TLS only, for a person to read and replay.
 */
export function deadLetterQueue(scope: Construct, queueName: string, environment: EnvironmentPolicy): Queue {
  return new Queue(scope, 'DeadLetterQueue', {
    queueName,
    retentionPeriod: Duration.days(14),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    removalPolicy: environment.removalPolicy,
  });
}

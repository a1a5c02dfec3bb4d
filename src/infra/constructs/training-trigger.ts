import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { LAMBDA_BUNDLING } from './lambda-bundling.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import { PREFIXES } from '../../core/naming.ts';

/** The handler source, bundled with esbuild at synth time (no Docker). */
export const TRIGGER_HANDLER_ENTRY = fileURLToPath(new URL('../../trigger/handler.ts', import.meta.url));

/** Messages of one batch; the handler lists each dataset version once per batch, so big batches are cheap. */
const BATCH_SIZE = 1000;
/** Deliveries of one message before it goes to the dead-letter queue. */
const MAX_RECEIVE_COUNT = 5;

export interface TrainingTriggerProps {
  readonly functionName: string;
  readonly logGroupName: string;
  readonly role: IRole;
  readonly trainingDataBucket: IBucket;
  readonly pipelineName: string;
  readonly notificationsTopic: ITopic;
  readonly environment: EnvironmentPolicy;
  readonly datasetUploadRuleName: string;
  readonly sampleDatasetRuleName: string;
  /** The rule for labelled exports under labeled-data/ (converted by the pipeline's Preprocess step). */
  readonly labeledDataUploadRuleName: string;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  /** No object of a marker-less upload may have arrived for this long; also every event's delay on the queue. */
  readonly quietPeriod: Duration;
  /**
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
}

/**
 * Dataset uploads in, training executions out: EventBridge rules put every S3 "Object Created" event under the
 * dataset prefixes and labeled-data/ (one rule per prefix, so each rule's failed deliveries are its own metric) on a queue that holds each message for the quiet period; the trigger Lambda reads the queue
 * in batches, decides per dataset version (src/core/trigger), and reports failed messages back to the queue,
 * which moves a message that keeps failing to a dead-letter queue.
 */
export class TrainingTrigger extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly rules: readonly Rule[];
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: TrainingTriggerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(5);
    this.deadLetterQueue = deadLetterQueue(this, props.deadLetterQueueName, props.environment);
    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      deliveryDelay: props.quietPeriod,
      // AWS's advice for Lambda event sources: six times the function timeout, so a slow batch is not redelivered mid-way.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: MAX_RECEIVE_COUNT },
      removalPolicy: props.environment.removalPolicy,
    });

    // Named as the role's log permissions expect (the role lives in another stack and cannot reference this one).
    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName,
      retention: props.environment.logRetention,
      removalPolicy: props.environment.removalPolicy,
    });
    this.function = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: 'yolops S3 training trigger: validates complete dataset uploads (or tells a labelled export\'s format) and starts one training per content',
      entry: TRIGGER_HANDLER_ENTRY,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // Lambda's CPU grows with memory; 1,769 MB is one full vCPU. Validating a large dataset is bound by the
      // SDK's CPU per request (about 1.5-2.5 ms for a small GET, bench/s3-validation.ts), not by S3.
      memorySize: 1769,
      timeout,
      role: props.role,
      logGroup: this.logGroup,
      environment: {
        TRAINING_BUCKET: props.trainingDataBucket.bucketName,
        TRAINING_CONFIG_KEY: PREFIXES.trainingConfigKey,
        PIPELINE_NAME: props.pipelineName,
        NOTIFICATIONS_TOPIC_ARN: props.notificationsTopic.topicArn,
        TRIGGER_QUEUE_URL: this.queue.queueUrl,
        QUIET_PERIOD_SECONDS: String(props.quietPeriod.toSeconds()),
        // A claim without an outcome after two timeouts has lost its invocation: another may resume it.
        CLAIM_STALE_SECONDS: String(timeout.toSeconds() * 2),
        VALIDATION_CONCURRENCY: '32',
        POWERTOOLS_SERVICE_NAME: 'yolops-trigger',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      bundling: LAMBDA_BUNDLING,
    });
    // The role is imported immutable: the permissions this would add live in TriggerRole (SharedResourcesStack).
    this.function.addEventSource(new SqsEventSource(this.queue, { batchSize: BATCH_SIZE, maxBatchingWindow: Duration.seconds(10), reportBatchItemFailures: true }));

    const rule = (ruleId: string, ruleName: string, prefix: string) => {
      const r = new Rule(this, ruleId, {
        ruleName,
        description: `Queues S3 uploads under s3://${props.trainingDataBucket.bucketName}/${prefix} for the training trigger`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [props.trainingDataBucket.bucketName] }, object: { key: [{ prefix }] } },
        },
      });
      r.addTarget(new SqsQueue(this.queue, { retryAttempts: 8, maxEventAge: Duration.hours(2) }));
      return r;
    };
    this.rules = [
      rule('DatasetUploadRule', props.datasetUploadRuleName, PREFIXES.splitDataset),
      rule('SampleDatasetRule', props.sampleDatasetRuleName, PREFIXES.sampleDataset),
      rule('LabeledDataUploadRule', props.labeledDataUploadRuleName, PREFIXES.labeledData),
    ];
  }
}

import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createS3Client, createSageMakerClient, createSnsClient, createSqsClient } from '../aws/clients.ts';
import { S3ObjectStore } from '../aws/s3-object-store.ts';
import { S3UploadsInProgress } from '../aws/s3-uploads-in-progress.ts';
import { SageMakerPipelines } from '../aws/sagemaker-pipelines.ts';
import { SnsNotifier } from '../aws/sns-notifier.ts';
import { SqsRecheckScheduler } from '../aws/sqs-recheck-scheduler.ts';
import { trainingConfigParameters } from '../core/pipeline/index.ts';
import { processTriggerBatch } from '../core/trigger/process-batch.ts';
import type { TriggerDeps } from '../core/trigger/process-version.ts';
import { readTriggerEnvironment } from './environment.ts';

// Init: a missing or malformed setting fails here, before any message is taken from the queue.
const environment = readTriggerEnvironment(process.env);
const logger = new Logger();
const s3 = createS3Client();

const deps: TriggerDeps = {
  store: new S3ObjectStore(s3),
  uploads: new S3UploadsInProgress(s3),
  starter: new SageMakerPipelines(createSageMakerClient()),
  publisher: new SnsNotifier(createSnsClient(), environment.notificationsTopicArn),
  rechecks: new SqsRecheckScheduler(createSqsClient(), environment.queueUrl),
  settings: {
    trainingBucket: environment.trainingBucket,
    pipelineName: environment.pipelineName,
    quietPeriodMs: environment.quietPeriodSeconds * 1000,
    configKey: environment.configKey,
    claimStaleMs: environment.claimStaleSeconds * 1000,
    validationConcurrency: environment.validationConcurrency,
  },
  configParameters: trainingConfigParameters,
  log: {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  },
  now: () => new Date(),
};

/**
 * The S3 training trigger: SQS delivers S3 "Object Created" events (through EventBridge, after the quiet period)
 * and the trigger's own rechecks; src/core/trigger decides. Failed messages are reported to SQS one by one
 * (ReportBatchItemFailures), so the rest of the batch is not delivered again.
 */
export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  const claimant = context?.awsRequestId ?? randomUUID();
  logger.appendKeys({ requestId: claimant });
  const outcome = await processTriggerBatch(event.Records.map((r) => ({ messageId: r.messageId, body: r.body })), deps, claimant);
  logger.info('batch handled', { messages: event.Records.length, versions: outcome.versions.length, ignored: outcome.ignored.length, failed: outcome.failedMessageIds.length });
  return { batchItemFailures: outcome.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
}

import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processTriggerBatch } from '../core/trigger/process-batch.ts';
import { createTriggerDeps } from './dependencies.ts';
import { readTriggerEnvironment } from './environment.ts';

// Init: a missing or malformed setting fails here, before any message is taken from the queue.
const environment = readTriggerEnvironment(process.env);
const logger = new Logger();
const deps = createTriggerDeps(
  environment,
  {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  },
  // AWS_ENDPOINT_URL is the SDK's own setting for another endpoint (moto, LocalStack); S3 then needs path-style
  // addresses. Unset on Lambda.
  process.env['AWS_ENDPOINT_URL'] === undefined ? {} : { endpoint: process.env['AWS_ENDPOINT_URL'] },
);

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

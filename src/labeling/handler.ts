import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createLabelingCompletionDeps } from './dependencies.ts';
import { readLabelingCompletionEnvironment } from './environment.ts';
import { processLabelingEvent, type LabelingCompletionOutcome } from './process-event.ts';

// Init: a missing or malformed setting fails here, before any event is handled.
const environment = readLabelingCompletionEnvironment(process.env);
const logger = new Logger();
const deps = createLabelingCompletionDeps(
  environment,
  {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  },
  // AWS_ENDPOINT_URL is the SDK's own setting for another endpoint (moto in the tests). Unset on Lambda.
  process.env['AWS_ENDPOINT_URL'] === undefined ? {} : { endpoint: process.env['AWS_ENDPOINT_URL'] },
);

/**
 * The labeling completion: EventBridge sends it this project's Ground Truth jobs that completed, failed or were
 * stopped; src/labeling/process-event.ts turns a completed job into a labelled-data version.
 */
export async function handler(event: unknown, context?: Context): Promise<LabelingCompletionOutcome> {
  if (context?.awsRequestId) logger.appendKeys({ requestId: context.awsRequestId });
  const outcome = await processLabelingEvent(event, deps);
  logger.info('event handled', { outcome });
  return outcome;
}

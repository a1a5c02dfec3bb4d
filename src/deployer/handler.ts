import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createDeployerDeps } from './dependencies.ts';
import { readDeployerEnvironment } from './environment.ts';
import { processDeployerEvent, type DeployerOutcome } from './process-event.ts';

// Init: a missing or malformed setting fails here, before any event is handled.
const environment = readDeployerEnvironment(process.env);
const logger = new Logger();
const deps = createDeployerDeps(
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
 * The deployer: EventBridge sends it our group's approvals (deploy to staging) and the staging endpoint's state
 * changes (smoke-test it once InService, report a failure). src/deployer/process-event.ts decides.
 */
export async function handler(event: unknown, context?: Context): Promise<DeployerOutcome> {
  if (context?.awsRequestId) logger.appendKeys({ requestId: context.awsRequestId });
  const outcome = await processDeployerEvent(event, deps);
  logger.info('event handled', { outcome });
  return outcome;
}

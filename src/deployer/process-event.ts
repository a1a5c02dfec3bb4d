import type { DeploymentStart } from '../aws/deployment/sagemaker-deployments.ts';
import type { CleanupResult } from '../aws/deployment/deployment-cleanup.ts';
import { deploymentRefusal } from '../core/deploy/deployability.ts';
import type { ServingConfigSource } from '../core/deploy/serving-config-source.ts';
import type { SmokeVerdict } from '../core/deploy/smoke-check.ts';
import { endpointStatusOf, type StageState } from '../core/deploy/stage-state.ts';
import { isUserError } from '../core/errors.ts';
import type { ModelRegistry } from '../core/registry/model-registry.ts';
import type { ServingConfig } from '../core/config/training-config.ts';
import type { ModelVersionRecord } from '../core/registry/model-version.ts';
import type { MessagePublisher } from '../core/trigger/ports.ts';
import type { DeployerEnvironment } from './environment.ts';
import { parseDeployerEvent, type DeployerEvent } from './events.ts';
import { errorMessage, failedMessage, refusedMessage, smokeFailedMessage, startedMessage, succeededMessage } from './messages.ts';

/** What the deployer needs of SageMaker (src/aws/deployment's SageMakerDeployments), for staging. */
export interface StagingDeployments {
  describeStage(stage: 'staging'): Promise<StageState>;
  deployVersion(stage: 'staging', record: ModelVersionRecord, serving: ServingConfig, options: { at: Date }): Promise<DeploymentStart>;
  smokeTest(stage: 'staging'): Promise<SmokeVerdict>;
  cleanUp(stage: 'staging'): Promise<CleanupResult>;
}

export interface DeployerLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface DeployerDeps {
  environment: DeployerEnvironment;
  deployments: StagingDeployments;
  registry: Pick<ModelRegistry, 'get'>;
  servingConfig(): Promise<ServingConfigSource>;
  publisher: MessagePublisher;
  log: DeployerLog;
}

export type DeployerOutcome =
  | { kind: 'ignored'; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'deploying'; version: number; model: string }
  | { kind: 'already-deployed'; version: number }
  | { kind: 'smoke-passed'; version: number | undefined; latencyMs: number }
  | { kind: 'smoke-failed'; version: number | undefined; reason: string }
  | { kind: 'failed'; reason: string };

/**
 * One EventBridge event: an approval of our group's version deploys it to staging; the staging endpoint coming
 * InService is smoke-tested (and what it no longer uses is removed); a failed deployment is reported with
 * SageMaker's FailureReason. Every outcome a person should know of goes to SNS. An error is reported too, then
 * thrown, so the Lambda's retries and its error alarm see it; a refusal that a retry cannot change is not thrown.
 */
export async function processDeployerEvent(input: unknown, deps: DeployerDeps): Promise<DeployerOutcome> {
  const parsed = parseDeployerEvent(input);
  if ('problem' in parsed) {
    deps.log.warn('event ignored', { reason: parsed.problem });
    return { kind: 'ignored', reason: parsed.problem };
  }
  const { event } = parsed;
  const endpoint = deps.environment.stagingEndpoint;
  try {
    return event.kind === 'model-package' ? await onModelPackage(event, deps) : await onEndpointState(event, deps);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    deps.log.error('the deployer failed', { eventId: event.id, error: `${err.name}: ${err.message}` });
    try {
      await deps.publisher.publish(errorMessage(endpoint, event.id, err));
    } catch (notifyError) {
      deps.log.error('could not report the failure on SNS', { error: String(notifyError) });
    }
    throw err;
  }
}

async function onModelPackage(event: Extract<DeployerEvent, { kind: 'model-package' }>, deps: DeployerDeps): Promise<DeployerOutcome> {
  const { environment } = deps;
  const endpoint = environment.stagingEndpoint;
  if (event.group !== environment.modelPackageGroup) return ignored(deps, `model package group ${event.group} is not ${environment.modelPackageGroup}`);
  if (event.approvalStatus !== 'Approved') return ignored(deps, `version ${event.version} is ${event.approvalStatus}, not Approved`);
  const record = await deps.registry.get(event.group, event.version);
  let source: ServingConfigSource;
  try {
    source = await deps.servingConfig();
  } catch (error) {
    // A config that is not valid stays so on a retry: reported, not thrown.
    if (!isUserError(error)) throw error;
    return refuse(deps, endpoint, event, `the serving config is not valid: ${(error as Error).message}`);
  }
  const refusal = deploymentRefusal(record, source.serving, 'staging');
  if (refusal !== undefined) return refuse(deps, endpoint, event, refusal);
  // Named after the event's time: a second delivery of this event names (and finds) the same model.
  const start = await deps.deployments.deployVersion('staging', record, source.serving, { at: event.time });
  if (start.kind === 'already-deployed') {
    deps.log.info('already deployed', { version: record.version, status: start.state.status });
    return { kind: 'already-deployed', version: record.version };
  }
  await deps.publisher.publish(startedMessage(endpoint, start.plan.deployed, { action: start.plan.action, model: start.plan.model.ModelName, configUri: source.uri }));
  deps.log.info('deployment started', { version: record.version, model: start.plan.model.ModelName, action: start.plan.action });
  return { kind: 'deploying', version: record.version, model: start.plan.model.ModelName };
}

async function onEndpointState(event: Extract<DeployerEvent, { kind: 'endpoint-state' }>, deps: DeployerDeps): Promise<DeployerOutcome> {
  const endpoint = deps.environment.stagingEndpoint;
  if (event.endpointName !== endpoint) return ignored(deps, `endpoint ${event.endpointName} is not ${endpoint}`);
  const status = endpointStatusOf(event.status);
  if (status !== 'InService' && status !== 'Failed' && status !== 'UpdateRollbackFailed') return ignored(deps, `endpoint ${endpoint} is ${event.status}`);
  const state = await deps.deployments.describeStage('staging');
  if (status !== 'InService' || state.failureReason !== undefined) {
    // Failed: the deployment did not start serving. InService with a FailureReason: an update failed and the
    // endpoint went back to (and still serves) what it served before.
    const reason = state.failureReason ?? event.failureReason ?? `the endpoint is ${event.status} and SageMaker gave no reason`;
    const failedUpdate = status === 'InService';
    await deps.publisher.publish(failedMessage(endpoint, state.status ?? event.status, reason, { deploying: failedUpdate ? undefined : state.current?.version, serving: failedUpdate ? state.current?.version : undefined }));
    return { kind: 'failed', reason };
  }
  const served = state.current?.version;
  const verdict = await deps.deployments.smokeTest('staging');
  if (!verdict.ok) {
    await deps.publisher.publish(smokeFailedMessage(endpoint, served, verdict));
    return { kind: 'smoke-failed', version: served?.version, reason: verdict.reason };
  }
  await deps.publisher.publish(succeededMessage(endpoint, served, verdict));
  const cleaned = await deps.deployments.cleanUp('staging');
  deps.log.info('smoke test passed', { version: served?.version, latencyMs: verdict.latencyMs, deletedModels: cleaned.models, deletedEndpointConfigs: cleaned.endpointConfigs, ...(cleaned.skipped ? { cleanupSkipped: cleaned.skipped } : {}) });
  return { kind: 'smoke-passed', version: served?.version, latencyMs: verdict.latencyMs };
}

function ignored(deps: DeployerDeps, reason: string): DeployerOutcome {
  deps.log.info('event ignored', { reason });
  return { kind: 'ignored', reason };
}

async function refuse(deps: DeployerDeps, endpoint: string, event: { group: string; version: number }, reason: string): Promise<DeployerOutcome> {
  deps.log.warn('version not deployed', { version: event.version, reason });
  await deps.publisher.publish(refusedMessage(endpoint, event.group, event.version, reason));
  return { kind: 'refused', reason };
}

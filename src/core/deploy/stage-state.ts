import type { DeployStage } from './deploy-stage.ts';
import type { DeployedVersion } from './deployment-tags.ts';

/** DescribeEndpoint's EndpointStatus values. */
export const ENDPOINT_STATUSES = ['OutOfService', 'Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'InService', 'Deleting', 'Failed', 'UpdateRollbackFailed'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

/** Statuses in which nothing is in progress: a new deployment may start, a rollout being followed has ended. */
export const SETTLED_STATUSES: ReadonlySet<EndpointStatus> = new Set(['InService', 'Failed', 'UpdateRollbackFailed', 'OutOfService']);

/**
 * The status an "Endpoint State Change" event carries, as DescribeEndpoint spells it: EventBridge's events say
 * `IN_SERVICE`, `FAILED`, ... (automating-sagemaker-with-eventbridge.html, "Endpoint state change"), the API
 * `InService`, `Failed`. Undefined for a status neither knows.
 */
export function endpointStatusOf(value: string): EndpointStatus | undefined {
  const squashed = value.replace(/_/g, '').toLowerCase();
  return ENDPOINT_STATUSES.find((s) => s.toLowerCase() === squashed);
}

/** One endpoint configuration of a stage and the version its model serves. */
export interface StageDeployment {
  endpointConfigName: string;
  /** Undefined when the configuration was deleted while in use (SageMaker then cannot say what runs). */
  modelName: string | undefined;
  /** When the configuration was created; cleaning up deletes only what is older than the one in use. */
  createdAt: Date | undefined;
  /** Undefined for a model yolops did not create (no deployment tags) or one deleted since. */
  version: DeployedVersion | undefined;
  /** Undefined for a serverless variant. */
  instanceType: string | undefined;
  instanceCount: number | undefined;
  serverless: { memoryMb: number; maxConcurrency: number } | undefined;
  dataCapturePercent: number | undefined;
}

/** What a stage's endpoint serves and how it is doing: read back from SageMaker, nothing kept elsewhere. */
export interface StageState {
  stage: DeployStage;
  endpointName: string;
  /** False when the endpoint does not exist (nothing deployed yet). */
  exists: boolean;
  status: EndpointStatus | undefined;
  failureReason: string | undefined;
  /** The configuration serving traffic now. */
  current: StageDeployment | undefined;
  /** During an update: the configuration being deployed (PendingDeploymentSummary). */
  pending: StageDeployment | undefined;
  lastModified: Date | undefined;
}

export function servesVersion(deployment: StageDeployment | undefined, modelPackageArn: string): boolean {
  return deployment?.version?.modelPackageArn === modelPackageArn;
}

/** Where a rollout of `modelPackageArn` stands, judged from the stage's state after UpdateEndpoint/CreateEndpoint. */
export type RolloutOutcome =
  | { kind: 'in-progress'; status: EndpointStatus | undefined }
  | { kind: 'deployed' }
  | { kind: 'rolled-back'; reason: string; serving: DeployedVersion | undefined }
  | { kind: 'failed'; reason: string };

export function judgeRollout(state: StageState, modelPackageArn: string): RolloutOutcome {
  if (!state.exists) return { kind: 'failed', reason: `the endpoint ${state.endpointName} is gone` };
  const status = state.status;
  if (status === 'Failed' || status === 'UpdateRollbackFailed' || status === 'OutOfService') {
    return { kind: 'failed', reason: state.failureReason ?? `the endpoint ${state.endpointName} is ${status}` };
  }
  if (status !== 'InService') return { kind: 'in-progress', status };
  if (servesVersion(state.current, modelPackageArn)) return { kind: 'deployed' };
  // Back in service on the previous configuration: SageMaker rolled the update back (an alarm, a failed health check).
  return { kind: 'rolled-back', reason: state.failureReason ?? 'the update was rolled back (no reason given)', serving: state.current?.version };
}

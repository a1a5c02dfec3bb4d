import type { SmokeVerdict } from '../core/deploy/smoke-check.ts';
import type { DeployedVersion } from '../core/deploy/deployment-tags.ts';
import type { PublishedMessage } from '../core/trigger/ports.ts';

/** The `event` attribute of each deployer message, for subscription filters. */
export const DEPLOYER_EVENTS = {
  started: 'deployment.started',
  refused: 'deployment.refused',
  succeeded: 'deployment.succeeded',
  smokeFailed: 'deployment.smoke-failed',
  failed: 'deployment.failed',
  error: 'deployment.error',
} as const;

function message(event: string, endpoint: string, subject: string, body: Record<string, unknown>): PublishedMessage {
  return { subject, body: { event, endpoint, ...body }, attributes: { event, endpoint } };
}

const versionLabel = (v: DeployedVersion | undefined): string => (v ? `version ${v.version}` : 'a model yolops did not deploy');

export function startedMessage(endpoint: string, v: DeployedVersion, details: { action: 'create' | 'update'; model: string; configUri: string | undefined }): PublishedMessage {
  return message(DEPLOYER_EVENTS.started, endpoint, `${endpoint}: deploying ${v.modelPackageGroupName} version ${v.version}`, {
    modelPackageGroup: v.modelPackageGroupName,
    version: v.version,
    modelPackageArn: v.modelPackageArn,
    action: details.action,
    model: details.model,
    servingConfig: details.configUri ?? 'defaults (no uploaded training-config.json)',
  });
}

export function refusedMessage(endpoint: string, group: string, version: number, reason: string): PublishedMessage {
  return message(DEPLOYER_EVENTS.refused, endpoint, `${endpoint}: ${group} version ${version} not deployed`, { modelPackageGroup: group, version, reason });
}

export function succeededMessage(endpoint: string, v: DeployedVersion | undefined, verdict: Extract<SmokeVerdict, { ok: true }>): PublishedMessage {
  return message(DEPLOYER_EVENTS.succeeded, endpoint, `${endpoint}: ${versionLabel(v)} in service, smoke test passed in ${verdict.latencyMs} ms`, {
    ...(v ? { modelPackageGroup: v.modelPackageGroupName, version: v.version, modelPackageArn: v.modelPackageArn } : {}),
    latencyMs: verdict.latencyMs,
    inferenceMs: verdict.inferenceMs,
    detections: verdict.detections,
    servedModel: verdict.servedModel,
  });
}

export function smokeFailedMessage(endpoint: string, v: DeployedVersion | undefined, verdict: Extract<SmokeVerdict, { ok: false }>): PublishedMessage {
  return message(DEPLOYER_EVENTS.smokeFailed, endpoint, `${endpoint}: ${versionLabel(v)} in service but the smoke test failed`, {
    ...(v ? { modelPackageGroup: v.modelPackageGroupName, version: v.version, modelPackageArn: v.modelPackageArn } : {}),
    latencyMs: verdict.latencyMs,
    reason: verdict.reason,
  });
}

export function failedMessage(endpoint: string, status: string, reason: string, details: { deploying: DeployedVersion | undefined; serving: DeployedVersion | undefined }): PublishedMessage {
  const what = details.deploying ? `version ${details.deploying.version}` : 'the deployment';
  return message(DEPLOYER_EVENTS.failed, endpoint, `${endpoint}: ${what} failed (${status})`, {
    status,
    failureReason: reason,
    ...(details.deploying ? { version: details.deploying.version, modelPackageArn: details.deploying.modelPackageArn } : {}),
    ...(details.serving ? { stillServing: details.serving.version } : {}),
  });
}

export function errorMessage(endpoint: string, eventId: string, error: Error): PublishedMessage {
  return message(DEPLOYER_EVENTS.error, endpoint, `${endpoint}: the deployer failed`, { eventId, error: `${error.name}: ${error.message}` });
}

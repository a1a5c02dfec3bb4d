import type { ServingConfig } from '../config/training-config.ts';
import type { InferenceSpec, ModelVersionRecord } from '../registry/model-version.ts';
import type { DeployStage } from './deploy-stage.ts';

export type DeployableRecord = ModelVersionRecord & { inference: InferenceSpec };

/**
 * Why `record` cannot go to `stage` with `serving`, or undefined when it can. Every reason names the version and
 * says what to do; nothing is created for a refused version.
 */
export function deploymentRefusal(record: ModelVersionRecord, serving: ServingConfig, stage: DeployStage): string | undefined {
  const subject = `model ${record.modelPackageGroupName} version ${record.version}`;
  if (record.inference === undefined) {
    return `${subject} has no inference specification (it was registered before serving existed), so there is nothing to deploy: train a new version and approve that one`;
  }
  if (record.approvalStatus !== 'Approved') {
    return `${subject} is ${record.approvalStatus}; only Approved versions are deployed: approve it first with \`yolops models approve ${record.version} --target aws\``;
  }
  const allowed = record.inference.realtimeInstanceTypes;
  if (stage === 'production' && allowed.length > 0 && !allowed.includes(serving.instance_type)) {
    return `${subject} is registered to run on ${allowed.join(', ')}, not on ${serving.instance_type} (serving.instance_type in training-config.json): choose one of those, or train a version registered for it`;
  }
  return undefined;
}

export function isDeployable(record: ModelVersionRecord): record is DeployableRecord {
  return record.inference !== undefined;
}

import * as z from 'zod';
import type { ModelVersionRecord } from '../registry/model-version.ts';
import type { DeployStage } from './deploy-stage.ts';

/**
 * The tags of every model the deployer creates: they answer "which version does this stage serve" from the
 * endpoint alone (DescribeEndpoint -> its configuration -> its model -> these tags), with no state of our own.
 */
export const DEPLOYMENT_TAG_KEYS = {
  modelPackageArn: 'yolops:model-package-arn',
  modelPackageGroup: 'yolops:model-package-group',
  version: 'yolops:model-version',
  stage: 'yolops:stage',
} as const;

export interface Tag {
  Key: string;
  Value: string;
}

/** The version a model serves, as its tags say. */
export interface DeployedVersion {
  modelPackageArn: string;
  modelPackageGroupName: string;
  version: number;
}

export function deploymentTags(record: Pick<ModelVersionRecord, 'modelPackageArn' | 'modelPackageGroupName' | 'version'>, stage: DeployStage): Tag[] {
  return [
    { Key: DEPLOYMENT_TAG_KEYS.modelPackageArn, Value: record.modelPackageArn },
    { Key: DEPLOYMENT_TAG_KEYS.modelPackageGroup, Value: record.modelPackageGroupName },
    { Key: DEPLOYMENT_TAG_KEYS.version, Value: String(record.version) },
    { Key: DEPLOYMENT_TAG_KEYS.stage, Value: stage },
  ];
}

const deployedSchema = z.object({
  [DEPLOYMENT_TAG_KEYS.modelPackageArn]: z.string().min(1),
  [DEPLOYMENT_TAG_KEYS.modelPackageGroup]: z.string().min(1),
  [DEPLOYMENT_TAG_KEYS.version]: z.string().regex(/^[1-9]\d*$/),
});

/** The version the tags name, or undefined for a model yolops did not create (or whose tags were edited away). */
export function deployedVersionOf(tags: readonly Tag[]): DeployedVersion | undefined {
  const parsed = deployedSchema.safeParse(Object.fromEntries(tags.map((t) => [t.Key, t.Value])));
  if (!parsed.success) return undefined;
  return {
    modelPackageArn: parsed.data[DEPLOYMENT_TAG_KEYS.modelPackageArn],
    modelPackageGroupName: parsed.data[DEPLOYMENT_TAG_KEYS.modelPackageGroup],
    version: Number(parsed.data[DEPLOYMENT_TAG_KEYS.version]),
  };
}

import type { ApprovalStatus, ModelVersionRecord } from '../../../src/core/registry/model-version.ts';

export const GROUP = 'yolops-yolo-models';

/** A version of the local registry with the given number and status, and nothing else of note. */
export function versionRecord(n: number, approvalStatus: ApprovalStatus): ModelVersionRecord {
  return {
    schemaVersion: 1,
    modelPackageGroupName: GROUP,
    version: n,
    modelPackageArn: `arn:local:sagemaker:model-package/${GROUP}/${n}`,
    artifactUri: `s3://yolops-model-artifacts-123456789012/pipelines/e${n}/model.tar.gz`,
    approvalStatus,
    approvalHistory: [],
    metrics: {},
    lineage: {},
    customerMetadata: {},
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

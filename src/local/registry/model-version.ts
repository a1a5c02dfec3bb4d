export const APPROVAL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export function isApprovalStatus(value: unknown): value is ApprovalStatus {
  return typeof value === 'string' && (APPROVAL_STATUSES as readonly string[]).includes(value);
}

/** One change of a version's approval status: who, when, why. */
export interface ApprovalChange {
  from: ApprovalStatus;
  to: ApprovalStatus;
  by: string;
  at: string;
  reason?: string;
}

/** Where a version came from. */
export interface ModelLineage {
  executionId?: string;
  pipelineName?: string;
  /** The dataset version it was trained on (InputDataUri). */
  datasetUri?: string;
  /** The code bundle version (CodeVersion). */
  codeVersion?: string;
}

/** `registry/<group>/<version>.json`: one version of a model package group. */
export interface ModelVersionRecord {
  schemaVersion: 1;
  modelPackageGroupName: string;
  version: number;
  modelPackageArn: string;
  description?: string;
  /** The model.tar.gz (SageMaker's ModelDataUrl). */
  artifactUri: string;
  approvalStatus: ApprovalStatus;
  approvalHistory: ApprovalChange[];
  /** The `metrics` of the evaluation report (mAP50, mAP50_95, precision, recall). */
  metrics: Record<string, number>;
  /** The evaluation report itself (ModelMetrics.ModelQuality.Statistics). */
  modelQualityStatisticsUri?: string;
  lineage: ModelLineage;
  customerMetadata: Record<string, string>;
  createdAt: string;
}

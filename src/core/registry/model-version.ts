import * as z from 'zod';

export const APPROVAL_STATUSES = ['PendingManualApproval', 'Approved', 'Rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export function isApprovalStatus(value: unknown): value is ApprovalStatus {
  return typeof value === 'string' && (APPROVAL_STATUSES as readonly string[]).includes(value);
}

const approvalStatusSchema = z.enum(APPROVAL_STATUSES);
const isoTimestamp = z.iso.datetime({ offset: true });

/** One change of a version's approval status: who, when, why. */
export const approvalChangeSchema = z.strictObject({
  from: approvalStatusSchema,
  to: approvalStatusSchema,
  by: z.string(),
  at: isoTimestamp,
  reason: z.string().optional(),
});
export type ApprovalChange = z.output<typeof approvalChangeSchema>;

/** Where a version came from. */
export const modelLineageSchema = z.strictObject({
  executionId: z.string().optional(),
  pipelineName: z.string().optional(),
  /** The dataset version it was trained on (InputDataUri). */
  datasetUri: z.string().optional(),
  /** The code bundle version (CodeVersion). */
  codeVersion: z.string().optional(),
});
export type ModelLineage = z.output<typeof modelLineageSchema>;

/**
 * What serving a version needs, as the Register step recorded it (SageMaker's InferenceSpecification): the image
 * and archive CreateModel takes, the container's environment, the MIME types, where it may run.
 */
export const inferenceSpecSchema = z.strictObject({
  image: z.string().min(1),
  modelDataUrl: z.string().min(1),
  environment: z.record(z.string(), z.string()),
  contentTypes: z.array(z.string()),
  responseMimeTypes: z.array(z.string()),
  realtimeInstanceTypes: z.array(z.string()),
});
export type InferenceSpec = z.output<typeof inferenceSpecSchema>;

/**
 * One version of a model package group, as every registry backend returns it: the local registry's file
 * `registry/<group>/<version>.json`, or a SageMaker model package mapped to it. Strict: a key this code does not
 * write means a local file was edited by hand or by a newer yolops, and is reported rather than dropped on rewrite.
 */
export const modelVersionRecordSchema = z.strictObject({
  schemaVersion: z.literal(1),
  modelPackageGroupName: z.string().min(1),
  version: z.int().min(1),
  modelPackageArn: z.string().min(1),
  description: z.string().optional(),
  /** The model.tar.gz (SageMaker's ModelDataUrl). */
  artifactUri: z.string().min(1),
  approvalStatus: approvalStatusSchema,
  /** Every status change, oldest first. Empty from SageMaker, which keeps only the latest (below). */
  approvalHistory: z.array(approvalChangeSchema),
  /** The reason given with the latest status change: SageMaker's ApprovalDescription (the local registry keeps reasons in the history). */
  approvalDescription: z.string().optional(),
  /** The `metrics` of the evaluation report (mAP50, mAP50_95, precision, recall). */
  metrics: z.record(z.string(), z.number()),
  /** The evaluation report itself (ModelMetrics.ModelQuality.Statistics). */
  modelQualityStatisticsUri: z.string().optional(),
  lineage: modelLineageSchema,
  /** Absent on versions registered before serving existed: such a version cannot be deployed. */
  inference: inferenceSpecSchema.optional(),
  customerMetadata: z.record(z.string(), z.string()),
  createdAt: isoTimestamp,
});
export type ModelVersionRecord = z.output<typeof modelVersionRecordSchema>;

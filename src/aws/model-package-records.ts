import * as z from 'zod';
import { inferenceSpecOf } from '../core/registry/inference-spec.ts';
import { APPROVAL_STATUSES, modelVersionRecordSchema, type ModelVersionRecord } from '../core/registry/model-version.ts';
import { parseExecutionArn, UnexpectedSageMakerAnswerError } from './pipeline-execution-records.ts';

/**
 * SageMaker model packages as the registry records every backend returns (src/core/registry/model-version.ts).
 * The CustomerMetadataProperties keys are the ones the pipeline's RegisterModel step writes
 * (src/core/pipeline/training-pipeline.ts).
 */
export const LINEAGE_METADATA_KEYS = { executionId: 'PipelineExecutionId', datasetUri: 'InputDataUri', codeVersion: 'CodeVersion' } as const;

/** Absent, null and '' all mean "not given". */
const optionalText = z.string().nullish().transform((value) => (value ? value : undefined));
/** Absent and null are an empty list. */
const optionalTexts = z.array(z.string()).nullish().transform((value) => value ?? []);

const summarySchema = z.object({
  ModelPackageArn: z.string().min(1),
  ModelPackageVersion: z.number().int().min(1),
});
export type PackageSummary = z.output<typeof summarySchema>;

const describedSchema = z.object({
  ModelPackageGroupName: z.string().min(1),
  ModelPackageVersion: z.number().int().min(1),
  ModelPackageArn: z.string().min(1),
  ModelPackageDescription: optionalText,
  ModelApprovalStatus: z.enum(APPROVAL_STATUSES),
  ApprovalDescription: optionalText,
  CreationTime: z.date(),
  InferenceSpecification: z.object({
    Containers: z
      .array(
        z.object({
          Image: optionalText,
          Environment: z.record(z.string(), z.string()).nullish(),
          ModelDataUrl: optionalText,
          ModelDataSource: z.object({ S3DataSource: z.object({ S3Uri: optionalText }).nullish() }).nullish(),
        }),
      )
      .min(1),
    SupportedContentTypes: optionalTexts,
    SupportedResponseMIMETypes: optionalTexts,
    SupportedRealtimeInferenceInstanceTypes: optionalTexts,
  }),
  ModelMetrics: z.object({ ModelQuality: z.object({ Statistics: z.object({ S3Uri: optionalText }).nullish() }).nullish() }).nullish(),
  CustomerMetadataProperties: z.record(z.string(), z.string()).nullish(),
  /** SageMaker sets GeneratedBy to the pipeline execution ARN for packages a pipeline registered. */
  MetadataProperties: z.object({ GeneratedBy: optionalText }).nullish(),
});
export type DescribedPackage = z.output<typeof describedSchema>;

function checked<S extends z.ZodType>(schema: S, value: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new UnexpectedSageMakerAnswerError(operation, result.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; '));
  return result.data;
}

export function packageSummary(summary: unknown): PackageSummary {
  return checked(summarySchema, summary, 'ListModelPackages');
}

export function describedPackage(answer: unknown): DescribedPackage {
  return checked(describedSchema, answer, 'DescribeModelPackage');
}

/** The evaluation report's S3 URI (ModelMetrics.ModelQuality.Statistics), when the version has one. */
export function statisticsUri(pkg: DescribedPackage): string | undefined {
  return pkg.ModelMetrics?.ModelQuality?.Statistics?.S3Uri;
}

/**
 * The record of a model package. Where SageMaker has no equivalent of a field:
 * - `approvalHistory` is empty: SageMaker keeps only the latest decision, its reason is `approvalDescription`
 *   (who made it is LastModifiedBy, an IAM identity, and CloudTrail has the rest);
 * - `schemaVersion` is the record format's, 1, as for local records;
 * - `lineage.pipelineName` comes from MetadataProperties.GeneratedBy when that is a pipeline execution ARN;
 * - `inference` is the InferenceSpecification (its first container), by the rule both registries share
 *   (inferenceSpecOf): absent for packages registered before serving existed.
 */
export function modelVersionFromPackage(pkg: DescribedPackage, metrics: Record<string, number>): ModelVersionRecord {
  const container = pkg.InferenceSpecification.Containers[0];
  const artifactUri = container?.ModelDataUrl ?? container?.ModelDataSource?.S3DataSource?.S3Uri;
  if (!artifactUri) throw new UnexpectedSageMakerAnswerError('DescribeModelPackage', `model package ${pkg.ModelPackageArn} has no model artifact (InferenceSpecification.Containers[0].ModelDataUrl)`);
  const customerMetadata = pkg.CustomerMetadataProperties ?? {};
  const generatedBy = pkg.MetadataProperties?.GeneratedBy;
  const execution = generatedBy ? parseExecutionArn(generatedBy) : undefined;
  const executionId = customerMetadata[LINEAGE_METADATA_KEYS.executionId] ?? execution?.executionId;
  const datasetUri = customerMetadata[LINEAGE_METADATA_KEYS.datasetUri];
  const codeVersion = customerMetadata[LINEAGE_METADATA_KEYS.codeVersion];
  const statistics = statisticsUri(pkg);
  const specification = pkg.InferenceSpecification;
  const inference = inferenceSpecOf({
    image: container?.Image ?? '',
    modelDataUrl: artifactUri,
    environment: container?.Environment ?? {},
    contentTypes: specification.SupportedContentTypes,
    responseMimeTypes: specification.SupportedResponseMIMETypes,
    realtimeInstanceTypes: specification.SupportedRealtimeInferenceInstanceTypes,
  });
  const record: ModelVersionRecord = {
    schemaVersion: 1,
    modelPackageGroupName: pkg.ModelPackageGroupName,
    version: pkg.ModelPackageVersion,
    modelPackageArn: pkg.ModelPackageArn,
    ...(pkg.ModelPackageDescription !== undefined ? { description: pkg.ModelPackageDescription } : {}),
    artifactUri,
    approvalStatus: pkg.ModelApprovalStatus,
    approvalHistory: [],
    ...(pkg.ApprovalDescription !== undefined ? { approvalDescription: pkg.ApprovalDescription } : {}),
    metrics,
    ...(statistics !== undefined ? { modelQualityStatisticsUri: statistics } : {}),
    lineage: {
      ...(executionId ? { executionId } : {}),
      ...(execution ? { pipelineName: execution.pipelineName } : {}),
      ...(datasetUri ? { datasetUri } : {}),
      ...(codeVersion ? { codeVersion } : {}),
    },
    ...(inference ? { inference } : {}),
    customerMetadata: { ...customerMetadata },
    createdAt: pkg.CreationTime.toISOString(),
  };
  return checked(modelVersionRecordSchema, record, 'DescribeModelPackage');
}

const evaluationReportSchema = z.object({ metrics: z.record(z.string(), z.unknown()) });

/** The numbers of an evaluation report's `metrics` object (mAP50, mAP50_95, precision, recall); others are left out, as locally. */
export function metricsOfReport(report: unknown): Record<string, number> | undefined {
  const parsed = evaluationReportSchema.safeParse(report);
  if (!parsed.success) return undefined;
  return Object.fromEntries(Object.entries(parsed.data.metrics).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

import { inferenceSpecOf } from '../../core/registry/inference-spec.ts';
import { APPROVAL_STATUSES, inferenceSpecSchema, isApprovalStatus, type InferenceSpec } from '../../core/registry/model-version.ts';
import type { FolderObjectStore } from '../folder-object-store.ts';
import { readObjectJson } from '../buckets/transfer.ts';
import { describeJson, isJsonObject, type JsonObject } from '../json.ts';
import { StepFailure } from '../pipeline/errors.ts';
import type { StepExecutor } from '../pipeline/interpreter.ts';
import type { LocalModelRegistry } from '../registry/model-registry.ts';
import { ArgumentReader } from './arguments.ts';

export interface RegisterStepDependencies {
  store: FolderObjectStore;
  registry: LocalModelRegistry;
}

/**
 * CustomerMetadataProperties keys that carry lineage (the compiler writes these: src/core/pipeline/training-pipeline.ts).
 * Any other keys are kept as metadata.
 */
const LINEAGE_KEYS = { datasetUri: 'InputDataUri', codeVersion: 'CodeVersion' } as const;

/**
 * CreateModelPackage against the local registry: a new version with the model artifact, what serving it needs
 * (the InferenceSpecification, as resolved for this run), the metrics of the evaluation report named in
 * ModelMetrics.ModelQuality.Statistics, the approval status and lineage.
 */
export function createRegisterExecutor(deps: RegisterStepDependencies): StepExecutor {
  return async (step, args, context) => {
    const a: ArgumentReader = new ArgumentReader(args, 'Arguments', step.name);
    const group = a.string('ModelPackageGroupName');
    const status = a.optionalString('ModelApprovalStatus') ?? 'PendingManualApproval';
    if (!isApprovalStatus(status)) a.fail('ModelApprovalStatus', `must be one of ${APPROVAL_STATUSES.join(', ')}, found ${JSON.stringify(status)}`);
    const specification = a.object('InferenceSpecification');
    const first = specification.objects('Containers')[0];
    if (!first) a.fail('InferenceSpecification.Containers', 'needs one container with a ModelDataUrl');
    const artifactUri = first.string('ModelDataUrl');
    const inference = inferenceOf(specification, first, artifactUri);
    const statisticsUri = a.optionalObject('ModelMetrics')?.optionalObject('ModelQuality')?.optionalObject('Statistics')?.optionalString('S3Uri');
    const customerMetadata = a.stringMap('CustomerMetadataProperties');
    const description = a.optionalString('ModelPackageDescription');

    let metrics: Record<string, number> = {};
    if (statisticsUri) {
      let report;
      try {
        report = await readObjectJson(deps.store, statisticsUri);
      } catch (error) {
        throw new StepFailure(`step "${step.name}": cannot read the model quality statistics at ${statisticsUri}: ${(error as Error).message}`, { cause: error });
      }
      const reportMetrics = isJsonObject(report) ? report['metrics'] : undefined;
      if (!isJsonObject(reportMetrics)) throw new StepFailure(`step "${step.name}": ${statisticsUri} has no "metrics" object (found ${describeJson(report)})`);
      metrics = Object.fromEntries(Object.entries(reportMetrics).filter((e): e is [string, number] => typeof e[1] === 'number'));
    }

    const datasetUri = customerMetadata[LINEAGE_KEYS.datasetUri];
    const codeVersion = customerMetadata[LINEAGE_KEYS.codeVersion];
    const record = await deps.registry.register({
      modelPackageGroupName: group,
      artifactUri,
      ...(inference ? { inference } : {}),
      approvalStatus: status,
      ...(description ? { description } : {}),
      metrics,
      ...(statisticsUri ? { modelQualityStatisticsUri: statisticsUri } : {}),
      lineage: {
        executionId: context.executionId,
        pipelineName: context.pipelineName,
        ...(datasetUri ? { datasetUri } : {}),
        ...(codeVersion ? { codeVersion } : {}),
      },
      customerMetadata,
    });
    const properties: JsonObject = {
      ModelPackageArn: record.modelPackageArn,
      ModelPackageName: `${record.modelPackageGroupName}/${record.version}`,
      ModelPackageGroupName: record.modelPackageGroupName,
      ModelPackageVersion: record.version,
      ModelApprovalStatus: record.approvalStatus,
    };
    return properties;
  };
}

/** The version's `inference`, checked here so that a bad value fails the step rather than the next read of the record. */
function inferenceOf(specification: ArgumentReader, container: ArgumentReader, modelDataUrl: string): InferenceSpec | undefined {
  const inference = inferenceSpecOf({
    image: container.string('Image'),
    modelDataUrl,
    environment: container.stringMap('Environment'),
    contentTypes: specification.strings('SupportedContentTypes'),
    responseMimeTypes: specification.strings('SupportedResponseMIMETypes'),
    realtimeInstanceTypes: specification.strings('SupportedRealtimeInferenceInstanceTypes'),
  });
  if (inference === undefined) return undefined;
  const checked = inferenceSpecSchema.safeParse(inference);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    specification.fail(SPECIFICATION_KEYS[key] ?? key, `${issue?.message ?? 'is invalid'}: a registered version must say what serves it`);
  }
  return checked.data;
}

/** Where each field of `inference` comes from, for messages. */
const SPECIFICATION_KEYS: Readonly<Record<string, string>> = { image: 'Containers[0].Image', modelDataUrl: 'Containers[0].ModelDataUrl' };

import type { ModelApprovalStatusName } from '../../compiled-definition-types.ts';
import { stepProperty, type StepPropertyRef, type StringValue } from '../values.ts';
import { splitStepOptions, type StepCommon, type StepOptions } from './common.ts';

/** A container of the model package: what a later CreateModel (a serving endpoint, a batch transform) runs. */
export interface ModelContainer {
  /** The inference image. */
  image: StringValue;
  /** S3 URI of the model archive, e.g. `train.properties.ModelArtifacts.S3ModelArtifacts`. */
  modelDataUrl?: StringValue;
  /** Environment variables of the inference container (the SDK's `Model(env=...)`): at most 16, keys and values up to 1024 characters. */
  environment?: Readonly<Record<string, StringValue>>;
}

export interface RegisterModelStepOptions extends StepOptions {
  modelPackageGroupName: StringValue;
  /** Shown with every version in the model registry (the step itself has `description`). */
  modelPackageDescription?: StringValue;
  approvalStatus: ModelApprovalStatusName;
  containers: readonly ModelContainer[];
  /** MIME types the inference containers accept, e.g. `image/jpeg` (InferenceSpecification.SupportedContentTypes). */
  supportedContentTypes?: readonly string[];
  /** MIME types they answer with, e.g. `application/json` (SupportedResponseMIMETypes). */
  supportedResponseMimeTypes?: readonly string[];
  /** Instance types a real-time endpoint of this model may use (SupportedRealtimeInferenceInstanceTypes). */
  supportedRealtimeInstanceTypes?: readonly string[];
  /** Instance types a batch transform of this model may use (SupportedTransformInstanceTypes). */
  supportedTransformInstanceTypes?: readonly string[];
  /** A metrics report the model registry shows with the version (ModelMetrics.ModelQuality.Statistics). */
  modelQualityStatistics?: { contentType: string; s3Uri: StringValue };
  /** Free-form lineage stored on the model package (at most 50 keys). */
  customerMetadata?: Readonly<Record<string, StringValue>>;
}

export type RegisterModelArgs = Omit<RegisterModelStepOptions, keyof StepOptions>;

export interface RegisterModelStep extends StepCommon {
  readonly type: 'RegisterModel';
  readonly args: RegisterModelArgs;
  readonly properties: { readonly ModelPackageArn: StepPropertyRef<'String'> };
}

export function registerModelStep(options: RegisterModelStepOptions): RegisterModelStep {
  const { common, args } = splitStepOptions(options);
  return { type: 'RegisterModel', ...common, args, properties: { ModelPackageArn: stepProperty(common.name, 'ModelPackageArn') } };
}

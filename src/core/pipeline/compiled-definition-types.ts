/**
 * The shape of a compiled SageMaker Pipeline definition (Version 2020-12-01), as this project emits it.
 *
 * These types (and the few constants that name their values) describe the JSON only: the local runner reads
 * definitions through them without importing the DSL, so that it interprets exactly what SageMaker would receive.
 */

export const PIPELINE_DEFINITION_VERSION = '2020-12-01';

/** `{"Get": "Parameters.X"}`, `{"Get": "Execution.PipelineExecutionId"}`, `{"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}`. */
export interface GetJson {
  Get: string;
}

/** Reads a value out of a processing step's property file (a JSON file in one of its outputs) with a JSONPath. */
export interface JsonGetJson {
  'Std:JsonGet': {
    /** `{"Get": "Steps.<step>.PropertyFiles.<property file name>"}` */
    PropertyFile: GetJson;
    Path: string;
  };
}

/** Concatenates its values, as strings, with `On` between them. */
export interface JoinJson {
  'Std:Join': {
    On: string;
    Values: JoinPartJson[];
  };
}

export type JoinPartJson = string | number | boolean | GetJson | JsonGetJson;
export type ExpressionJson = GetJson | JoinJson | JsonGetJson;
/** A step argument: a literal or an expression resolved when the step starts. */
export type ValueJson = string | number | boolean | ExpressionJson;

/** The parameter types of a definition (the SDK's ParameterString, ParameterInteger, ...). */
export const PARAMETER_TYPES = ['String', 'Integer', 'Float', 'Boolean'] as const;
export type ParameterTypeName = (typeof PARAMETER_TYPES)[number];
/** The value of a parameter: its default, or what an execution was started with. */
export type ParameterValue = string | number | boolean;

export interface ParameterJson {
  Name: string;
  Type: ParameterTypeName;
  /** Absent: a value must be given when an execution starts. */
  DefaultValue?: ParameterValue;
}

export interface PipelineExperimentConfigJson {
  ExperimentName: ValueJson;
  TrialName: ValueJson;
}

interface StepJsonBase<TType extends StepType, TArguments> {
  Name: string;
  Type: TType;
  Arguments: TArguments;
  DependsOn?: string[];
  DisplayName?: string;
  Description?: string;
}

/** When and how SageMaker starts a failed step again; keys in the order the SageMaker SDK writes them. */
export interface RetryPolicyJson {
  BackoffRate: number;
  IntervalSeconds: number;
  /** Exactly one of MaxAttempts and ExpireAfterMin. */
  MaxAttempts?: number;
  ExpireAfterMin?: number;
  ExceptionType: string[];
}

/** Steps that run a SageMaker job may carry RetryPolicies (a key of the step, beside Arguments). */
type RetryableStepJson<TType extends StepType, TArguments> = StepJsonBase<TType, TArguments> & { RetryPolicies?: RetryPolicyJson[] };

/** A SageMaker metric definition: the first capture group of `Regex` on the training log is the value. */
export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

export interface TrainingArgumentsJson {
  AlgorithmSpecification: {
    TrainingInputMode: 'File' | 'Pipe' | 'FastFile';
    TrainingImage: ValueJson;
    MetricDefinitions?: MetricDefinition[];
    EnableSageMakerMetricsTimeSeries?: boolean;
  };
  OutputDataConfig: { S3OutputPath: ValueJson };
  StoppingCondition: { MaxRuntimeInSeconds: ValueJson; MaxWaitTimeInSeconds?: ValueJson };
  ResourceConfig: { VolumeSizeInGB: ValueJson; InstanceCount: ValueJson; InstanceType: ValueJson };
  RoleArn: ValueJson;
  InputDataConfig?: {
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix'; S3Uri: ValueJson; S3DataDistributionType: 'FullyReplicated' } };
    ChannelName: string;
  }[];
  /** Every value is a string at run time: literals JSON-encoded, expressions as `Get` or `Std:Join`. */
  HyperParameters?: Record<string, ValueJson>;
  Environment?: Record<string, ValueJson>;
  /** A literal, or `{"Get": "Parameters.UseSpotInstances"}`; MaxWaitTimeInSeconds is present exactly when it is true. */
  EnableManagedSpotTraining?: ValueJson;
  CheckpointConfig?: { S3Uri: ValueJson; LocalPath: string };
}

export interface ProcessingInputJson {
  InputName: string;
  S3Input: {
    S3Uri: ValueJson;
    LocalPath: string;
    S3DataType: 'S3Prefix';
    S3InputMode: 'File';
    S3DataDistributionType: 'FullyReplicated';
  };
}

export interface ProcessingOutputJson {
  OutputName: string;
  S3Output: { S3Uri: ValueJson; LocalPath: string; S3UploadMode: 'EndOfJob' };
}

export interface ProcessingArgumentsJson {
  ProcessingResources: { ClusterConfig: { InstanceType: ValueJson; InstanceCount: ValueJson; VolumeSizeInGB: ValueJson } };
  AppSpecification: { ImageUri: ValueJson; ContainerArguments?: ValueJson[]; ContainerEntrypoint?: ValueJson[] };
  RoleArn: ValueJson;
  ProcessingInputs?: ProcessingInputJson[];
  ProcessingOutputConfig?: { Outputs: ProcessingOutputJson[] };
  Environment?: Record<string, ValueJson>;
  StoppingCondition?: { MaxRuntimeInSeconds: ValueJson };
}

export interface PropertyFileJson {
  PropertyFileName: string;
  OutputName: string;
  FilePath: string;
}

export type ComparisonTypeName = 'Equals' | 'NotEquals' | 'GreaterThan' | 'GreaterThanOrEqualTo' | 'LessThan' | 'LessThanOrEqualTo';

export interface ComparisonConditionJson {
  Type: ComparisonTypeName;
  LeftValue: ValueJson;
  RightValue: ValueJson;
}

export interface ConditionArgumentsJson {
  /** All must hold (logical AND) for IfSteps to run; otherwise ElseSteps run. */
  Conditions: ComparisonConditionJson[];
  IfSteps: StepJson[];
  ElseSteps: StepJson[];
}

export interface MetricsSourceJson {
  ContentType: string;
  S3Uri: ValueJson;
}

export type ModelApprovalStatusName = 'Approved' | 'Rejected' | 'PendingManualApproval';

export interface RegisterModelArgumentsJson {
  ModelPackageGroupName: ValueJson;
  ModelPackageDescription?: ValueJson;
  ModelMetrics?: { ModelQuality?: { Statistics?: MetricsSourceJson; Constraints?: MetricsSourceJson } };
  CustomerMetadataProperties?: Record<string, ValueJson>;
  InferenceSpecification: {
    Containers: { Image: ValueJson; Environment?: Record<string, ValueJson>; ModelDataUrl?: ValueJson }[];
    SupportedContentTypes?: string[];
    SupportedResponseMIMETypes?: string[];
    SupportedRealtimeInferenceInstanceTypes?: string[];
    SupportedTransformInstanceTypes?: string[];
  };
  ModelApprovalStatus: ModelApprovalStatusName;
}

export interface FailArgumentsJson {
  ErrorMessage: ValueJson;
}

export type TrainingStepJson = RetryableStepJson<'Training', TrainingArgumentsJson>;
export type ProcessingStepJson = RetryableStepJson<'Processing', ProcessingArgumentsJson> & { PropertyFiles?: PropertyFileJson[] };
export type ConditionStepJson = StepJsonBase<'Condition', ConditionArgumentsJson>;
export type RegisterModelStepJson = StepJsonBase<'RegisterModel', RegisterModelArgumentsJson>;
export type FailStepJson = StepJsonBase<'Fail', FailArgumentsJson>;

/** The step types this project's definitions hold; the DSL builds them and the local runner runs them. */
export const STEP_TYPES = ['Training', 'Processing', 'Condition', 'RegisterModel', 'Fail'] as const;
export type StepType = (typeof STEP_TYPES)[number];

export function isStepType(type: unknown): type is StepType {
  return (STEP_TYPES as readonly unknown[]).includes(type);
}

export type StepJson = TrainingStepJson | ProcessingStepJson | ConditionStepJson | RegisterModelStepJson | FailStepJson;

export interface PipelineDefinitionJson {
  Version: typeof PIPELINE_DEFINITION_VERSION;
  Metadata: Record<string, string>;
  Parameters: ParameterJson[];
  PipelineExperimentConfig?: PipelineExperimentConfigJson;
  /** Top-level steps; steps that run only on one branch of a Condition step live in its IfSteps/ElseSteps. */
  Steps: StepJson[];
}

import {
  PIPELINE_DEFINITION_VERSION,
  type ConditionStepJson,
  type FailStepJson,
  type ParameterJson,
  type PipelineDefinitionJson,
  type ProcessingStepJson,
  type RegisterModelArgumentsJson,
  type RegisterModelStepJson,
  type RetryPolicyJson,
  type StepJson,
  type TrainingArgumentsJson,
  type TrainingStepJson,
  type ValueJson,
} from '../compiled-definition-types.ts';
import type { Parameter } from '../dsl/parameters.ts';
import type { Pipeline } from '../dsl/pipeline.ts';
import type { ConditionStep } from '../dsl/steps/condition.ts';
import type { FailStep } from '../dsl/steps/fail.ts';
import type { ProcessingStep } from '../dsl/steps/processing.ts';
import type { RegisterModelStep } from '../dsl/steps/register-model.ts';
import type { Step } from '../dsl/steps/step.ts';
import type { TrainingStep } from '../dsl/steps/training.ts';
import type { AnyValue } from '../dsl/values.ts';
import { RETRY_DEFAULTS, type RetryPolicy } from '../retry-policies.ts';
import { compileHyperParameter, compileJsonQuoted, compileValue } from './values.ts';

/** Where script-mode containers look for checkpoints unless told otherwise (the SDK's default). */
export const DEFAULT_CHECKPOINT_LOCAL_PATH = '/opt/ml/checkpoints';

/**
 * The SageMaker Pipeline definition of a checked pipeline. Keys come out in one fixed order, the order the
 * SageMaker Python SDK writes them in, whatever order the DSL options were written in; maps (hyperparameters,
 * environment, metadata) keep the order they were given in.
 */
export function compilePipeline(pipeline: Pipeline): PipelineDefinitionJson {
  const experiment = pipeline.experimentConfig;
  return {
    Version: PIPELINE_DEFINITION_VERSION,
    Metadata: { ...pipeline.metadata },
    Parameters: pipeline.parameters.map(compileParameter),
    ...(experiment
      ? { PipelineExperimentConfig: { ExperimentName: compileValue(experiment.experimentName), TrialName: compileValue(experiment.trialName) } }
      : {}),
    Steps: pipeline.steps.map(compileStep),
  };
}

/** The definition as the string CreatePipeline/UpsertPipeline and CfnPipeline take: compact, or indented by 2. */
export function compilePipelineJson(pipeline: Pipeline, options: { pretty?: boolean } = {}): string {
  return JSON.stringify(compilePipeline(pipeline), null, options.pretty ? 2 : undefined);
}

function compileParameter(parameter: Parameter): ParameterJson {
  const json: ParameterJson = { Name: parameter.name, Type: parameter.type };
  if (parameter.defaultValue !== undefined) json.DefaultValue = parameter.defaultValue;
  return json;
}

function compileStep(step: Step): StepJson {
  switch (step.type) {
    case 'Training':
      return withCommon(step, compileTraining(step));
    case 'Processing':
      return withCommon(step, compileProcessing(step));
    case 'Condition':
      return withCommon(step, compileCondition(step));
    case 'RegisterModel':
      return withCommon(step, compileRegisterModel(step));
    case 'Fail':
      return withCommon(step, compileFail(step));
  }
}

/** Adds DependsOn/DisplayName/Description, then RetryPolicies, after Arguments and before step-specific keys, as the SDK does. */
function withCommon<S extends StepJson>(step: Step, json: S): S {
  const { Name, Type, Arguments, ...rest } = json;
  const out = { Name, Type, Arguments } as S;
  if (step.dependsOn.length > 0) out.DependsOn = [...step.dependsOn];
  if (step.displayName !== undefined) out.DisplayName = step.displayName;
  if (step.description !== undefined) out.Description = step.description;
  if ((step.type === 'Training' || step.type === 'Processing') && step.retryPolicies.length > 0) {
    Object.assign(out, { RetryPolicies: step.retryPolicies.map(compileRetryPolicy) });
  }
  return Object.assign(out, rest);
}

/** The SDK's RetryPolicy.to_request(): BackoffRate and IntervalSeconds always (defaults written out), then the bound, then the types. */
function compileRetryPolicy(policy: RetryPolicy): RetryPolicyJson {
  return {
    BackoffRate: policy.backoffRate ?? RETRY_DEFAULTS.backoffRate,
    IntervalSeconds: policy.intervalSeconds ?? RETRY_DEFAULTS.intervalSeconds,
    ...(policy.maxAttempts === undefined ? {} : { MaxAttempts: policy.maxAttempts }),
    ...(policy.expireAfterMin === undefined ? {} : { ExpireAfterMin: policy.expireAfterMin }),
    ExceptionType: [...policy.exceptionTypes],
  };
}

function compileMap(map: Readonly<Record<string, AnyValue>>, compile: (v: AnyValue) => ValueJson = compileValue): Record<string, ValueJson> {
  return Object.fromEntries(Object.entries(map).map(([key, value]) => [key, compile(value)]));
}

function compileTraining(step: TrainingStep): TrainingStepJson {
  const a = step.args;
  const args: TrainingArgumentsJson = {
    AlgorithmSpecification: {
      TrainingInputMode: 'File',
      TrainingImage: compileValue(a.image),
      ...(a.metricDefinitions ? { MetricDefinitions: a.metricDefinitions.map((m) => ({ Name: m.Name, Regex: m.Regex })) } : {}),
      // The SDK turns this on for framework estimators: the metrics become time series in the console.
      EnableSageMakerMetricsTimeSeries: true,
    },
    OutputDataConfig: { S3OutputPath: compileValue(a.outputS3Uri) },
    StoppingCondition: {
      MaxRuntimeInSeconds: compileValue(a.maxRuntimeSeconds),
      ...(a.managedSpot?.maxWaitSeconds === undefined ? {} : { MaxWaitTimeInSeconds: compileValue(a.managedSpot.maxWaitSeconds) }),
    },
    ResourceConfig: {
      VolumeSizeInGB: compileValue(a.volumeSizeGb),
      InstanceCount: compileValue(a.instanceCount ?? 1),
      InstanceType: compileValue(a.instanceType),
    },
    RoleArn: compileValue(a.roleArn),
  };
  const channels = Object.entries(a.inputs);
  if (channels.length > 0) {
    args.InputDataConfig = channels.map(([channel, uri]) => ({
      DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: compileValue(uri), S3DataDistributionType: 'FullyReplicated' } },
      ChannelName: channel,
    }));
  }
  const hyperParameters = compileMap(a.hyperParameters ?? {}, compileHyperParameter);
  if (a.scriptMode) {
    hyperParameters.sagemaker_submit_directory = compileJsonQuoted(a.scriptMode.sourceDir);
    hyperParameters.sagemaker_program = compileJsonQuoted(a.scriptMode.entryPoint);
  }
  if (Object.keys(hyperParameters).length > 0) args.HyperParameters = hyperParameters;
  if (a.environment && Object.keys(a.environment).length > 0) args.Environment = compileMap(a.environment);
  if (a.managedSpot) args.EnableManagedSpotTraining = compileValue(a.managedSpot.enabled ?? true);
  if (a.checkpoint) args.CheckpointConfig = { S3Uri: compileValue(a.checkpoint.s3Uri), LocalPath: a.checkpoint.localPath ?? DEFAULT_CHECKPOINT_LOCAL_PATH };
  return { Name: step.name, Type: 'Training', Arguments: args };
}

function compileProcessing(step: ProcessingStep): ProcessingStepJson {
  const a = step.args;
  const json: ProcessingStepJson = {
    Name: step.name,
    Type: 'Processing',
    Arguments: {
      ProcessingResources: {
        ClusterConfig: {
          InstanceType: compileValue(a.instanceType),
          InstanceCount: compileValue(a.instanceCount ?? 1),
          VolumeSizeInGB: compileValue(a.volumeSizeGb),
        },
      },
      AppSpecification: {
        ImageUri: compileValue(a.image),
        ...(a.arguments ? { ContainerArguments: a.arguments.map(compileValue) } : {}),
        ...(a.entrypoint ? { ContainerEntrypoint: a.entrypoint.map(compileValue) } : {}),
      },
      RoleArn: compileValue(a.roleArn),
    },
  };
  const args = json.Arguments;
  if (a.inputs && a.inputs.length > 0) {
    args.ProcessingInputs = a.inputs.map((input) => ({
      InputName: input.name,
      S3Input: {
        S3Uri: compileValue(input.source),
        LocalPath: input.destination,
        S3DataType: 'S3Prefix',
        S3InputMode: 'File',
        S3DataDistributionType: 'FullyReplicated',
      },
    }));
  }
  if (a.outputs && a.outputs.length > 0) {
    args.ProcessingOutputConfig = {
      Outputs: a.outputs.map((output) => ({
        OutputName: output.name,
        S3Output: { S3Uri: compileValue(output.destination), LocalPath: output.source, S3UploadMode: 'EndOfJob' },
      })),
    };
  }
  if (a.environment && Object.keys(a.environment).length > 0) args.Environment = compileMap(a.environment);
  if (a.maxRuntimeSeconds !== undefined) args.StoppingCondition = { MaxRuntimeInSeconds: compileValue(a.maxRuntimeSeconds) };
  if (a.propertyFiles && a.propertyFiles.length > 0) {
    json.PropertyFiles = a.propertyFiles.map((file) => ({ PropertyFileName: file.name, OutputName: file.outputName, FilePath: file.path }));
  }
  return json;
}

function compileCondition(step: ConditionStep): ConditionStepJson {
  return {
    Name: step.name,
    Type: 'Condition',
    Arguments: {
      Conditions: step.args.conditions.map((c) => ({ Type: c.type, LeftValue: compileValue(c.left), RightValue: compileValue(c.right) })),
      IfSteps: step.ifSteps.map(compileStep),
      ElseSteps: step.elseSteps.map(compileStep),
    },
  };
}

function compileRegisterModel(step: RegisterModelStep): RegisterModelStepJson {
  const a = step.args;
  const metadata = a.customerMetadata && Object.keys(a.customerMetadata).length > 0 ? compileMap(a.customerMetadata) : undefined;
  const statistics = a.modelQualityStatistics;
  const args: RegisterModelArgumentsJson = {
    ModelPackageGroupName: compileValue(a.modelPackageGroupName),
    ...(a.modelPackageDescription === undefined ? {} : { ModelPackageDescription: compileValue(a.modelPackageDescription) }),
    ...(statistics ? { ModelMetrics: { ModelQuality: { Statistics: { ContentType: statistics.contentType, S3Uri: compileValue(statistics.s3Uri) } } } } : {}),
    ...(metadata ? { CustomerMetadataProperties: metadata } : {}),
    // Container keys and the Supported* lists in the order of the SDK's container_def() and get_create_model_package_request().
    InferenceSpecification: {
      Containers: a.containers.map((c) => ({
        Image: compileValue(c.image),
        ...(c.environment && Object.keys(c.environment).length > 0 ? { Environment: compileMap(c.environment) } : {}),
        ...(c.modelDataUrl === undefined ? {} : { ModelDataUrl: compileValue(c.modelDataUrl) }),
      })),
      ...(a.supportedContentTypes ? { SupportedContentTypes: [...a.supportedContentTypes] } : {}),
      ...(a.supportedResponseMimeTypes ? { SupportedResponseMIMETypes: [...a.supportedResponseMimeTypes] } : {}),
      ...(a.supportedRealtimeInstanceTypes ? { SupportedRealtimeInferenceInstanceTypes: [...a.supportedRealtimeInstanceTypes] } : {}),
      ...(a.supportedTransformInstanceTypes ? { SupportedTransformInstanceTypes: [...a.supportedTransformInstanceTypes] } : {}),
    },
    ModelApprovalStatus: a.approvalStatus,
  };
  return { Name: step.name, Type: 'RegisterModel', Arguments: args };
}

function compileFail(step: FailStep): FailStepJson {
  return { Name: step.name, Type: 'Fail', Arguments: { ErrorMessage: compileValue(step.args.errorMessage) } };
}

/**
 * The pipeline: a typed DSL, the yolops training pipeline built with it, a compiler to SageMaker Pipeline
 * definition JSON and a validator of that JSON. Used by the CLI (`yolops pipeline synth`), the CDK stack
 * (CfnPipeline's PipelineDefinitionBody) and the local runner (which reads the JSON, never the DSL).
 */
import { join as joinPath } from 'node:path';
import { loadCdkContext } from '../config/cdk-context.ts';
import { loadTrainingConfig } from '../config/training-config.ts';
import { compilePipeline } from './compile/compile.ts';
import type { PipelineDefinitionJson } from './compiled-definition-types.ts';
import { loadMetricDefinitions } from './metric-definitions.ts';
import { trainingPipeline, type TrainingPipelineOptions } from './training-pipeline.ts';
import { assertValidPipelineDefinition } from './validate/validate.ts';

export interface SynthesizeOptions extends TrainingPipelineOptions {
  /** Indent the JSON by 2 (for people); compact otherwise (for CfnPipeline and UpsertPipeline). @default false */
  pretty?: boolean;
}

export interface SynthesizedPipeline {
  definition: PipelineDefinitionJson;
  json: string;
}

/**
 * The yolops training pipeline as SageMaker Pipeline definition JSON, checked against AWS's schema and
 * SageMaker's rules before it is returned (throws PipelineSpecError or PipelineValidationError otherwise).
 * A plain string, no CDK tokens: the same inputs give the same bytes.
 */
export function synthesizeTrainingPipeline(options: SynthesizeOptions): SynthesizedPipeline {
  const definition = compilePipeline(trainingPipeline(options));
  const json = JSON.stringify(definition, null, options.pretty ? 2 : undefined);
  assertValidPipelineDefinition(definition);
  return { definition, json };
}

export interface ProjectFiles {
  /** The repository root holding cdk.json, training-config.json and training/metric_definitions.json. */
  root: string;
  /** @default `${root}/cdk.json` */
  cdkJson?: string;
  /** @default `${root}/training-config.json` */
  trainingConfig?: string;
  /** @default `${root}/training/metric_definitions.json` */
  metricDefinitions?: string;
}

/** Reads the project's config files (validated, ConfigError on problems) and synthesizes the pipeline from them. */
export function synthesizeTrainingPipelineFromFiles(
  files: ProjectFiles,
  options: Omit<SynthesizeOptions, 'context' | 'training' | 'metricDefinitions'> = {},
): SynthesizedPipeline {
  return synthesizeTrainingPipeline({
    ...options,
    context: loadCdkContext(files.cdkJson ?? joinPath(files.root, 'cdk.json')),
    training: loadTrainingConfig(files.trainingConfig ?? joinPath(files.root, 'training-config.json')),
    metricDefinitions: loadMetricDefinitions(files.metricDefinitions ?? joinPath(files.root, 'training', 'metric_definitions.json')),
  });
}

export { trainingPipeline, codeVersionProblem, STEP_NAMES, EVALUATION_REPORT, PREPROCESS_OUTPUTS, PREPROCESS_REPORT, JOB_RETRY_POLICIES, type Capacity, type ServingOptions, type TrainingPipelineOptions } from './training-pipeline.ts';
export { CONFIG_PARAMETERS, configParameters, trainingConfigParameters, type ConfigParameterName, type ConfigParameters } from './config-parameters.ts';
export {
  RETRY_DEFAULTS,
  RETRY_EXCEPTION_TYPES,
  RETRY_LIMITS,
  SAGEMAKER_JOB_EXCEPTION_TYPES,
  STEP_EXCEPTION_TYPES,
  retryPolicyProblems,
  type RetryExceptionType,
  type RetryPolicy,
} from './retry-policies.ts';
export { loadMetricDefinitions, parseMetricDefinitions, metricDefinitionsSchema } from './metric-definitions.ts';
export { compilePipeline, compilePipelineJson } from './compile/compile.ts';
export { validatePipelineDefinition, assertValidPipelineDefinition, PipelineValidationError, type ValidationResult } from './validate/validate.ts';
export { analyzeDefinition, type AnalyzedStep, type DefinitionAnalysis } from './analysis/analyze-definition.ts';
export type { DefinitionProblem } from './analysis/problems.ts';
export { extendedPipelineSchema } from './validate/extended-schema.ts';
export { dlcImageUri, inferenceImageUri, pytorchTrainingImageUri, DLC_REGISTRY_ACCOUNTS } from './aws/images.ts';
export { partitionOf, dnsSuffixOf, type AwsPartition } from './aws/partition.ts';
export { sagemakerExecutionRoleArn, endpointExecutionRoleArn, mlflowTrackingServerArn, mlflowAppArnPlaceholder } from './aws/arns.ts';
export type * from './compiled-definition-types.ts';
export { PIPELINE_DEFINITION_VERSION, PARAMETER_TYPES, STEP_TYPES, isStepType } from './compiled-definition-types.ts';
export * from './dsl/index.ts';

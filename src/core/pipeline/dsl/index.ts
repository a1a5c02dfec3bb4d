/** The pipeline DSL: parameters, values and expressions, steps, and definePipeline (static checks). */
export { stringParameter, integerParameter, floatParameter, booleanParameter, scalarParameter, type Parameter } from './parameters.ts';
export {
  Execution,
  executionVariable,
  join,
  jsonGet,
  propertyFile,
  stepProperty,
  type AnyValue,
  type BooleanValue,
  type Expression,
  type FloatValue,
  type IntegerValue,
  type JoinPart,
  type ParameterRef,
  type PropertyFileRef,
  type ScalarType,
  type StepPropertyRef,
  type StringValue,
} from './values.ts';
export { trainingStep, type TrainingStep, type TrainingStepOptions, type ScriptMode, type ManagedSpot } from './steps/training.ts';
export { processingStep, type ProcessingStep, type ProcessingStepOptions, type ProcessingInput, type ProcessingOutput, type PropertyFileSpec } from './steps/processing.ts';
export {
  conditionStep,
  equalTo,
  notEqualTo,
  greaterThan,
  greaterThanOrEqualTo,
  lessThan,
  lessThanOrEqualTo,
  type Comparison,
  type ConditionStep,
  type ConditionStepOptions,
} from './steps/condition.ts';
export { registerModelStep, type RegisterModelStep, type RegisterModelStepOptions, type ModelContainer } from './steps/register-model.ts';
export { failStep, type FailStep, type FailStepOptions } from './steps/fail.ts';
export type { Step } from './steps/step.ts';
export type { RetryableStepOptions, StepOptions } from './steps/common.ts';
export { definePipeline, PipelineSpecError, type Pipeline, type PipelineSpec } from './pipeline.ts';
export { DEFAULT_EXPERIMENT_CONFIG, type ExperimentConfig } from './experiment-config.ts';
export { checkPipeline, type PipelineProblem } from './checks.ts';
export { dependencyGraph } from './graph.ts';
export { dependencyOrder, findCycle } from '../dependencies.ts';

/**
 * Naming rules SageMaker applies to pipeline definitions, shared by the DSL's static checks and the validator of
 * compiled JSON so both say the same thing.
 *
 * Limits: the pipeline definition schema (StepName, ParameterName) allows 1-64 characters of `[A-Za-z0-9-_]`;
 * the API's `Parameter.Name` (StartPipelineExecution) allows 256, so 64 is the one that binds. A parameter value
 * passed at start is at most 1024 characters (API `Parameter.Value`), and a whole definition at most 1,048,576
 * (API `CreatePipeline.PipelineDefinition`).
 */

export const NAME_PATTERN = /^[A-Za-z0-9\-_]*$/;
export const MAX_STEP_NAME_LENGTH = 64;
export const MAX_PARAMETER_NAME_LENGTH = 64;
export const MAX_PARAMETER_VALUE_LENGTH = 1024;
export const MAX_DEFINITION_LENGTH = 1_048_576;

/** CreateModelPackage: CustomerMetadataProperties holds at most 50 keys of 1-128 characters. */
export const MAX_CUSTOMER_METADATA = { keys: 50, keyLength: 128 } as const;
/** CreateModelPackage: a container's Environment holds at most 16 variables, keys and values up to 1024 characters. */
export const MAX_MODEL_CONTAINER_ENVIRONMENT = { variables: 16, length: 1024 } as const;

/** The variables SageMaker resolves under `Execution.` (the SDK's ExecutionVariables). */
export const EXECUTION_VARIABLES = [
  'PipelineExecutionId',
  'PipelineExecutionArn',
  'PipelineName',
  'PipelineArn',
  'StartDateTime',
  'CurrentDateTime',
  'TrainingJobName',
  'ProcessingJobName',
] as const;

export type ExecutionVariableName = (typeof EXECUTION_VARIABLES)[number];

/** What is wrong with a step or parameter name, or undefined when SageMaker accepts it. */
export function nameProblem(kind: 'step' | 'parameter', name: string): string | undefined {
  const max = kind === 'step' ? MAX_STEP_NAME_LENGTH : MAX_PARAMETER_NAME_LENGTH;
  if (name.length === 0) return `the ${kind} name is empty; give it 1-${max} characters`;
  if (name.length > max) return `the ${kind} name ${JSON.stringify(name)} has ${name.length} characters; SageMaker allows at most ${max}`;
  if (!NAME_PATTERN.test(name)) {
    const bad = [...new Set(name.replace(/[A-Za-z0-9\-_]/g, ''))].map((c) => JSON.stringify(c)).join(', ');
    return `the ${kind} name ${JSON.stringify(name)} contains ${bad}; use only letters, digits, "-" and "_" (pattern ^[A-Za-z0-9\\-_]*$)`;
  }
  return undefined;
}

/**
 * Why a JsonGet path is not a plain JSONPath SageMaker resolves the way one expects, or undefined when fine.
 * Dotted segments must be identifiers: `metrics.mAP50-95` would be read as a subtraction, which is why the
 * evaluation report keys that metric `mAP50_95`; `metrics['mAP50-95']` and `list[0]` are accepted.
 */
export function jsonPathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'the JSONPath is empty; give the key path inside the property file, e.g. "metrics.mAP50_95"';
  const segment = /^(?:[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\['[^']*'\]|\["[^"]*"\])/;
  const notPlain = (rest: string): string =>
    `the JSONPath ${JSON.stringify(path)} is not a plain path at ${JSON.stringify(rest)}: dotted keys must be letters, digits and "_"; write other keys in brackets, e.g. metrics['mAP50-95']`;
  let rest = path.startsWith('$.') ? path.slice(2) : path;
  let first = true;
  while (rest.length > 0) {
    if (!first) {
      if (rest.startsWith('.')) rest = rest.slice(1);
      else if (!rest.startsWith('[')) return notPlain(rest);
    }
    const match = segment.exec(rest);
    if (!match) return notPlain(rest);
    rest = rest.slice(match[0].length);
    first = false;
  }
  return undefined;
}

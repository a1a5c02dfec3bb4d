import { PARAMETER_TYPES } from '../compiled-definition-types.ts';
import { jsonPathProblem, MAX_CUSTOMER_METADATA, MAX_MODEL_CONTAINER_ENVIRONMENT, nameProblem } from '../names.ts';
import { retryPolicyProblems } from '../retry-policies.ts';
import type { ExperimentConfig } from './experiment-config.ts';
import { findCycle } from '../dependencies.ts';
import { dependencyGraph } from './graph.ts';
import type { Parameter } from './parameters.ts';
import type { ConditionStep } from './steps/condition.ts';
import type { RetryableStepCommon } from './steps/common.ts';
import type { ProcessingStep } from './steps/processing.ts';
import type { RegisterModelStep } from './steps/register-model.ts';
import { allSteps, type Step } from './steps/step.ts';
import type { TrainingStep } from './steps/training.ts';
import { valueType, type ScalarType } from './values.ts';
import { referencesOf, type Reference } from './walk.ts';

/** One thing wrong with a pipeline definition: where in the definition, and what to do about it. */
export interface PipelineProblem {
  /** e.g. `parameters[2]`, `steps[1] "Evaluate" › inputs[0].source`. */
  where: string;
  message: string;
}

/** What the static checks look at: the declared parameters and the top-level steps (branches nested). */
export interface CheckableSpec {
  readonly parameters: readonly Parameter[];
  readonly steps: readonly Step[];
  readonly experimentConfig?: ExperimentConfig | null;
}

const CHANNEL_NAME = /^[A-Za-z0-9.\-_]{1,64}$/; // SageMaker Channel.ChannelName
const MAX_METRIC_DEFINITIONS = 40; // SageMaker AlgorithmSpecification.MetricDefinitions
const MAX_HYPERPARAMETERS = 100; // SageMaker CreateTrainingJob.HyperParameters

/**
 * Every problem of a pipeline definition at once (an empty list when it is sound): names, duplicates, references
 * to parameters, steps and property files that do not exist, parameter types, and dependency cycles.
 */
export function checkPipeline(spec: CheckableSpec): PipelineProblem[] {
  const problems: PipelineProblem[] = [];
  const parameters = checkParameters(spec.parameters, problems);
  const entries = allSteps(spec.steps);
  const stepsByName = new Map<string, Step>();
  const firstWhere = new Map<string, string>();

  for (const { step, where } of entries) {
    const at = stepWhere(where, step);
    const bad = nameProblem('step', step.name);
    if (bad) problems.push({ where: at, message: `${bad}.` });
    const previous = firstWhere.get(step.name);
    if (previous !== undefined) {
      problems.push({ where: at, message: `the step name "${step.name}" is already used by ${previous}; step names must be unique across the pipeline, branches of Condition steps included.` });
    } else {
      firstWhere.set(step.name, where);
      stepsByName.set(step.name, step);
    }
  }

  for (const { step, where } of entries) {
    const at = stepWhere(where, step);
    for (const dep of step.dependsOn) {
      if (dep === step.name) problems.push({ where: `${at} › dependsOn`, message: 'a step cannot depend on itself; remove it from dependsOn.' });
      else if (!stepsByName.has(dep)) problems.push({ where: `${at} › dependsOn`, message: `depends on step "${dep}", which is not in the pipeline (steps: ${[...stepsByName.keys()].join(', ')}).` });
    }
    for (const { reference, path } of referencesOf(step)) {
      const message = referenceProblem(reference, step, parameters, stepsByName);
      if (message) problems.push({ where: `${at} › ${path}`, message });
    }
    if (step.type === 'Training' || step.type === 'Processing') checkRetryPolicies(step, at, problems);
    if (step.type === 'Training') checkTraining(step, at, problems);
    if (step.type === 'Processing') checkProcessing(step, at, problems);
    if (step.type === 'Condition') checkCondition(step, at, problems);
    if (step.type === 'RegisterModel') checkRegisterModel(step, at, problems);
  }

  for (const [key, value] of Object.entries(spec.experimentConfig ?? {})) {
    const where = `experimentConfig.${key}`;
    if (typeof value !== 'object') continue;
    const parts = value.kind === 'join' ? value.values : [value];
    for (const part of parts) {
      if (typeof part !== 'object') continue;
      if (part.kind === 'stepProperty' || part.kind === 'jsonGet') {
        problems.push({ where, message: 'experiment and trial names are set when the execution starts, so they can use parameters and execution variables only, not step properties.' });
      } else if (part.kind === 'parameter' && !parameters.has(part.name)) {
        problems.push({ where, message: `uses parameter "${part.name}", which the pipeline does not declare; add it to parameters.` });
      }
    }
  }

  const cycle = findCycle(dependencyGraph(spec.steps));
  if (cycle) {
    problems.push({ where: 'steps', message: `the steps wait for each other in a cycle: ${cycle.join(' -> ')} (each waits for the next, through a reference or dependsOn); break one of these links.` });
  }
  return problems;
}

function stepWhere(where: string, step: Step): string {
  return `${where} "${step.name}"`;
}

function checkParameters(parameters: readonly Parameter[], problems: PipelineProblem[]): Map<string, Parameter> {
  const byName = new Map<string, Parameter>();
  parameters.forEach((parameter, index) => {
    const at = `parameters[${index}] "${parameter.name}"`;
    const bad = nameProblem('parameter', parameter.name);
    if (bad) problems.push({ where: at, message: `${bad}.` });
    if (byName.has(parameter.name)) problems.push({ where: at, message: `the parameter "${parameter.name}" is declared twice; keep one.` });
    else byName.set(parameter.name, parameter);
    if (!PARAMETER_TYPES.includes(parameter.type)) {
      problems.push({ where: at, message: `the type ${JSON.stringify(parameter.type)} is not one SageMaker has; use String, Integer, Float or Boolean.` });
      return;
    }
    const value: unknown = parameter.defaultValue;
    if (value === undefined) return;
    const expected = defaultValueProblem(parameter.type, value);
    if (expected) problems.push({ where: `${at} › defaultValue`, message: `the default ${JSON.stringify(value)} does not fit a ${parameter.type} parameter: ${expected}.` });
  });
  return byName;
}

function defaultValueProblem(type: ScalarType, value: unknown): string | undefined {
  switch (type) {
    case 'String':
      return typeof value === 'string' ? undefined : 'give a string';
    case 'Integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : 'give a whole number';
    case 'Float':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'give a finite number';
    case 'Boolean':
      return typeof value === 'boolean' ? undefined : 'give true or false';
  }
}

function referenceProblem(reference: Reference, step: Step, parameters: ReadonlyMap<string, Parameter>, steps: ReadonlyMap<string, Step>): string | undefined {
  switch (reference.kind) {
    case 'parameter': {
      const declared = parameters.get(reference.name);
      if (!declared) {
        return `uses parameter "${reference.name}", which the pipeline does not declare; add it to parameters (declared: ${[...parameters.keys()].join(', ') || 'none'}).`;
      }
      if (declared.type !== reference.type) return `uses parameter "${reference.name}" as ${reference.type}, but it is declared ${declared.type}; use the declared parameter object.`;
      return undefined;
    }
    case 'executionVariable':
      return undefined;
    case 'stepProperty': {
      const target = steps.get(reference.step);
      if (reference.step === step.name) return `reads its own property ${reference.path}; a step can only read properties of steps that ran before it.`;
      if (!target) return `reads Steps.${reference.step}.${reference.path}, but there is no step "${reference.step}" in the pipeline (steps: ${[...steps.keys()].join(', ')}).`;
      if (target.type === 'Fail') return `reads a property of Fail step "${reference.step}"; Fail steps end the execution and have no properties.`;
      return undefined;
    }
    case 'jsonGet': {
      const { step: owner, name } = reference.propertyFile;
      const target = steps.get(owner);
      if (!target) return `reads property file "${name}" of step "${owner}", which is not in the pipeline (steps: ${[...steps.keys()].join(', ')}).`;
      if (target.type !== 'Processing') return `reads property file "${name}" of step "${owner}", a ${target.type} step; only Processing steps have property files.`;
      const declared = (target.args.propertyFiles ?? []).map((f) => f.name);
      if (!declared.includes(name)) {
        return `reads property file "${name}" of step "${owner}", which declares ${declared.length ? declared.map((d) => `"${d}"`).join(', ') : 'no property files'}; add it to that step's propertyFiles or fix the name.`;
      }
      const badPath = jsonPathProblem(reference.path);
      return badPath ? `${badPath}.` : undefined;
    }
  }
}

function checkRetryPolicies(step: RetryableStepCommon, at: string, problems: PipelineProblem[]): void {
  const seen = new Map<string, number>();
  step.retryPolicies.forEach((policy, i) => {
    const where = `${at} › retryPolicies[${i}]`;
    for (const message of retryPolicyProblems(policy)) problems.push({ where, message });
    for (const type of new Set(policy.exceptionTypes)) {
      const first = seen.get(type);
      // Which of two policies SageMaker would apply is not documented; one policy per failure keeps it plain.
      if (first !== undefined) problems.push({ where, message: `${type} is already retried by retryPolicies[${first}]; give each exception type one policy.` });
      else seen.set(type, i);
    }
  });
}

function checkRegisterModel(step: RegisterModelStep, at: string, problems: PipelineProblem[]): void {
  if (step.args.containers.length === 0) problems.push({ where: `${at} › containers`, message: 'a model package needs at least one container (its inference image).' });
  step.args.containers.forEach((container, i) => {
    const keys = Object.keys(container.environment ?? {});
    const max = MAX_MODEL_CONTAINER_ENVIRONMENT.variables;
    if (keys.length > max) problems.push({ where: `${at} › containers[${i}].environment`, message: `has ${keys.length} variables; SageMaker allows at most ${max} per model package container.` });
  });
  const keys = Object.keys(step.args.customerMetadata ?? {});
  if (keys.length > MAX_CUSTOMER_METADATA.keys) problems.push({ where: `${at} › customerMetadata`, message: `has ${keys.length} keys; SageMaker allows at most ${MAX_CUSTOMER_METADATA.keys}.` });
}

function checkTraining(step: TrainingStep, at: string, problems: PipelineProblem[]): void {
  for (const channel of Object.keys(step.args.inputs)) {
    if (!CHANNEL_NAME.test(channel)) problems.push({ where: `${at} › inputs`, message: `the channel name ${JSON.stringify(channel)} is not valid; use 1-64 letters, digits, ".", "-" or "_".` });
  }
  const metrics = step.args.metricDefinitions ?? [];
  if (metrics.length > MAX_METRIC_DEFINITIONS) problems.push({ where: `${at} › metricDefinitions`, message: `has ${metrics.length} entries; SageMaker allows at most ${MAX_METRIC_DEFINITIONS}.` });
  const seen = new Set<string>();
  metrics.forEach((metric, i) => {
    if (seen.has(metric.Name)) problems.push({ where: `${at} › metricDefinitions[${i}]`, message: `the metric name "${metric.Name}" appears twice; SageMaker needs unique names.` });
    seen.add(metric.Name);
  });
  const hyperParameters = Object.keys(step.args.hyperParameters ?? {}).length + (step.args.scriptMode ? 2 : 0);
  if (hyperParameters > MAX_HYPERPARAMETERS) problems.push({ where: `${at} › hyperParameters`, message: `has ${hyperParameters} entries; SageMaker allows at most ${MAX_HYPERPARAMETERS}.` });
}

function checkProcessing(step: ProcessingStep, at: string, problems: PipelineProblem[]): void {
  const unique = (names: string[], what: string, path: string): void => {
    const seen = new Set<string>();
    names.forEach((name, i) => {
      if (seen.has(name)) problems.push({ where: `${at} › ${path}[${i}]`, message: `the ${what} name "${name}" is used twice in this step; names must be unique.` });
      seen.add(name);
    });
  };
  const outputs = (step.args.outputs ?? []).map((o) => o.name);
  unique((step.args.inputs ?? []).map((i) => i.name), 'input', 'inputs');
  unique(outputs, 'output', 'outputs');
  const files = step.args.propertyFiles ?? [];
  unique(files.map((f) => f.name), 'property file', 'propertyFiles');
  files.forEach((file, i) => {
    if (!outputs.includes(file.outputName)) {
      problems.push({ where: `${at} › propertyFiles[${i}]`, message: `property file "${file.name}" names output "${file.outputName}", which this step does not have (outputs: ${outputs.join(', ') || 'none'}).` });
    }
    if (file.path.trim() === '') problems.push({ where: `${at} › propertyFiles[${i}]`, message: `property file "${file.name}" has no path; give the file's path inside the output, e.g. "evaluation.json".` });
  });
}

const ORDERING = new Set(['GreaterThan', 'GreaterThanOrEqualTo', 'LessThan', 'LessThanOrEqualTo']);

function checkCondition(step: ConditionStep, at: string, problems: PipelineProblem[]): void {
  if (step.args.conditions.length === 0) problems.push({ where: `${at} › conditions`, message: 'a Condition step needs at least one condition.' });
  step.args.conditions.forEach((condition, i) => {
    if (!ORDERING.has(condition.type)) return;
    for (const side of ['left', 'right'] as const) {
      const type = valueType(condition[side]);
      if (type === 'String' || type === 'Boolean') {
        problems.push({ where: `${at} › conditions[${i}].${side}`, message: `${condition.type} compares numbers, but this side is a ${type}; compare a number (Integer or Float) or a JsonGet.` });
      }
    }
  });
}

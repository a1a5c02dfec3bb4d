import {
  analyzeDefinition,
  childLocation,
  formatSegments,
  isStepType,
  STEP_TYPES,
  type AnalyzedStep,
  type DefinitionProblem,
  type ParameterDeclaration,
  type StepType,
} from '../../core/pipeline/compiled.ts';
import { describeJson, isJsonObject } from '../json.ts';
import { PipelineDefinitionError } from './errors.ts';
import { STEP_PROPERTY_ROOTS } from './step-properties.ts';

/**
 * A compiled definition as this runner will run it. The reading and the checks of the definition are core's
 * (analyzeDefinition, which the validator uses too); what is added here is only what is local: which step types
 * and argument keys the runner acts on, which it knowingly ignores because they only configure AWS, and which
 * step properties it provides.
 */

/** One step as the runner runs it. */
export interface StepNode extends Pick<AnalyzedStep, 'name' | 'location' | 'arguments' | 'propertyFiles' | 'dependencies' | 'branch'> {
  type: StepType;
  /** Things the definition asks for that have no local meaning and are ignored (recorded, never silent). */
  ignored: string[];
}

export interface ParsedPipeline {
  parameters: ParameterDeclaration[];
  /** Steps in definition order (a Condition's branch steps right after it). */
  steps: StepNode[];
  /** Steps in the order they run: dependencies first, ties broken by definition order. */
  order: StepNode[];
  /** Top-level things ignored locally. */
  ignored: string[];
}

const TOP_LEVEL_KEYS = ['Version', 'Metadata', 'Parameters', 'PipelineExperimentConfig', 'Steps'];
const TOP_LEVEL_IGNORED = ['ParallelismConfiguration'];
const STEP_KEYS = ['Name', 'Type', 'Arguments', 'DependsOn', 'DisplayName', 'Description', 'PropertyFiles'];
/** Step keys with no meaning on one machine, and why. */
const STEP_IGNORED: ReadonlyMap<string, string> = new Map([
  ['CacheConfig', 'a local run never reuses a cached step'],
  [
    'RetryPolicies',
    "SageMaker's retries of its own transient failures (service faults, throttling, internal errors, capacity, quotas); a local job fails only for its code or data, and `yolops runs retry` continues a failed execution",
  ],
]);

/** Why an argument is ignored, where "AWS-only setting" would say too little. */
const IGNORED_ARGUMENTS: Readonly<Record<string, string>> = {
  EnableManagedSpotTraining: 'spot capacity is an AWS matter: a local job trains on this machine, so UseSpotInstances only picks the branch that runs',
  'StoppingCondition.MaxWaitTimeInSeconds': 'how long SageMaker may wait for spot capacity; a local job never waits for capacity',
};
const AWS_ONLY = 'AWS-only setting';

/**
 * Per step type: argument keys the runner acts on, and keys it knowingly ignores because they only configure
 * AWS (roles, VPCs, spot capacity, profiling; why: IGNORED_ARGUMENTS, else AWS_ONLY). Any other key is refused,
 * so a new feature in a definition is never dropped without anyone noticing.
 */
const ARGUMENT_KEYS: Record<StepType, { handled: string[]; ignored: string[] }> = {
  Training: {
    handled: ['AlgorithmSpecification', 'HyperParameters', 'InputDataConfig', 'OutputDataConfig', 'ResourceConfig', 'StoppingCondition', 'CheckpointConfig', 'Environment'],
    ignored: [
      'RoleArn', 'EnableManagedSpotTraining', 'VpcConfig', 'EnableNetworkIsolation', 'EnableInterContainerTrafficEncryption', 'DebugHookConfig',
      'DebugRuleConfigurations', 'ProfilerConfig', 'ProfilerRuleConfigurations', 'Tags', 'RetryStrategy', 'ExperimentConfig', 'InfraCheckConfig',
      'RemoteDebugConfig', 'SessionChainingConfig',
    ],
  },
  Processing: {
    handled: ['ProcessingResources', 'AppSpecification', 'ProcessingInputs', 'ProcessingOutputConfig', 'Environment', 'StoppingCondition'],
    ignored: ['RoleArn', 'NetworkConfig', 'ExperimentConfig', 'Tags'],
  },
  Condition: { handled: ['Conditions', 'IfSteps', 'ElseSteps'], ignored: [] },
  RegisterModel: {
    handled: ['ModelPackageGroupName', 'ModelPackageDescription', 'ModelApprovalStatus', 'InferenceSpecification', 'ModelMetrics', 'CustomerMetadataProperties', 'MetadataProperties'],
    ignored: ['Tags', 'DriftCheckBaselines', 'Domain', 'Task', 'SamplePayloadUrl', 'CertifyForMarketplace', 'ClientToken', 'SkipModelValidation', 'SourceUri', 'ModelCard', 'ModelLifeCycle', 'SecurityConfig'],
  },
  Fail: { handled: ['ErrorMessage'], ignored: [] },
};

/**
 * Reads and checks a whole pipeline definition before anything runs: core's analysis (version, parameters,
 * names, every Get/Std:Join/Std:JsonGet, every condition, dependencies, cycles) and this runner's own limits
 * (step types, step and argument keys, step properties). All problems are reported together as a
 * PipelineDefinitionError naming each location.
 */
export function parsePipelineDefinition(input: unknown): ParsedPipeline {
  const analysis = analyzeDefinition(input);
  const problems: DefinitionProblem[] = [...analysis.problems];
  const add = (location: string, message: string): void => void problems.push({ location, message });

  const ignored: string[] = [];
  for (const key of isJsonObject(input) ? Object.keys(input) : []) {
    if (TOP_LEVEL_IGNORED.includes(key)) ignored.push(`${key} (local runs execute one step at a time)`);
    else if (!TOP_LEVEL_KEYS.includes(key)) add(key, `unsupported top-level key "${key}" (known: ${TOP_LEVEL_KEYS.join(', ')})`);
  }
  const types = new Map<string, string | undefined>();
  for (const step of analysis.steps) if (!types.has(step.name)) types.set(step.name, step.type);
  const nodes = new Map<AnalyzedStep, StepNode>();
  for (const step of analysis.steps) {
    const node = runnableStep(step, (name) => types.get(name), add);
    if (node) nodes.set(step, node);
  }
  if (problems.length > 0) throw new PipelineDefinitionError(problems);
  const nodeOf = (step: AnalyzedStep): StepNode => nodes.get(step) as StepNode;
  return { parameters: analysis.parameters, steps: analysis.steps.map(nodeOf), order: analysis.order.map(nodeOf), ignored };
}

function runnableStep(step: AnalyzedStep, typeOf: (name: string) => string | undefined, add: (location: string, message: string) => void): StepNode | undefined {
  const { name, type, location } = step;
  if (!isStepType(type)) {
    add(childLocation(location, 'Type'), `step "${name}" has type ${describeJson(step.json['Type'])}, which the local runner cannot run (it runs ${STEP_TYPES.join(', ')})`);
    return undefined;
  }
  const ignored: string[] = [];
  for (const key of Object.keys(step.json)) {
    const reason = STEP_IGNORED.get(key);
    if (reason !== undefined) ignored.push(`${key} (${reason})`);
    else if (!STEP_KEYS.includes(key)) add(childLocation(location, key), `unsupported step key "${key}" on step "${name}"`);
  }
  const keys = ARGUMENT_KEYS[type];
  for (const key of Object.keys(step.arguments)) {
    if (keys.ignored.includes(key)) ignored.push(`Arguments.${key} (${IGNORED_ARGUMENTS[key] ?? AWS_ONLY})`);
    else if (!keys.handled.includes(key)) add(childLocation(childLocation(location, 'Arguments'), key), `${type} step "${name}": argument "${key}" is not supported by the local runner (it handles ${keys.handled.join(', ')})`);
  }
  // Handled as a whole, but with a field that only means something on AWS.
  const stopping = step.arguments['StoppingCondition'];
  if (type === 'Training' && isJsonObject(stopping) && stopping['MaxWaitTimeInSeconds'] !== undefined) {
    const key = 'StoppingCondition.MaxWaitTimeInSeconds';
    ignored.push(`Arguments.${key} (${IGNORED_ARGUMENTS[key] ?? AWS_ONLY})`);
  }
  for (const { location: at, target } of step.references) {
    if (target.kind === 'experimentConfig') add(at, `PipelineExperimentConfig.${target.name} is not resolved by the local runner; use the parameters it is built from`);
    if (target.kind !== 'step') continue;
    // A provider of an unknown type is refused on its own; the analysis only keeps references to existing steps.
    const providerType = typeOf(target.step);
    if (!isStepType(providerType)) continue;
    const roots = STEP_PROPERTY_ROOTS[providerType];
    const root = target.path[0];
    if (root?.kind !== 'name' || !roots.includes(root.name)) {
      add(at, `property "${formatSegments(target.path)}" of ${providerType} step "${target.step}" is not one this runner provides (it provides: ${roots.join(', ') || 'none'})`);
    }
  }
  return { name, type, location, arguments: step.arguments, propertyFiles: step.propertyFiles, dependencies: step.dependencies, ...(step.branch ? { branch: step.branch } : {}), ignored };
}

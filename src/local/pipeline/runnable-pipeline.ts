import { describeJson, isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import { analyzeCondition } from './conditions.ts';
import { ProblemList } from './errors.ts';
import { analyzeExpression, type AnalysisScope } from './expressions.ts';
import { parseParameterDeclarations, type ParameterDeclaration } from './parameters.ts';
import { isSupportedStepType, SUPPORTED_STEP_TYPES, type StepType } from './step-types.ts';

export const SUPPORTED_VERSION = '2020-12-01';

export interface PropertyFileDeclaration {
  name: string;
  outputName: string;
  filePath: string;
}

/** One step of the definition, top level or inside a Condition's IfSteps/ElseSteps. */
export interface StepNode {
  name: string;
  type: StepType;
  /** JSON path of the step object, e.g. `Steps[2].Arguments.IfSteps[0]`. */
  location: string;
  arguments: JsonObject;
  propertyFiles: PropertyFileDeclaration[];
  /** Every step this one waits for: DependsOn, steps it reads properties from, and its Condition. */
  dependencies: string[];
  /** Set for a step inside a Condition: it runs only when that Condition's outcome is `outcome`. */
  branch?: { condition: string; outcome: boolean };
  /** Things the definition asks for that have no local meaning and are ignored (recorded, never silent). */
  ignored: string[];
}

export interface ParsedPipeline {
  version: string;
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
/** Step keys with no meaning on one machine: a local run never reuses a cached step and never retries. */
const STEP_IGNORED = ['CacheConfig', 'RetryPolicies'];

/**
 * Per step type: argument keys the runner acts on, and keys it knowingly ignores because they only configure
 * AWS (roles, VPCs, spot capacity, profiling). Any other key is refused, so a new feature in a definition is
 * never dropped without anyone noticing.
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

interface RawStep {
  raw: JsonObject;
  location: string;
  branch?: { condition: string; outcome: boolean };
}

/**
 * Parses and checks a whole pipeline definition before anything runs: version, parameters, step types, argument
 * keys, every Get/Std:Join/Std:JsonGet, every condition, dependencies and cycles. All problems are reported
 * together as a PipelineDefinitionError naming each JSON location.
 */
export function parsePipelineDefinition(input: unknown): ParsedPipeline {
  const problems = new ProblemList();
  if (!isJsonObject(input as JsonValue)) {
    problems.add('', `a pipeline definition is a JSON object, found ${describeJson(input)}`);
    problems.throwIfAny();
  }
  const definition = input as JsonObject;
  const ignored: string[] = [];
  for (const key of Object.keys(definition)) {
    if (TOP_LEVEL_IGNORED.includes(key)) ignored.push(`${key} (local runs execute one step at a time)`);
    else if (!TOP_LEVEL_KEYS.includes(key)) problems.add(key, `unsupported top-level key "${key}" (known: ${TOP_LEVEL_KEYS.join(', ')})`);
  }
  const version = definition['Version'];
  if (version !== SUPPORTED_VERSION) problems.add('Version', `this runner reads definitions of Version "${SUPPORTED_VERSION}", found ${describeJson(version)}`);
  const parameters = parseParameterDeclarations(definition['Parameters'], problems);

  const rawSteps: RawStep[] = [];
  const topSteps = definition['Steps'];
  if (!Array.isArray(topSteps) || topSteps.length === 0) problems.add('Steps', `must be a non-empty list of steps, found ${describeJson(topSteps)}`);
  else collectSteps(topSteps, 'Steps', undefined, rawSteps, problems);

  const steps = rawSteps.flatMap((raw) => {
    const node = checkStep(raw, problems);
    return node ? [node] : [];
  });
  const names = new Map<string, StepNode>();
  for (const step of steps) {
    if (names.has(step.name)) problems.add(`${step.location}.Name`, `step name "${step.name}" is used twice (also at ${names.get(step.name)?.location})`);
    else names.set(step.name, step);
  }

  const scope: AnalysisScope = {
    parameterNames: new Set(parameters.map((p) => p.name)),
    steps: new Map(steps.map((s) => [s.name, { type: s.type, propertyFiles: new Set(s.propertyFiles.map((f) => f.name)) }])),
  };
  for (const step of steps) analyzeStep(step, scope, names, problems);
  analyzeExpression(definition['PipelineExperimentConfig'] ?? null, 'PipelineExperimentConfig', scope, problems);
  problems.throwIfAny();

  const order = dependencyOrder(steps, problems);
  problems.throwIfAny();
  return { version: SUPPORTED_VERSION, parameters, steps, order, ignored };
}

/** Flattens top-level and branch steps in definition order (each branch right after its Condition). */
function collectSteps(list: JsonValue[], location: string, branch: RawStep['branch'], out: RawStep[], problems: ProblemList): void {
  list.forEach((item, i) => {
    const at = `${location}[${i}]`;
    if (!isJsonObject(item)) return problems.add(at, `a step is an object with Name, Type and Arguments, found ${describeJson(item)}`);
    out.push(branch ? { raw: item, location: at, branch } : { raw: item, location: at });
    const args = item['Arguments'];
    if (item['Type'] === 'Condition' && isJsonObject(args) && typeof item['Name'] === 'string') {
      for (const [key, outcome] of [['IfSteps', true], ['ElseSteps', false]] as const) {
        const nested = args[key];
        if (nested === undefined) continue;
        if (!Array.isArray(nested)) problems.add(`${at}.Arguments.${key}`, `must be a list of steps, found ${describeJson(nested)}`);
        else collectSteps(nested, `${at}.Arguments.${key}`, { condition: item['Name'], outcome }, out, problems);
      }
    }
  });
}

function checkStep({ raw, location, branch }: RawStep, problems: ProblemList): StepNode | undefined {
  const name = raw['Name'];
  const type = raw['Type'];
  if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
    problems.add(`${location}.Name`, `a step name is 1-64 letters, digits, "_" or "-", found ${describeJson(name)}`);
    return undefined;
  }
  if (typeof type !== 'string' || !isSupportedStepType(type)) {
    problems.add(`${location}.Type`, `step "${name}" has type ${describeJson(type)}, which the local runner cannot run (it runs ${SUPPORTED_STEP_TYPES.join(', ')})`);
    return undefined;
  }
  const ignored: string[] = [];
  for (const key of Object.keys(raw)) {
    if (STEP_IGNORED.includes(key)) ignored.push(`${key} (a local run never caches or retries a step)`);
    else if (!STEP_KEYS.includes(key)) problems.add(`${location}.${key}`, `unsupported step key "${key}" on step "${name}"`);
  }
  const args = raw['Arguments'];
  if (!isJsonObject(args)) {
    problems.add(`${location}.Arguments`, `step "${name}" needs an Arguments object, found ${describeJson(args)}`);
    return undefined;
  }
  const keys = ARGUMENT_KEYS[type];
  for (const key of Object.keys(args)) {
    if (keys.ignored.includes(key)) ignored.push(`Arguments.${key} (AWS-only setting)`);
    else if (!keys.handled.includes(key)) problems.add(`${location}.Arguments.${key}`, `${type} step "${name}": argument "${key}" is not supported by the local runner (it handles ${keys.handled.join(', ')})`);
  }
  const dependencies: string[] = [];
  const dependsOn = raw['DependsOn'];
  if (dependsOn !== undefined) {
    if (!Array.isArray(dependsOn) || !dependsOn.every((d) => typeof d === 'string')) problems.add(`${location}.DependsOn`, 'must be a list of step names');
    else dependencies.push(...(dependsOn as string[]));
  }
  if (branch) dependencies.push(branch.condition);
  const node: StepNode = { name, type, location, arguments: args, propertyFiles: parsePropertyFiles(raw, type, location, problems), dependencies, ignored };
  if (branch) node.branch = branch;
  return node;
}

function parsePropertyFiles(raw: JsonObject, type: StepType, location: string, problems: ProblemList): PropertyFileDeclaration[] {
  const files = raw['PropertyFiles'];
  if (files === undefined) return [];
  if (type !== 'Processing') {
    problems.add(`${location}.PropertyFiles`, `only Processing steps declare PropertyFiles (this is a ${type} step)`);
    return [];
  }
  if (!Array.isArray(files)) {
    problems.add(`${location}.PropertyFiles`, 'must be a list');
    return [];
  }
  const out: PropertyFileDeclaration[] = [];
  files.forEach((file, i) => {
    const at = `${location}.PropertyFiles[${i}]`;
    if (!isJsonObject(file) || typeof file['PropertyFileName'] !== 'string' || typeof file['OutputName'] !== 'string' || typeof file['FilePath'] !== 'string') {
      return problems.add(at, `a property file is {"PropertyFileName", "OutputName", "FilePath"} (strings), found ${describeJson(file)}`);
    }
    if (file['FilePath'].startsWith('/') || file['FilePath'].split('/').includes('..')) return problems.add(`${at}.FilePath`, 'must be a relative path inside the output');
    out.push({ name: file['PropertyFileName'], outputName: file['OutputName'], filePath: file['FilePath'] });
  });
  return out;
}

function analyzeStep(step: StepNode, scope: AnalysisScope, names: ReadonlyMap<string, StepNode>, problems: ProblemList): void {
  const referenced = new Set<string>();
  const args = step.arguments;
  const at = `${step.location}.Arguments`;
  if (step.type === 'Condition') {
    const conditions = args['Conditions'];
    if (!Array.isArray(conditions) || conditions.length === 0) problems.add(`${at}.Conditions`, 'a Condition step needs a non-empty list of Conditions');
    else conditions.forEach((c, i) => analyzeCondition(c, `${at}.Conditions[${i}]`, scope, problems, referenced));
  } else {
    analyzeExpression(args, at, scope, problems, referenced);
  }
  if (step.type === 'Processing') {
    const outputs = args['ProcessingOutputConfig'];
    const outputNames = isJsonObject(outputs) && Array.isArray(outputs['Outputs']) ? outputs['Outputs'].flatMap((o) => (isJsonObject(o) && typeof o['OutputName'] === 'string' ? [o['OutputName']] : [])) : [];
    step.propertyFiles.forEach((file, i) => {
      if (!outputNames.includes(file.outputName)) problems.add(`${step.location}.PropertyFiles[${i}].OutputName`, `step "${step.name}" has no output "${file.outputName}" (outputs: ${outputNames.join(', ') || 'none'})`);
    });
  }
  if (step.type === 'Fail' && args['ErrorMessage'] === undefined) problems.add(`${at}.ErrorMessage`, 'a Fail step needs an ErrorMessage');
  referenced.delete(step.name);
  for (const dep of step.dependencies) {
    if (!names.has(dep)) problems.add(`${step.location}.DependsOn`, `step "${step.name}" depends on unknown step "${dep}"`);
  }
  for (const ref of referenced) if (!step.dependencies.includes(ref)) step.dependencies.push(ref);
}

/** Kahn's algorithm, taking the earliest step in definition order among the ready ones, so runs are reproducible. */
function dependencyOrder(steps: readonly StepNode[], problems: ProblemList): StepNode[] {
  const order: StepNode[] = [];
  const placed = new Set<string>();
  const remaining = [...steps];
  while (remaining.length > 0) {
    const index = remaining.findIndex((s) => s.dependencies.every((d) => placed.has(d)));
    if (index < 0) {
      problems.add('Steps', `dependency cycle among steps ${remaining.map((s) => `"${s.name}" (waits for ${s.dependencies.filter((d) => !placed.has(d)).join(', ')})`).join('; ')}`);
      return order;
    }
    const [next] = remaining.splice(index, 1);
    if (next) {
      order.push(next);
      placed.add(next.name);
    }
  }
  return order;
}

import { findCycle } from '../cycles.ts';
import { EXECUTION_VARIABLES, jsonPathProblem, nameProblem } from '../names.ts';
import { jsonPath, type DefinitionProblem } from './problems.ts';

/**
 * The checks SageMaker makes at CreatePipeline/UpsertPipeline that a JSON schema cannot express: names and
 * their uniqueness (branches of Condition steps included), parameter defaults of the declared type, references
 * (`Get`) to parameters, execution variables, steps and property files that exist, DependsOn, and cycles.
 * Written against `unknown` so it reports what it can even when the schema check fails too.
 */

type Json = { [key: string]: unknown };
type Path = (string | number)[];

interface StepEntry {
  json: Json;
  path: Path;
  name: string | undefined;
  type: unknown;
  /** The Condition step whose branch holds this step. */
  parent: string | undefined;
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayAt = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const PARAMETER_TYPES = ['String', 'Integer', 'Float', 'Boolean'];
const EXPERIMENT_PROPERTIES = ['ExperimentName', 'TrialName'];

export function ruleProblems(definition: unknown): DefinitionProblem[] {
  if (!isObject(definition)) return [{ path: '$', message: 'a pipeline definition must be a JSON object with Version, Parameters and Steps' }];
  const problems: DefinitionProblem[] = [];
  const report = (path: Path, message: string): void => {
    problems.push({ path: jsonPath(path), message });
  };

  const parameters = checkParameters(definition.Parameters, report);
  const steps = collectSteps(definition.Steps, ['Steps'], undefined);
  const byName = new Map<string, StepEntry>();
  for (const entry of steps) {
    if (entry.name === undefined) continue;
    const bad = nameProblem('step', entry.name);
    if (bad) report([...entry.path, 'Name'], bad);
    const first = byName.get(entry.name);
    if (first) report([...entry.path, 'Name'], `the step name "${entry.name}" is already used at ${jsonPath(first.path)}; step names must be unique, branches of Condition steps included`);
    else byName.set(entry.name, entry);
  }

  const graph = new Map<string, Set<string>>();
  const context: ReferenceContext = { parameters, steps: byName, report };
  for (const entry of steps) {
    const deps = new Set<string>();
    if (entry.name !== undefined && !graph.has(entry.name)) graph.set(entry.name, deps);
    if (entry.parent !== undefined) deps.add(entry.parent);
    arrayAt(entry.json.DependsOn).forEach((dep, i) => {
      const path = [...entry.path, 'DependsOn', i];
      if (typeof dep !== 'string') return;
      if (dep === entry.name) report(path, 'a step cannot depend on itself');
      else if (!byName.has(dep)) report(path, `names step "${dep}", which is not in the definition (steps: ${[...byName.keys()].join(', ')})`);
      else deps.add(dep);
    });
    if (entry.type === 'Processing') checkPropertyFiles(entry, report);
    // A Condition step's branches are steps of their own (collected above); only its conditions are its arguments.
    const args = entry.type === 'Condition' && isObject(entry.json.Arguments) ? { Conditions: entry.json.Arguments.Conditions } : entry.json.Arguments;
    visitReferences(args, [...entry.path, 'Arguments'], { ...context, owner: entry, deps });
  }
  if (definition.PipelineExperimentConfig !== undefined) {
    visitReferences(definition.PipelineExperimentConfig, ['PipelineExperimentConfig'], { ...context, owner: undefined, deps: new Set() });
  }

  const cycle = findCycle(graph);
  if (cycle) report(['Steps'], `the steps wait for each other in a cycle: ${cycle.join(' -> ')} (each waits for the next through a Get, DependsOn or an enclosing Condition step)`);
  return problems;
}

type Report = (path: Path, message: string) => void;

function checkParameters(value: unknown, report: Report): Set<string> {
  const names = new Set<string>();
  arrayAt(value).forEach((parameter, i) => {
    if (!isObject(parameter) || typeof parameter.Name !== 'string') return;
    const path: Path = ['Parameters', i];
    const bad = nameProblem('parameter', parameter.Name);
    if (bad) report([...path, 'Name'], bad);
    if (names.has(parameter.Name)) report([...path, 'Name'], `the parameter "${parameter.Name}" is declared twice`);
    names.add(parameter.Name);
    const type = parameter.Type ?? 'String';
    if (typeof type !== 'string' || !PARAMETER_TYPES.includes(type)) {
      report([...path, 'Type'], `the type ${JSON.stringify(type)} is not a parameter type; use String, Integer, Float or Boolean`);
      return;
    }
    const fault = parameter.DefaultValue === undefined ? undefined : defaultValueFault(type, parameter.DefaultValue);
    if (fault) report([...path, 'DefaultValue'], `the default ${JSON.stringify(parameter.DefaultValue)} of ${type} parameter "${parameter.Name}" ${fault}`);
  });
  return names;
}

function defaultValueFault(type: string, value: unknown): string | undefined {
  if (type === 'String') return typeof value === 'string' ? undefined : 'must be a string (quote it)';
  if (type === 'Integer') return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : 'must be a whole number';
  if (type === 'Float') return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
  return typeof value === 'boolean' ? undefined : 'must be true or false';
}

function collectSteps(value: unknown, path: Path, parent: string | undefined): StepEntry[] {
  const entries: StepEntry[] = [];
  arrayAt(value).forEach((step, i) => {
    if (!isObject(step)) return;
    const at: Path = [...path, i];
    const name = typeof step.Name === 'string' ? step.Name : undefined;
    entries.push({ json: step, path: at, name, type: step.Type, parent });
    if (step.Type === 'Condition' && isObject(step.Arguments)) {
      entries.push(...collectSteps(step.Arguments.IfSteps, [...at, 'Arguments', 'IfSteps'], name));
      entries.push(...collectSteps(step.Arguments.ElseSteps, [...at, 'Arguments', 'ElseSteps'], name));
    }
  });
  return entries;
}

function checkPropertyFiles(entry: StepEntry, report: Report): void {
  const args = isObject(entry.json.Arguments) ? entry.json.Arguments : {};
  const outputConfig = isObject(args.ProcessingOutputConfig) ? args.ProcessingOutputConfig : {};
  const outputs = arrayAt(outputConfig.Outputs).flatMap((o) => (isObject(o) && typeof o.OutputName === 'string' ? [o.OutputName] : []));
  const seen = new Set<string>();
  arrayAt(entry.json.PropertyFiles).forEach((file, i) => {
    if (!isObject(file)) return;
    const path = [...entry.path, 'PropertyFiles', i];
    if (typeof file.PropertyFileName === 'string') {
      if (seen.has(file.PropertyFileName)) report([...path, 'PropertyFileName'], `the property file name "${file.PropertyFileName}" is used twice in this step`);
      seen.add(file.PropertyFileName);
    }
    if (typeof file.OutputName === 'string' && !outputs.includes(file.OutputName)) {
      report([...path, 'OutputName'], `names output "${file.OutputName}", which this step does not have (outputs: ${outputs.join(', ') || 'none'})`);
    }
  });
}

function propertyFilesOf(step: StepEntry): string[] {
  return arrayAt(step.json.PropertyFiles).flatMap((f) => (isObject(f) && typeof f.PropertyFileName === 'string' ? [f.PropertyFileName] : []));
}

interface ReferenceContext {
  parameters: ReadonlySet<string>;
  steps: ReadonlyMap<string, StepEntry>;
  report: Report;
}

interface VisitContext extends ReferenceContext {
  /** The step whose arguments these are; undefined for PipelineExperimentConfig. */
  owner: StepEntry | undefined;
  deps: Set<string>;
}

function visitReferences(value: unknown, path: Path, context: VisitContext): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => visitReferences(item, [...path, i], context));
    return;
  }
  if (!isObject(value)) return;
  if (typeof value.Get === 'string') {
    checkGet(value.Get, [...path, 'Get'], context, false);
    return;
  }
  const jsonGet = value['Std:JsonGet'];
  if (isObject(jsonGet)) {
    checkJsonGet(jsonGet, [...path, 'Std:JsonGet'], context);
    return;
  }
  for (const [key, item] of Object.entries(value)) visitReferences(item, [...path, key], context);
}

function checkJsonGet(jsonGet: Json, path: Path, context: VisitContext): void {
  const file = isObject(jsonGet.PropertyFile) ? jsonGet.PropertyFile.Get : undefined;
  if (typeof file !== 'string' || !/^Steps\.[^.]+\.PropertyFiles\.[^.]+$/.test(file)) {
    context.report([...path, 'PropertyFile'], 'must be {"Get": "Steps.<processing step>.PropertyFiles.<property file name>"}');
  } else {
    checkGet(file, [...path, 'PropertyFile', 'Get'], context, true);
  }
  if (typeof jsonGet.Path === 'string') {
    const bad = jsonPathProblem(jsonGet.Path);
    if (bad) context.report([...path, 'Path'], bad);
  }
}

function checkGet(reference: string, path: Path, context: VisitContext, inJsonGet: boolean): void {
  const [namespace, name, ...rest] = reference.split('.');
  const { report } = context;
  switch (namespace) {
    case 'Parameters':
      if (name === undefined || !context.parameters.has(name) || rest.length > 0) {
        report(path, `"${reference}" names no declared parameter (declared: ${[...context.parameters].join(', ') || 'none'}); declare it in Parameters or fix the name`);
      }
      return;
    case 'Execution':
      if (!(EXECUTION_VARIABLES as readonly string[]).includes(name ?? '') || rest.length > 0) {
        report(path, `"${reference}" is not an execution variable; use one of ${EXECUTION_VARIABLES.map((v) => `Execution.${v}`).join(', ')}`);
      }
      return;
    case 'PipelineExperimentConfig':
      if (!EXPERIMENT_PROPERTIES.includes(name ?? '') || rest.length > 0) report(path, `"${reference}" is not a property of PipelineExperimentConfig (ExperimentName, TrialName)`);
      return;
    case 'Steps':
      checkStepGet(reference, name, rest, path, context, inJsonGet);
      return;
    default:
      report(path, `"${reference}" refers to nothing SageMaker knows; a Get starts with Parameters., Execution., Steps. or PipelineExperimentConfig.`);
  }
}

function checkStepGet(reference: string, name: string | undefined, rest: string[], path: Path, context: VisitContext, inJsonGet: boolean): void {
  const { report, owner } = context;
  if (owner === undefined) {
    report(path, `"${reference}": the experiment config is resolved when the execution starts, before any step ran; use parameters or execution variables`);
    return;
  }
  const target = name === undefined ? undefined : context.steps.get(name);
  if (!target || name === undefined) {
    report(path, `"${reference}" names step "${name ?? ''}", which is not in the definition (steps: ${[...context.steps.keys()].join(', ')})`);
    return;
  }
  if (name === owner.name) {
    report(path, `"${reference}": a step cannot read its own properties`);
    return;
  }
  if (rest.length === 0) report(path, `"${reference}" names a step but no property of it, e.g. Steps.${name}.ModelArtifacts.S3ModelArtifacts`);
  if (target.type === 'Fail') report(path, `"${reference}": Fail steps end the execution and have no properties`);
  if (rest[0] === 'PropertyFiles') {
    if (!inJsonGet) report(path, `"${reference}": property files can only be read through Std:JsonGet`);
    const declared = propertyFilesOf(target);
    if (target.type !== 'Processing') report(path, `"${reference}": step "${name}" is a ${String(target.type)} step; only Processing steps have property files`);
    else if (!declared.includes(rest[1] ?? '')) {
      report(path, `"${reference}": step "${name}" declares no property file "${rest[1] ?? ''}" (it declares: ${declared.join(', ') || 'none'}); add it to that step's PropertyFiles`);
    }
  }
  context.deps.add(name);
}

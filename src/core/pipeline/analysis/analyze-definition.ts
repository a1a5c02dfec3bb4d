import { describeJson, isJsonObject, type JsonObject, type JsonValue } from '../../json.ts';
import { isStepType, PIPELINE_DEFINITION_VERSION } from '../compiled-definition-types.ts';
import { dependencyOrder, findCycle } from '../dependencies.ts';
import { nameProblem } from '../names.ts';
import { analyzeCondition } from './conditions.ts';
import { analyzeExpression, type Reference, type ReferenceScope } from './expressions.ts';
import { analyzeManagedSpot, analyzeRetryPolicies } from './job-settings.ts';
import { parseParameters, type ParameterDeclaration } from './parameters.ts';
import { childLocation, DefinitionProblems, type DefinitionProblem } from './problems.ts';

/**
 * The one reading of a compiled pipeline definition, shared by the validator (which adds AWS's JSON schema) and
 * the local runner (which adds what it can run): the checks SageMaker makes at CreatePipeline that a schema
 * cannot state (names and their uniqueness, branches of Condition steps included; parameters and their
 * defaults; property files; every Get, Std:Join and Std:JsonGet and what it refers to; DependsOn; cycles; retry
 * policies), one check CreateTrainingJob makes only when the step starts (managed spot and MaxWaitTimeInSeconds,
 * followed through Condition steps), the dependencies of every step and the order they run in. Written against `unknown`, so it reports what it can
 * of a malformed definition and never throws on one.
 */

export interface PropertyFileDeclaration {
  name: string;
  outputName: string;
  filePath: string;
}

/** One step of the definition, top level or inside a Condition step's IfSteps/ElseSteps. */
export interface AnalyzedStep {
  name: string;
  /** As written; the validator's schema or the local runner judge whether it is a type they know. */
  type: string | undefined;
  /** Location of the step object, e.g. `Steps[2].Arguments.IfSteps[0]`. */
  location: string;
  /** The step object as written. */
  json: JsonObject;
  /** Its Arguments ({} when missing, which is a problem). */
  arguments: JsonObject;
  propertyFiles: PropertyFileDeclaration[];
  /** Every step this one waits for: DependsOn, then its Condition, then the steps it reads properties from. */
  dependencies: string[];
  /** Set for a step inside a Condition: it runs only when that Condition's outcome is `outcome`. */
  branch?: { condition: string; outcome: boolean };
  /** Every sound reference in its arguments (for a Condition step: in its Conditions). */
  references: Reference[];
}

export interface DefinitionAnalysis {
  parameters: ParameterDeclaration[];
  /** Steps in definition order, each Condition's branch steps right after it; steps without a name are left out. */
  steps: AnalyzedStep[];
  /** Steps in the order they run: dependencies first, ties broken by definition order. Empty when there is a cycle. */
  order: AnalyzedStep[];
  /** Every problem found; the definition is sound when this is empty. */
  problems: DefinitionProblem[];
}

interface RawStep {
  json: JsonObject;
  location: string;
  branch?: { condition: string; outcome: boolean };
}

export function analyzeDefinition(input: unknown): DefinitionAnalysis {
  const problems = new DefinitionProblems();
  if (!isJsonObject(input)) {
    problems.add('', `a pipeline definition is a JSON object with Version, Parameters and Steps, found ${describeJson(input)}`);
    return { parameters: [], steps: [], order: [], problems: problems.items };
  }
  const definition = input as JsonObject;
  const version = definition['Version'];
  if (version !== PIPELINE_DEFINITION_VERSION) problems.add('Version', `must be "${PIPELINE_DEFINITION_VERSION}", the one version of the definition format SageMaker reads; found ${describeJson(version)}`);
  const parameters = parseParameters(definition['Parameters'], problems);

  const raw: RawStep[] = [];
  const topSteps = definition['Steps'];
  if (!Array.isArray(topSteps) || topSteps.length === 0) problems.add('Steps', `must be a non-empty list of steps, found ${describeJson(topSteps)}`);
  else collectSteps(topSteps, 'Steps', undefined, raw, problems);

  const steps = raw.flatMap((r) => readStep(r, problems));
  const byName = new Map<string, AnalyzedStep>();
  for (const step of steps) {
    const first = byName.get(step.name);
    if (first) problems.add(childLocation(step.location, 'Name'), `the step name "${step.name}" is already used at ${first.location}; step names must be unique, branches of Condition steps included`);
    else byName.set(step.name, step);
  }

  const known = new Map([...byName].map(([name, s]) => [name, { type: s.type, propertyFiles: s.propertyFiles.map((f) => f.name) }]));
  const parameterNames = new Set(parameters.map((p) => p.name));
  for (const step of steps) {
    analyzeStep(step, { parameters: parameterNames, steps: known, owner: step.name }, byName, problems);
    analyzeRetryPolicies(step, problems);
    analyzeManagedSpot(step, byName, problems);
  }
  if (definition['PipelineExperimentConfig'] !== undefined) {
    analyzeExpression(definition['PipelineExperimentConfig'], 'PipelineExperimentConfig', { parameters: parameterNames, steps: known, owner: undefined }, problems, []);
  }

  const graph = new Map([...byName].map(([name, step]) => [name, new Set(step.dependencies)]));
  const cycle = findCycle(graph);
  if (cycle) {
    problems.add('Steps', `the steps wait for each other in a cycle: ${cycle.join(' -> ')} (each waits for the next through a Get, DependsOn or an enclosing Condition step)`);
    return { parameters, steps, order: [], problems: problems.items };
  }
  const order = dependencyOrder(graph).map((name) => byName.get(name) as AnalyzedStep);
  return { parameters, steps, order, problems: problems.items };
}

/** Flattens top-level and branch steps in definition order (each branch right after its Condition). */
function collectSteps(list: readonly JsonValue[], location: string, branch: RawStep['branch'], out: RawStep[], problems: DefinitionProblems): void {
  list.forEach((item, i) => {
    const at = childLocation(location, i);
    if (!isJsonObject(item)) return problems.add(at, `a step is an object with Name, Type and Arguments, found ${describeJson(item)}`);
    out.push(branch ? { json: item, location: at, branch } : { json: item, location: at });
    const args = item['Arguments'];
    if (item['Type'] !== 'Condition' || !isJsonObject(args)) return;
    const name = item['Name'];
    for (const [key, outcome] of [['IfSteps', true], ['ElseSteps', false]] as const) {
      const nested = args[key];
      const nestedAt = childLocation(childLocation(at, 'Arguments'), key);
      if (nested === undefined) continue;
      if (!Array.isArray(nested)) problems.add(nestedAt, `must be a list of steps, found ${describeJson(nested)}`);
      else collectSteps(nested, nestedAt, typeof name === 'string' ? { condition: name, outcome } : undefined, out, problems);
    }
  });
}

function readStep({ json, location, branch }: RawStep, problems: DefinitionProblems): AnalyzedStep[] {
  const name = json['Name'];
  if (typeof name !== 'string') {
    problems.add(childLocation(location, 'Name'), `a step needs a Name (a string), found ${describeJson(name)}`);
    return [];
  }
  const bad = nameProblem('step', name);
  if (bad) problems.add(childLocation(location, 'Name'), bad);
  const type = typeof json['Type'] === 'string' ? json['Type'] : undefined;
  const args = json['Arguments'];
  if (!isJsonObject(args)) problems.add(childLocation(location, 'Arguments'), `step "${name}" needs an Arguments object, found ${describeJson(args)}`);
  const dependencies: string[] = [];
  const dependsOn = json['DependsOn'];
  if (dependsOn !== undefined && !Array.isArray(dependsOn)) problems.add(childLocation(location, 'DependsOn'), 'must be a list of step names');
  else (dependsOn ?? []).forEach((dep, i) => {
    if (typeof dep !== 'string') problems.add(childLocation(childLocation(location, 'DependsOn'), i), `must be a step name, found ${describeJson(dep)}`);
    else if (!dependencies.includes(dep)) dependencies.push(dep);
  });
  if (branch && !dependencies.includes(branch.condition)) dependencies.push(branch.condition);
  const step: AnalyzedStep = {
    name,
    type,
    location,
    json,
    arguments: isJsonObject(args) ? args : {},
    propertyFiles: readPropertyFiles(json, name, type, location, problems),
    dependencies,
    references: [],
  };
  if (branch) step.branch = branch;
  return [step];
}

function readPropertyFiles(json: JsonObject, name: string, type: string | undefined, location: string, problems: DefinitionProblems): PropertyFileDeclaration[] {
  const files = json['PropertyFiles'];
  const at = childLocation(location, 'PropertyFiles');
  if (files === undefined) return [];
  if (type !== 'Processing') {
    // A step of an unknown type has a wrong Type (reported by whoever reads the type), not misplaced property files.
    if (isStepType(type)) problems.add(at, `only Processing steps declare PropertyFiles (this is a ${type} step)`);
    return [];
  }
  if (!Array.isArray(files)) {
    problems.add(at, 'must be a list');
    return [];
  }
  const args = isJsonObject(json['Arguments']) ? json['Arguments'] : {};
  const outputConfig = args['ProcessingOutputConfig'];
  const outputs = isJsonObject(outputConfig) && Array.isArray(outputConfig['Outputs']) ? outputConfig['Outputs'].flatMap((o) => (isJsonObject(o) && typeof o['OutputName'] === 'string' ? [o['OutputName']] : [])) : [];
  const declarations: PropertyFileDeclaration[] = [];
  files.forEach((file, i) => {
    const fileAt = childLocation(at, i);
    if (!isJsonObject(file) || typeof file['PropertyFileName'] !== 'string' || typeof file['OutputName'] !== 'string' || typeof file['FilePath'] !== 'string') {
      return problems.add(fileAt, `a property file is {"PropertyFileName", "OutputName", "FilePath"} (strings), found ${describeJson(file)}`);
    }
    const declaration = { name: file['PropertyFileName'], outputName: file['OutputName'], filePath: file['FilePath'] };
    if (declarations.some((d) => d.name === declaration.name)) problems.add(childLocation(fileAt, 'PropertyFileName'), `the property file name "${declaration.name}" is used twice in this step`);
    if (!outputs.includes(declaration.outputName)) problems.add(childLocation(fileAt, 'OutputName'), `names output "${declaration.outputName}", which this step does not have (outputs: ${outputs.join(', ') || 'none'})`);
    if (declaration.filePath.startsWith('/') || declaration.filePath.split('/').includes('..')) problems.add(childLocation(fileAt, 'FilePath'), 'must be a relative path inside the output');
    declarations.push(declaration);
  });
  return declarations;
}

function analyzeStep(step: AnalyzedStep, scope: ReferenceScope, byName: ReadonlyMap<string, AnalyzedStep>, problems: DefinitionProblems): void {
  const argsAt = childLocation(step.location, 'Arguments');
  // Missing Arguments are reported once (readStep), not again as each argument the type needs.
  const hasArguments = isJsonObject(step.json['Arguments']);
  if (step.type === 'Condition' && hasArguments) {
    // A Condition step's branches are steps of their own (read above); only its conditions are its arguments.
    const conditions = step.arguments['Conditions'];
    const at = childLocation(argsAt, 'Conditions');
    if (!Array.isArray(conditions) || conditions.length === 0) problems.add(at, 'a Condition step needs a non-empty list of Conditions');
    else conditions.forEach((c, i) => analyzeCondition(c, childLocation(at, i), scope, problems, step.references));
  } else if (step.type !== 'Condition') {
    analyzeExpression(step.arguments, argsAt, scope, problems, step.references);
  }
  if (step.type === 'Fail' && hasArguments && step.arguments['ErrorMessage'] === undefined) problems.add(childLocation(argsAt, 'ErrorMessage'), 'a Fail step needs an ErrorMessage');

  const dependsOn = step.json['DependsOn'];
  if (Array.isArray(dependsOn)) {
    dependsOn.forEach((dep, i) => {
      if (typeof dep !== 'string') return;
      const at = childLocation(childLocation(step.location, 'DependsOn'), i);
      if (dep === step.name) problems.add(at, 'a step cannot depend on itself');
      else if (!byName.has(dep)) problems.add(at, `names step "${dep}", which is not in the definition (steps: ${[...byName.keys()].join(', ')})`);
    });
  }
  step.dependencies = step.dependencies.filter((dep) => dep !== step.name && byName.has(dep));
  for (const { target } of step.references) {
    if ((target.kind === 'step' || target.kind === 'propertyFile') && !step.dependencies.includes(target.step)) step.dependencies.push(target.step);
  }
}

import { describeJson, isJsonObject, type JsonObject, type JsonValue } from '../../json.ts';
import { EXECUTION_VARIABLES, type ExecutionVariableName } from '../names.ts';
import { parseSegments, type PathSegment } from './access-path.ts';
import { childLocation, type DefinitionProblems } from './problems.ts';

/**
 * The functions of a compiled definition (`Get`, `Std:Join`, `Std:JsonGet`): how they are read, and the checks of
 * what they refer to. The analysis uses this to find problems and dependencies; the local runner uses the same
 * reading (classifyFunction) to resolve them at run time.
 */

export const EXPERIMENT_CONFIG_PROPERTIES = ['ExperimentName', 'TrialName'] as const;
export type ExperimentConfigProperty = (typeof EXPERIMENT_CONFIG_PROPERTIES)[number];

/** What the string of a `Get` refers to. */
export type GetTarget =
  | { kind: 'parameter'; name: string }
  | { kind: 'execution'; name: ExecutionVariableName }
  | { kind: 'experimentConfig'; name: ExperimentConfigProperty }
  | { kind: 'step'; step: string; path: PathSegment[] }
  | { kind: 'propertyFile'; step: string; file: string };

export type JsonGetSource = { kind: 'propertyFile'; step: string; file: string } | { kind: 's3Uri'; uri: JsonValue };

/** A function object, read. */
export type FunctionNode =
  | { kind: 'get'; target: GetTarget; text: string }
  | { kind: 'join'; on: string; values: JsonValue[] }
  | { kind: 'jsonGet'; source: JsonGetSource; path: PathSegment[]; pathText: string };

const STEP_NAME = /^[A-Za-z0-9_-]+/;

/** Reads the string of a `Get`: `Parameters.X`, `Execution.X`, `PipelineExperimentConfig.X`, `Steps.X.<path>`, `Steps.X.PropertyFiles.Y`. */
export function parseGetTarget(reference: string): GetTarget | string {
  const [namespace] = reference.split('.', 1);
  const rest = reference.slice((namespace?.length ?? 0) + 1);
  switch (namespace) {
    case 'Parameters':
      return /^[A-Za-z0-9_-]+$/.test(rest) ? { kind: 'parameter', name: rest } : `"${reference}" is not a parameter reference (Parameters.<name>)`;
    case 'Execution': {
      const known = EXECUTION_VARIABLES.find((v) => v === rest);
      return known ? { kind: 'execution', name: known } : `"${reference}" is not an execution variable; use one of ${EXECUTION_VARIABLES.map((v) => `Execution.${v}`).join(', ')}`;
    }
    case 'PipelineExperimentConfig': {
      const known = EXPERIMENT_CONFIG_PROPERTIES.find((p) => p === rest);
      return known ? { kind: 'experimentConfig', name: known } : `"${reference}" is not a property of PipelineExperimentConfig (${EXPERIMENT_CONFIG_PROPERTIES.join(', ')})`;
    }
    case 'Steps': {
      const step = STEP_NAME.exec(rest)?.[0];
      if (step === undefined) return `"${reference}" does not name a step (Steps.<step name>.<property>)`;
      const segments = parseSegments(rest.slice(step.length), false);
      if (typeof segments === 'string') return `property path of "${reference}": ${segments}`;
      if (segments.length === 0) return `"${reference}" names a step but no property of it, e.g. Steps.${step}.ModelArtifacts.S3ModelArtifacts`;
      const [first, second, third] = segments;
      if (first?.kind === 'name' && first.name === 'PropertyFiles') {
        if (second?.kind !== 'name' || third) return `"${reference}": a property file reference is Steps.<step>.PropertyFiles.<name>`;
        return { kind: 'propertyFile', step, file: second.name };
      }
      return { kind: 'step', step, path: segments };
    }
    default:
      return `"${reference}" refers to nothing SageMaker knows; a Get starts with Parameters., Execution., Steps. or PipelineExperimentConfig.`;
  }
}

const FUNCTION_KEYS = ['Get', 'Std:Join', 'Std:JsonGet'];

/**
 * Recognises a function object: null for a plain object, a message for a malformed or unknown function (any
 * `Std:` key other than Join and JsonGet is refused rather than taken for data).
 */
export function classifyFunction(node: JsonObject): FunctionNode | null | string {
  const keys = Object.keys(node);
  if (!keys.some((k) => FUNCTION_KEYS.includes(k) || k.startsWith('Std:'))) return null;
  if (keys.length !== 1) return `a function object holds exactly one key, found ${describeJson(keys)}`;
  const key = keys[0] as string;
  const body = node[key] as JsonValue;
  if (key === 'Get') {
    if (typeof body !== 'string') return `Get takes a string such as "Parameters.Epochs", found ${describeJson(body)}`;
    const target = parseGetTarget(body);
    return typeof target === 'string' ? target : { kind: 'get', target, text: body };
  }
  if (key === 'Std:Join') {
    if (!isJsonObject(body) || typeof body['On'] !== 'string' || !Array.isArray(body['Values'])) return `Std:Join takes {"On": string, "Values": [...]}, found ${describeJson(body)}`;
    return { kind: 'join', on: body['On'], values: body['Values'] };
  }
  if (key === 'Std:JsonGet') {
    if (!isJsonObject(body) || typeof body['Path'] !== 'string') return `Std:JsonGet takes {"PropertyFile": {"Get": ...} or "S3Uri": ..., "Path": string}, found ${describeJson(body)}`;
    const pathText = body['Path'];
    const path = parseSegments(pathText.replace(/^\$\.?/, ''), true);
    if (typeof path === 'string') return `Std:JsonGet Path: ${path}`;
    if (path.length === 0) return `Std:JsonGet Path ${JSON.stringify(pathText)} selects nothing`;
    const propertyFile = body['PropertyFile'];
    if (propertyFile !== undefined) {
      const ref = isJsonObject(propertyFile) && typeof propertyFile['Get'] === 'string' ? parseGetTarget(propertyFile['Get']) : 'PropertyFile must be {"Get": "Steps.<step>.PropertyFiles.<name>"}';
      if (typeof ref === 'string') return `Std:JsonGet ${ref}`;
      if (ref.kind !== 'propertyFile') return `Std:JsonGet PropertyFile must be a Steps.<step>.PropertyFiles.<name> reference, found ${describeJson(propertyFile)}`;
      return { kind: 'jsonGet', source: { kind: 'propertyFile', step: ref.step, file: ref.file }, path, pathText };
    }
    if (body['S3Uri'] !== undefined) return { kind: 'jsonGet', source: { kind: 's3Uri', uri: body['S3Uri'] }, path, pathText };
    return 'Std:JsonGet needs a PropertyFile or an S3Uri';
  }
  return `unsupported function "${key}" (a definition may use Get, Std:Join and Std:JsonGet)`;
}

/** What references are checked against. */
export interface ReferenceScope {
  parameters: ReadonlySet<string>;
  /** Steps by name, with their type as written and the property files they declare. */
  steps: ReadonlyMap<string, { type: string | undefined; propertyFiles: readonly string[] }>;
  /** The step whose arguments these are; undefined for PipelineExperimentConfig, resolved before any step runs. */
  owner: string | undefined;
}

/** A `Get` (or the property file of a `Std:JsonGet`) that refers to something that exists, and where it is. */
export interface Reference {
  location: string;
  target: GetTarget;
}

/**
 * Checks every function inside `value` against the scope; problems go to `problems` with their location, and
 * every sound reference is appended to `references` (a step's dependencies are the steps among them).
 */
export function analyzeExpression(value: JsonValue | undefined, location: string, scope: ReferenceScope, problems: DefinitionProblems, references: Reference[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => analyzeExpression(item, childLocation(location, i), scope, problems, references));
    return;
  }
  if (!isJsonObject(value)) return;
  const fn = classifyFunction(value);
  if (typeof fn === 'string') {
    problems.add(problemLocation(value, location), fn);
    return;
  }
  if (fn === null) {
    for (const [key, child] of Object.entries(value)) analyzeExpression(child, childLocation(location, key), scope, problems, references);
    return;
  }
  switch (fn.kind) {
    case 'get':
      checkReference(fn.target, fn.text, childLocation(location, 'Get'), scope, problems, references, false);
      return;
    case 'join':
      analyzeExpression(fn.values, childLocation(childLocation(location, 'Std:Join'), 'Values'), scope, problems, references);
      return;
    case 'jsonGet': {
      const at = childLocation(location, 'Std:JsonGet');
      if (fn.source.kind === 's3Uri') {
        analyzeExpression(fn.source.uri, childLocation(at, 'S3Uri'), scope, problems, references);
        return;
      }
      const { step, file } = fn.source;
      checkReference({ kind: 'propertyFile', step, file }, `Steps.${step}.PropertyFiles.${file}`, childLocation(childLocation(at, 'PropertyFile'), 'Get'), scope, problems, references, true);
    }
  }
}

/** A `Get` whose string cannot be read is wrong at its string; any other malformed function at the object. */
export function problemLocation(node: JsonObject, location: string): string {
  return typeof node['Get'] === 'string' && Object.keys(node).length === 1 ? childLocation(location, 'Get') : location;
}

function checkReference(target: GetTarget, text: string, location: string, scope: ReferenceScope, problems: DefinitionProblems, references: Reference[], inJsonGet: boolean): void {
  const problem = referenceProblem(target, text, scope, inJsonGet);
  if (problem === undefined) references.push({ location, target });
  else problem.forEach((message) => problems.add(location, message));
}

function referenceProblem(target: GetTarget, text: string, scope: ReferenceScope, inJsonGet: boolean): string[] | undefined {
  switch (target.kind) {
    case 'parameter':
      if (scope.parameters.has(target.name)) return undefined;
      return [`"${text}" names no declared parameter (declared: ${[...scope.parameters].join(', ') || 'none'}); declare it in Parameters or fix the name`];
    case 'execution':
    case 'experimentConfig':
      return undefined;
    case 'step':
    case 'propertyFile': {
      if (scope.owner === undefined) return [`"${text}": the experiment config is resolved when the execution starts, before any step ran; use parameters or execution variables`];
      const step = scope.steps.get(target.step);
      if (!step) return [`"${text}" names step "${target.step}", which is not in the definition (steps: ${[...scope.steps.keys()].join(', ')})`];
      if (target.step === scope.owner) return [`"${text}": a step cannot read its own properties`];
      if (step.type === 'Fail') return [`"${text}": Fail steps end the execution and have no properties`];
      if (target.kind === 'step') return undefined;
      const problems: string[] = [];
      if (!inJsonGet) problems.push(`"${text}": property files can only be read through Std:JsonGet`);
      if (step.type !== 'Processing') problems.push(`"${text}": step "${target.step}" is a ${String(step.type)} step; only Processing steps have property files`);
      else if (!step.propertyFiles.includes(target.file)) {
        problems.push(`"${text}": step "${target.step}" declares no property file "${target.file}" (it declares: ${step.propertyFiles.join(', ') || 'none'}); add it to that step's PropertyFiles`);
      }
      return problems.length > 0 ? problems : undefined;
    }
  }
}


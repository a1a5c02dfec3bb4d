import { EXECUTION_VARIABLES, type ExecutionVariableName } from '../../core/pipeline/compiled.ts';
import { describeJson, isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import { formatSegments, lookupPath, parseSegments, type PathSegment } from './access-path.ts';
import { ResolutionError, type ProblemList } from './errors.ts';
import { STEP_PROPERTY_ROOTS, type StepType } from './step-types.ts';

export type GetTarget =
  | { kind: 'parameter'; name: string }
  | { kind: 'execution'; name: ExecutionVariableName }
  | { kind: 'step'; step: string; path: PathSegment[] }
  | { kind: 'propertyFile'; step: string; file: string };

type JsonGetSource = { kind: 'propertyFile'; step: string; file: string; location: string } | { kind: 's3Uri'; uri: JsonValue; location: string };

/** The functions a definition may use, as the SageMaker SDK writes them. */
type FunctionNode =
  | { kind: 'get'; target: GetTarget }
  | { kind: 'join'; on: string; values: JsonValue[] }
  | { kind: 'jsonGet'; source: JsonGetSource; path: PathSegment[]; pathText: string };

const STEP_NAME = /^[A-Za-z0-9_-]+/;

/** Parses the string of a `Get`: `Parameters.X`, `Execution.X`, `Steps.X.<path>` or `Steps.X.PropertyFiles.Y`. */
export function parseGetTarget(path: string): GetTarget | string {
  if (path.startsWith('Parameters.')) {
    const name = path.slice('Parameters.'.length);
    return /^[A-Za-z0-9_-]+$/.test(name) ? { kind: 'parameter', name } : `"${path}" is not a parameter reference (Parameters.<name>)`;
  }
  if (path.startsWith('Execution.')) {
    const name = path.slice('Execution.'.length);
    const known = EXECUTION_VARIABLES.find((v) => v === name);
    return known ? { kind: 'execution', name: known } : `unknown execution variable "${name}" (known: ${EXECUTION_VARIABLES.join(', ')})`;
  }
  if (path.startsWith('Steps.')) {
    const rest = path.slice('Steps.'.length);
    const match = STEP_NAME.exec(rest);
    if (!match) return `"${path}" does not name a step (Steps.<step name>.<property>)`;
    const step = match[0];
    const tail = rest.slice(step.length);
    const segments = parseSegments(tail, false);
    if (typeof segments === 'string') return `property path of "${path}": ${segments}`;
    if (segments.length === 0) return `"${path}" names a step but no property of it`;
    const [first, second, third] = segments;
    if (first?.kind === 'name' && first.name === 'PropertyFiles') {
      if (segments.length !== 2 || second?.kind !== 'name' || third) return `"${path}": a property file reference is Steps.<step>.PropertyFiles.<name>`;
      return { kind: 'propertyFile', step, file: second.name };
    }
    return { kind: 'step', step, path: segments };
  }
  return `unknown reference "${path}" (a Get reads Parameters.<name>, Execution.<variable> or Steps.<step>.<property>)`;
}

const FUNCTION_KEYS = ['Get', 'Std:Join', 'Std:JsonGet'];

/**
 * Recognises a function object. Returns null for a plain object, a message for a malformed or unknown function
 * (any `Std:` key this runner does not implement is refused rather than passed through as data).
 */
function classify(node: JsonObject): FunctionNode | null | string {
  const keys = Object.keys(node);
  const fnKeys = keys.filter((k) => FUNCTION_KEYS.includes(k) || k.startsWith('Std:'));
  if (fnKeys.length === 0) return null;
  if (keys.length !== 1) return `a function object holds exactly one key, found ${describeJson(keys)}`;
  const key = keys[0] as string;
  const body = node[key] as JsonValue;
  if (key === 'Get') {
    if (typeof body !== 'string') return `Get takes a string such as "Parameters.Epochs", found ${describeJson(body)}`;
    const target = parseGetTarget(body);
    return typeof target === 'string' ? target : { kind: 'get', target };
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
      return { kind: 'jsonGet', source: { kind: 'propertyFile', step: ref.step, file: ref.file, location: 'PropertyFile' }, path, pathText };
    }
    if (body['S3Uri'] !== undefined) return { kind: 'jsonGet', source: { kind: 's3Uri', uri: body['S3Uri'], location: 'S3Uri' }, path, pathText };
    return 'Std:JsonGet needs a PropertyFile or an S3Uri';
  }
  return `unsupported function "${key}" (this runner implements Get, Std:Join and Std:JsonGet)`;
}

/** What static analysis needs to know about the other parts of the definition. */
export interface AnalysisScope {
  parameterNames: ReadonlySet<string>;
  steps: ReadonlyMap<string, { type: StepType; propertyFiles: ReadonlySet<string> }>;
}

/**
 * Checks every function inside `value` against the scope and returns the names of the steps it reads from
 * (its implicit dependencies). Problems go to `problems` with their JSON location.
 */
export function analyzeExpression(value: JsonValue, location: string, scope: AnalysisScope, problems: ProblemList, referenced = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    value.forEach((item, i) => analyzeExpression(item, `${location}[${i}]`, scope, problems, referenced));
    return referenced;
  }
  if (!isJsonObject(value)) return referenced;
  const fn = classify(value);
  if (typeof fn === 'string') {
    problems.add(location, fn);
    return referenced;
  }
  if (fn === null) {
    for (const [key, child] of Object.entries(value)) analyzeExpression(child, `${location}.${key}`, scope, problems, referenced);
    return referenced;
  }
  switch (fn.kind) {
    case 'get':
      checkTarget(fn.target, `${location}.Get`, scope, problems, referenced);
      break;
    case 'join':
      analyzeExpression(fn.values, `${location}['Std:Join'].Values`, scope, problems, referenced);
      break;
    case 'jsonGet':
      if (fn.source.kind === 'propertyFile') checkTarget({ kind: 'propertyFile', step: fn.source.step, file: fn.source.file }, `${location}['Std:JsonGet'].PropertyFile.Get`, scope, problems, referenced);
      else analyzeExpression(fn.source.uri, `${location}['Std:JsonGet'].S3Uri`, scope, problems, referenced);
      break;
  }
  return referenced;
}

function checkTarget(target: GetTarget, location: string, scope: AnalysisScope, problems: ProblemList, referenced: Set<string>): void {
  if (target.kind === 'parameter') {
    if (!scope.parameterNames.has(target.name)) problems.add(location, `unknown parameter "${target.name}" (declared: ${[...scope.parameterNames].join(', ') || 'none'})`);
    return;
  }
  if (target.kind === 'execution') return;
  const step = scope.steps.get(target.step);
  if (!step) {
    problems.add(location, `reference to unknown step "${target.step}" (steps: ${[...scope.steps.keys()].join(', ')})`);
    return;
  }
  referenced.add(target.step);
  if (target.kind === 'propertyFile') {
    if (!step.propertyFiles.has(target.file)) problems.add(location, `step "${target.step}" declares no property file "${target.file}" (declared: ${[...step.propertyFiles].join(', ') || 'none'})`);
    return;
  }
  const root = target.path[0];
  const roots = STEP_PROPERTY_ROOTS[step.type];
  if (root?.kind !== 'name' || !roots.includes(root.name)) {
    problems.add(location, `property "${formatSegments(target.path)}" of ${step.type} step "${target.step}" is not one this runner provides (it provides: ${roots.join(', ') || 'none'})`);
  }
}

/** What resolution reads at run time. */
export interface ResolveScope {
  parameter(name: string): JsonValue | undefined;
  /** Throws ResolutionError-worthy messages as undefined: a job name outside its step has no value. */
  execution(name: ExecutionVariableName): JsonValue | undefined;
  /** The step's properties, or a message saying why it has none (not run yet, skipped, failed). */
  stepProperties(step: string): JsonObject | string;
  /** The parsed JSON of a property file a step produced. */
  propertyFile(step: string, file: string): Promise<JsonValue>;
  /** The parsed JSON of the object at an S3 URI. */
  objectJson(uri: string): Promise<JsonValue>;
}

/** Replaces every function in `value` by its value; the rest of the JSON is copied as is. */
export async function resolveExpression(value: JsonValue, scope: ResolveScope, location: string): Promise<JsonValue> {
  if (Array.isArray(value)) {
    const out: JsonValue[] = [];
    for (let i = 0; i < value.length; i++) out.push(await resolveExpression(value[i] as JsonValue, scope, `${location}[${i}]`));
    return out;
  }
  if (!isJsonObject(value)) return value;
  const fn = classify(value);
  if (typeof fn === 'string') throw new ResolutionError(location, fn);
  if (fn === null) {
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) out[key] = await resolveExpression(child, scope, `${location}.${key}`);
    return out;
  }
  switch (fn.kind) {
    case 'get':
      return resolveGet(fn.target, scope, `${location}.Get`);
    case 'join': {
      const parts: string[] = [];
      for (let i = 0; i < fn.values.length; i++) {
        const where = `${location}['Std:Join'].Values[${i}]`;
        const part = await resolveExpression(fn.values[i] as JsonValue, scope, where);
        if (part === null || typeof part === 'object') throw new ResolutionError(where, `Std:Join joins strings, numbers and booleans; this value is ${describeJson(part)}`);
        parts.push(String(part));
      }
      return parts.join(fn.on);
    }
    case 'jsonGet': {
      const where = `${location}['Std:JsonGet']`;
      let document: JsonValue;
      let source: string;
      if (fn.source.kind === 'propertyFile') {
        source = `property file ${fn.source.file} of step ${fn.source.step}`;
        document = await scope.propertyFile(fn.source.step, fn.source.file);
      } else {
        const uri = await resolveExpression(fn.source.uri, scope, `${where}.S3Uri`);
        if (typeof uri !== 'string') throw new ResolutionError(`${where}.S3Uri`, `must resolve to an S3 URI string, got ${describeJson(uri)}`);
        source = uri;
        document = await scope.objectJson(uri);
      }
      const found = lookupPath(document, fn.path);
      if (!found.found) throw new ResolutionError(where, `Path ${JSON.stringify(fn.pathText)} in ${source}: ${found.message}`);
      return found.value;
    }
  }
}

function resolveGet(target: GetTarget, scope: ResolveScope, location: string): JsonValue {
  switch (target.kind) {
    case 'parameter': {
      const value = scope.parameter(target.name);
      if (value === undefined) throw new ResolutionError(location, `parameter "${target.name}" has no value`);
      return value;
    }
    case 'execution': {
      const value = scope.execution(target.name);
      if (value === undefined) throw new ResolutionError(location, `Execution.${target.name} has no value here (it is the job of the Training or Processing step being resolved)`);
      return value;
    }
    case 'propertyFile':
      throw new ResolutionError(location, `Steps.${target.step}.PropertyFiles.${target.file} can only be read through Std:JsonGet`);
    case 'step': {
      const properties = scope.stepProperties(target.step);
      if (typeof properties === 'string') throw new ResolutionError(location, `cannot read ${formatSegments(target.path)} of step "${target.step}": ${properties}`);
      const found = lookupPath(properties, target.path);
      if (!found.found) throw new ResolutionError(location, `step "${target.step}" has no property ${formatSegments(target.path)}: ${found.message}`);
      return found.value;
    }
  }
}

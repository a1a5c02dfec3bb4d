import { childLocation, classifyFunction, formatSegments, problemLocation, lookupPath, type ExecutionVariableName, type GetTarget } from '../../core/pipeline/compiled.ts';
import { describeJson, isJsonObject, type JsonObject, type JsonValue } from '../json.ts';
import { ResolutionError } from './errors.ts';

/**
 * Resolves the functions of a definition (`Get`, `Std:Join`, `Std:JsonGet`) when a step starts, read the way the
 * core analysis reads them (classifyFunction), so what was checked before the run is what is resolved in it.
 */

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
    for (let i = 0; i < value.length; i++) out.push(await resolveExpression(value[i] as JsonValue, scope, childLocation(location, i)));
    return out;
  }
  if (!isJsonObject(value)) return value;
  const fn = classifyFunction(value);
  if (typeof fn === 'string') throw new ResolutionError(problemLocation(value, location), fn);
  if (fn === null) {
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(value)) out[key] = await resolveExpression(child, scope, childLocation(location, key));
    return out;
  }
  switch (fn.kind) {
    case 'get':
      return resolveGet(fn.target, scope, childLocation(location, 'Get'));
    case 'join': {
      const parts: string[] = [];
      for (let i = 0; i < fn.values.length; i++) {
        const where = childLocation(childLocation(childLocation(location, 'Std:Join'), 'Values'), i);
        const part = await resolveExpression(fn.values[i] as JsonValue, scope, where);
        if (part === null || typeof part === 'object') throw new ResolutionError(where, `Std:Join joins strings, numbers and booleans; this value is ${describeJson(part)}`);
        parts.push(String(part));
      }
      return parts.join(fn.on);
    }
    case 'jsonGet': {
      const where = childLocation(location, 'Std:JsonGet');
      let document: JsonValue;
      let source: string;
      if (fn.source.kind === 'propertyFile') {
        source = `property file ${fn.source.file} of step ${fn.source.step}`;
        document = await scope.propertyFile(fn.source.step, fn.source.file);
      } else {
        const uri = await resolveExpression(fn.source.uri, scope, childLocation(where, 'S3Uri'));
        if (typeof uri !== 'string') throw new ResolutionError(childLocation(where, 'S3Uri'), `must resolve to an S3 URI string, got ${describeJson(uri)}`);
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
    case 'experimentConfig':
      // Refused before the run (runnable-pipeline.ts); here for completeness of the switch.
      throw new ResolutionError(location, `PipelineExperimentConfig.${target.name} is not resolved by the local runner`);
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

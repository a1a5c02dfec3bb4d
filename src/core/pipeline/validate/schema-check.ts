import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { extendedPipelineSchema } from './extended-schema.ts';
import { pointerToLocation, type DefinitionProblem } from '../analysis/problems.ts';

let validator: ValidateFunction | undefined;

function schemaValidator(): ValidateFunction {
  // strict: false because the published schema carries keywords ajv does not know (JoinFunction's `Values`,
  // RegisterModelStep's `ModelPackageName` beside `properties`); in strict mode ajv refuses to compile it.
  // verbose: the parent schema lets "unknown property" messages list the allowed ones.
  validator ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(extendedPipelineSchema());
  return validator;
}

/** Problems the (extended) AWS JSON schema finds, one per place, with their JSON paths. */
export function schemaProblems(definition: unknown): DefinitionProblem[] {
  const validate = schemaValidator();
  if (validate(definition)) return [];
  return summarize(validate.errors ?? []);
}

const UNION = new Set(['oneOf', 'anyOf']);

/**
 * Ajv reports why a value failed every branch of a `oneOf` (not a string, not a Get, not a Join, ...), all at
 * the same place. When some branch got further (errors deeper inside the value), those deeper errors are the
 * real ones and the branch mismatches are dropped; otherwise the mismatches are folded into one message.
 */
function summarize(errors: readonly ErrorObject[]): DefinitionProblem[] {
  const relevant = errors.filter((e) => e.keyword !== 'if');
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of relevant) byPath.set(error.instancePath, [...(byPath.get(error.instancePath) ?? []), error]);
  const deeperExists = (path: string): boolean => [...byPath.keys()].some((other) => other.startsWith(`${path}/`));

  const problems: DefinitionProblem[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string): void => {
    const key = `${path}\u0000${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push({ location: pointerToLocation(path), message });
    }
  };
  for (const [path, group] of byPath) {
    const isUnion = group.some((e) => UNION.has(e.keyword));
    if (!isUnion) {
      mergeEnums(group).forEach((e) => add(path, describe(e)));
      continue;
    }
    if (deeperExists(path)) continue;
    const alternatives = [...new Set(group.filter((e) => !UNION.has(e.keyword)).map(describe))];
    add(path, `matches none of the allowed forms: ${alternatives.join('; or ')}`);
  }
  return problems;
}

/** Branches of a union each list their allowed values for the same place (condition types): say it once. */
function mergeEnums(group: ErrorObject[]): ErrorObject[] {
  const enums = group.filter((e) => e.keyword === 'enum');
  const [first] = enums;
  if (first === undefined || enums.length < 2) return group;
  const allowedValues = [...new Set(enums.flatMap((e) => (e.params as { allowedValues: unknown[] }).allowedValues))];
  const merged: ErrorObject = { ...first, params: { allowedValues } };
  return [merged, ...group.filter((e) => e.keyword !== 'enum')];
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `missing required property "${String(params.missingProperty)}"`;
    case 'additionalProperties': {
      const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
      const allowed = properties ? ` (allowed here: ${Object.keys(properties).join(', ')})` : '';
      return `unknown property "${String(params.additionalProperty)}"${allowed}`;
    }
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (got ${preview(error.data)})`;
    case 'const':
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case 'type':
      return `must be of type ${String(params.type)} (got ${preview(error.data)})`;
    case 'pattern':
      return `${preview(error.data)} does not match the pattern ${String(params.pattern)}`;
    default:
      return error.message ?? `fails "${error.keyword}"`;
  }
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

import { describeJson, isJsonObject, type JsonValue } from '../json.ts';
import type { ProblemList } from './errors.ts';

export const PARAMETER_TYPES = ['String', 'Integer', 'Float', 'Boolean'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];
export type ParameterValue = string | number | boolean;
/** What a caller may pass: the typed value, or its text (as a CLI gets it). */
export type ParameterOverride = string | number | boolean;

export interface ParameterDeclaration {
  name: string;
  type: ParameterType;
  defaultValue?: ParameterValue;
  enumValues?: string[];
}

/** Overrides that do not fit the declared parameters; every problem is listed at once. */
export class ParameterValueError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? `pipeline parameter: ${problems[0]}` : `pipeline parameters:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ParameterValueError';
    this.problems = problems;
  }
}

/** Reads the `Parameters` list of a definition. */
export function parseParameterDeclarations(raw: JsonValue | undefined, problems: ProblemList): ParameterDeclaration[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add('Parameters', `must be a list, found ${describeJson(raw)}`);
    return [];
  }
  const seen = new Set<string>();
  const declarations: ParameterDeclaration[] = [];
  raw.forEach((item, i) => {
    const at = `Parameters[${i}]`;
    if (!isJsonObject(item)) return problems.add(at, `must be an object with Name and Type, found ${describeJson(item)}`);
    const { Name: name, Type: type, DefaultValue: defaultValue, EnumValues: enumValues } = item;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]+$/.test(name)) return problems.add(`${at}.Name`, `must be a name of letters, digits, "_" or "-", found ${describeJson(name)}`);
    if (seen.has(name)) return problems.add(`${at}.Name`, `parameter "${name}" is declared twice`);
    seen.add(name);
    if (typeof type !== 'string' || !(PARAMETER_TYPES as readonly string[]).includes(type)) {
      return problems.add(`${at}.Type`, `unsupported parameter type ${describeJson(type)} of "${name}" (supported: ${PARAMETER_TYPES.join(', ')})`);
    }
    const declaration: ParameterDeclaration = { name, type: type as ParameterType };
    if (enumValues !== undefined) {
      if (!Array.isArray(enumValues) || !enumValues.every((v) => typeof v === 'string')) problems.add(`${at}.EnumValues`, 'must be a list of strings');
      else declaration.enumValues = enumValues as string[];
    }
    if (defaultValue !== undefined && defaultValue !== null) {
      const coerced = coerce(declaration, defaultValue);
      if (typeof coerced === 'object') problems.add(`${at}.DefaultValue`, coerced.problem);
      else declaration.defaultValue = coerced;
    }
    declarations.push(declaration);
  });
  return declarations;
}

/**
 * The value of every parameter for one execution: the override where given, else the default. Unknown names,
 * values of the wrong type and parameters with neither are all reported together.
 */
export function resolveParameters(declarations: readonly ParameterDeclaration[], overrides: Readonly<Record<string, ParameterOverride | undefined>>): Record<string, ParameterValue> {
  const problems: string[] = [];
  const byName = new Map(declarations.map((d) => [d.name, d]));
  for (const name of Object.keys(overrides)) {
    if (!byName.has(name) && overrides[name] !== undefined) problems.push(`unknown parameter "${name}" (the pipeline declares: ${declarations.map((d) => d.name).join(', ')})`);
  }
  const values: Record<string, ParameterValue> = {};
  for (const declaration of declarations) {
    const override = overrides[declaration.name];
    if (override === undefined) {
      if (declaration.defaultValue === undefined) problems.push(`"${declaration.name}" (${declaration.type}) has no default: pass a value`);
      else values[declaration.name] = declaration.defaultValue;
      continue;
    }
    const coerced = coerce(declaration, override);
    if (typeof coerced === 'object') problems.push(coerced.problem);
    else values[declaration.name] = coerced;
  }
  if (problems.length > 0) throw new ParameterValueError(problems);
  return values;
}

/** Typed value of `raw` for `declaration`; text is parsed strictly ("3.5" is not an Integer, "yes" not a Boolean). */
function coerce(declaration: ParameterDeclaration, raw: JsonValue): ParameterValue | { problem: string } {
  const { name, type } = declaration;
  const bad = (what: string): { problem: string } => ({ problem: `"${name}" is a ${type} parameter: ${what}, got ${describeJson(raw)}` });
  let value: ParameterValue;
  switch (type) {
    case 'String':
      if (typeof raw !== 'string') return bad('pass a string');
      value = raw;
      break;
    case 'Integer':
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) value = raw;
      else if (typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) && Number.isSafeInteger(Number(raw))) value = Number(raw);
      else return bad('pass a whole number');
      break;
    case 'Float':
      if (typeof raw === 'number' && Number.isFinite(raw)) value = raw;
      else if (typeof raw === 'string' && /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw.trim())) value = Number(raw);
      else return bad('pass a number');
      break;
    case 'Boolean':
      if (typeof raw === 'boolean') value = raw;
      else if (raw === 'true' || raw === 'false') value = raw === 'true';
      else return bad('pass true or false');
      break;
  }
  if (declaration.enumValues && !declaration.enumValues.includes(String(value))) return bad(`allowed values are ${declaration.enumValues.join(', ')}`);
  return value;
}

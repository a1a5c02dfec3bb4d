import type { ParameterDeclaration, ParameterValue } from '../../core/pipeline/compiled.ts';
import { LocalError } from '../errors.ts';
import { describeJson, type JsonValue } from '../json.ts';

export type { ParameterValue };
/** What a caller may pass: the typed value, or its text (as a CLI gets it). */
export type ParameterOverride = string | number | boolean;

/** Overrides that do not fit the declared parameters; every problem is listed at once. */
export class ParameterValueError extends LocalError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.length === 1 ? `pipeline parameter: ${problems[0]}` : `pipeline parameters:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { audience: 'user' });
    this.problems = problems;
  }
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

/** Typed value of an override for `declaration`; text is parsed strictly ("3.5" is not an Integer, "yes" not a Boolean). */
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

import { describeJson, isJsonObject, type JsonValue } from '../../json.ts';
import { PARAMETER_TYPES, type ParameterTypeName, type ParameterValue } from '../compiled-definition-types.ts';
import { nameProblem } from '../names.ts';
import { childLocation, type DefinitionProblems } from './problems.ts';

/** A parameter a definition declares, read and checked. */
export interface ParameterDeclaration {
  name: string;
  type: ParameterTypeName;
  defaultValue?: ParameterValue;
  /** The values a String parameter may take (the SDK's `enum_values`). */
  enumValues?: string[];
}

/**
 * Reads the `Parameters` list: names SageMaker accepts, declared once, of a known type (String when left out,
 * as SageMaker reads it), with a default of that type. Problems go to `problems` with their location.
 */
export function parseParameters(raw: JsonValue | undefined, problems: DefinitionProblems): ParameterDeclaration[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add('Parameters', `must be a list, found ${describeJson(raw)}`);
    return [];
  }
  const declared = new Set<string>();
  const declarations: ParameterDeclaration[] = [];
  raw.forEach((item, i) => {
    const at = childLocation('Parameters', i);
    if (!isJsonObject(item)) return problems.add(at, `must be an object with Name and Type, found ${describeJson(item)}`);
    const { Name: name, Type: type = 'String', DefaultValue: defaultValue, EnumValues: enumValues } = item;
    if (typeof name !== 'string') return problems.add(childLocation(at, 'Name'), `a parameter needs a Name (a string), found ${describeJson(name)}`);
    const bad = nameProblem('parameter', name);
    if (bad) problems.add(childLocation(at, 'Name'), bad);
    if (declared.has(name)) problems.add(childLocation(at, 'Name'), `the parameter "${name}" is declared twice`);
    declared.add(name);
    if (typeof type !== 'string' || !(PARAMETER_TYPES as readonly string[]).includes(type)) {
      return problems.add(childLocation(at, 'Type'), `the type ${describeJson(type)} is not a parameter type; use ${PARAMETER_TYPES.slice(0, -1).join(', ')} or ${PARAMETER_TYPES.at(-1)}`);
    }
    const declaration: ParameterDeclaration = { name, type: type as ParameterTypeName };
    if (enumValues !== undefined) {
      if (!Array.isArray(enumValues) || !enumValues.every((v) => typeof v === 'string')) problems.add(childLocation(at, 'EnumValues'), 'must be a list of strings');
      else declaration.enumValues = enumValues as string[];
    }
    if (defaultValue !== undefined) {
      const fault = defaultValueFault(declaration, defaultValue);
      if (fault) problems.add(childLocation(at, 'DefaultValue'), `the default ${describeJson(defaultValue)} of ${declaration.type} parameter "${name}" ${fault}`);
      else declaration.defaultValue = defaultValue as ParameterValue;
    }
    if (!declarations.some((d) => d.name === name)) declarations.push(declaration);
  });
  return declarations;
}

function defaultValueFault(declaration: ParameterDeclaration, value: JsonValue): string | undefined {
  const { type, enumValues } = declaration;
  if (type === 'String' && typeof value !== 'string') return 'must be a string (quote it)';
  if (type === 'Integer' && !(typeof value === 'number' && Number.isSafeInteger(value))) return 'must be a whole number';
  if (type === 'Float' && !(typeof value === 'number' && Number.isFinite(value))) return 'must be a number';
  if (type === 'Boolean' && typeof value !== 'boolean') return 'must be true or false';
  if (enumValues && !enumValues.includes(String(value))) return `must be one of its EnumValues (${enumValues.join(', ')})`;
  return undefined;
}

import { describeJson, isJsonObject, type JsonValue } from '../../json.ts';
import { analyzeExpression, type Reference, type ReferenceScope } from './expressions.ts';
import { childLocation, type DefinitionProblems } from './problems.ts';

/** Condition types as the SageMaker SDK writes them (`sagemaker.workflow.conditions`). */
export const COMPARISON_TYPES = ['Equals', 'NotEquals', 'GreaterThan', 'GreaterThanOrEqualTo', 'LessThan', 'LessThanOrEqualTo'] as const;
export const CONDITION_TYPES = [...COMPARISON_TYPES, 'In', 'Not', 'Or'] as const;
export type ComparisonType = (typeof COMPARISON_TYPES)[number];

export function isComparisonType(type: unknown): type is ComparisonType {
  return (COMPARISON_TYPES as readonly unknown[]).includes(type);
}

/** Checks a condition's shape and the expressions inside it; sound references go to `references`. */
export function analyzeCondition(condition: JsonValue | undefined, location: string, scope: ReferenceScope, problems: DefinitionProblems, references: Reference[]): void {
  if (!isJsonObject(condition)) {
    problems.add(location, `a condition is an object with a "Type", found ${describeJson(condition)}`);
    return;
  }
  const type = condition['Type'];
  const expect = (keys: string[]): boolean => {
    const missing = keys.filter((k) => condition[k] === undefined);
    const extra = Object.keys(condition).filter((k) => k !== 'Type' && !keys.includes(k));
    if (missing.length > 0) problems.add(location, `${String(type)} condition needs ${missing.join(', ')}`);
    if (extra.length > 0) problems.add(location, `${String(type)} condition has unknown key(s) ${extra.join(', ')} (expected ${keys.join(', ')})`);
    return missing.length === 0;
  };
  const operand = (key: string): void => analyzeExpression(condition[key], childLocation(location, key), scope, problems, references);
  if (isComparisonType(type)) {
    if (expect(['LeftValue', 'RightValue'])) ['LeftValue', 'RightValue'].forEach(operand);
  } else if (type === 'In') {
    if (expect(['QueryValue', 'Values'])) {
      if (!Array.isArray(condition['Values'])) problems.add(childLocation(location, 'Values'), 'In takes a list of values');
      ['QueryValue', 'Values'].forEach(operand);
    }
  } else if (type === 'Not') {
    if (expect(['Expression'])) analyzeCondition(condition['Expression'], childLocation(location, 'Expression'), scope, problems, references);
  } else if (type === 'Or') {
    if (expect(['Conditions'])) {
      const conditions = condition['Conditions'];
      const at = childLocation(location, 'Conditions');
      if (!Array.isArray(conditions) || conditions.length === 0) problems.add(at, 'Or takes a non-empty list of conditions');
      else conditions.forEach((c, i) => analyzeCondition(c, childLocation(at, i), scope, problems, references));
    }
  } else {
    problems.add(childLocation(location, 'Type'), `unsupported condition type ${describeJson(type)} (SageMaker's condition types are ${CONDITION_TYPES.join(', ')})`);
  }
}

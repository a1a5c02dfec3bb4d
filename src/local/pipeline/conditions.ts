import { isComparisonType, type ComparisonType } from '../../core/pipeline/compiled.ts';
import type { ConditionResult } from '../../core/pipeline/condition-result.ts';
import { describeJson, isJsonObject, type JsonValue } from '../json.ts';
import { ResolutionError } from './errors.ts';
import { resolveExpression, type ResolveScope } from './expressions.ts';

/** Evaluates one condition. Every operand of `Or` is evaluated, so the record shows all the values compared. */
export async function evaluateCondition(condition: JsonValue, scope: ResolveScope, location: string): Promise<ConditionResult> {
  if (!isJsonObject(condition)) throw new ResolutionError(location, `a condition is an object, found ${describeJson(condition)}`);
  const type = condition['Type'];
  if (isComparisonType(type)) {
    const left = await resolveExpression(condition['LeftValue'] as JsonValue, scope, `${location}.LeftValue`);
    const right = await resolveExpression(condition['RightValue'] as JsonValue, scope, `${location}.RightValue`);
    return { type, left, right, outcome: compare(type, left, right, location) };
  }
  if (type === 'In') {
    const query = await resolveExpression(condition['QueryValue'] as JsonValue, scope, `${location}.QueryValue`);
    const values = await resolveExpression(condition['Values'] as JsonValue, scope, `${location}.Values`);
    if (!Array.isArray(values)) throw new ResolutionError(`${location}.Values`, `In takes a list, found ${describeJson(values)}`);
    const comparable = values.filter((v) => sameKind(query, v));
    if (values.length > 0 && comparable.length === 0) {
      throw new ResolutionError(location, `In compares ${kindOf(query)} ${describeJson(query)} with values of other types only: ${describeJson(values)}`);
    }
    return { type, query, values, outcome: comparable.some((v) => v === query) };
  }
  if (type === 'Not') {
    const inner = await evaluateCondition(condition['Expression'] as JsonValue, scope, `${location}.Expression`);
    return { type, operands: [inner], outcome: !inner.outcome };
  }
  if (type === 'Or') {
    const conditions = condition['Conditions'];
    if (!Array.isArray(conditions)) throw new ResolutionError(`${location}.Conditions`, 'Or takes a list of conditions');
    const operands: ConditionResult[] = [];
    for (let i = 0; i < conditions.length; i++) operands.push(await evaluateCondition(conditions[i] as JsonValue, scope, `${location}.Conditions[${i}]`));
    return { type, operands, outcome: operands.some((o) => o.outcome) };
  }
  throw new ResolutionError(`${location}.Type`, `unsupported condition type ${describeJson(type)}`);
}

/** The conditions of a Condition step all must hold (SageMaker ANDs the list). */
export async function evaluateConditions(conditions: readonly JsonValue[], scope: ResolveScope, location: string): Promise<{ outcome: boolean; results: ConditionResult[] }> {
  const results: ConditionResult[] = [];
  for (let i = 0; i < conditions.length; i++) results.push(await evaluateCondition(conditions[i] as JsonValue, scope, `${location}[${i}]`));
  return { outcome: results.every((r) => r.outcome), results };
}

function kindOf(value: JsonValue): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
}

function sameKind(a: JsonValue, b: JsonValue): boolean {
  return kindOf(a) === kindOf(b) && ['number', 'string', 'boolean'].includes(kindOf(a));
}

/**
 * Ordering needs two numbers and Equals two values of one primitive type: a string "0.5" against a number is
 * refused, because silently coercing (or silently answering false) would hide a broken reference.
 */
function compare(type: ComparisonType, left: JsonValue, right: JsonValue, location: string): boolean {
  if (type === 'Equals' || type === 'NotEquals') {
    if (!sameKind(left, right)) throw new ResolutionError(location, `${type} compares values of one type (number, string or boolean); got ${kindOf(left)} ${describeJson(left)} and ${kindOf(right)} ${describeJson(right)}`);
    return type === 'Equals' ? left === right : left !== right;
  }
  if (typeof left !== 'number' || typeof right !== 'number' || Number.isNaN(left) || Number.isNaN(right)) {
    throw new ResolutionError(location, `${type} compares two numbers; got ${kindOf(left)} ${describeJson(left)} and ${kindOf(right)} ${describeJson(right)}`);
  }
  switch (type) {
    case 'GreaterThan':
      return left > right;
    case 'GreaterThanOrEqualTo':
      return left >= right;
    case 'LessThan':
      return left < right;
    case 'LessThanOrEqualTo':
      return left <= right;
  }
}

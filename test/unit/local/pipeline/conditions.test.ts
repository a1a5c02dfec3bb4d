import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../src/local/json.ts';
import { evaluateCondition, evaluateConditions } from '../../../../src/local/pipeline/conditions.ts';
import { fakeScope } from './scope.ts';

const scope = fakeScope({
  parameters: { Threshold: 0.5, Name: 'yolo', Flag: true, Count: 3 },
  propertyFiles: { 'Evaluate/Report': { metrics: { mAP50_95: 0.61, label: '0.61' } } },
});
const metric = { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Report' }, Path: 'metrics.mAP50_95' } };
const outcome = async (condition: JsonValue): Promise<boolean> => (await evaluateCondition(condition, scope, 'C')).outcome;
const compare = (Type: string, LeftValue: JsonValue, RightValue: JsonValue): JsonValue => ({ Type, LeftValue, RightValue });

describe('comparisons', () => {
  const cases: [string, number, number, boolean][] = [
    ['GreaterThanOrEqualTo', 0.61, 0.5, true],
    ['GreaterThanOrEqualTo', 0.5, 0.5, true],
    ['GreaterThanOrEqualTo', 0.49, 0.5, false],
    ['GreaterThan', 0.5, 0.5, false],
    ['GreaterThan', 0.51, 0.5, true],
    ['LessThan', 0.49, 0.5, true],
    ['LessThan', 0.5, 0.5, false],
    ['LessThanOrEqualTo', 0.5, 0.5, true],
    ['LessThanOrEqualTo', 0.51, 0.5, false],
    ['Equals', 3, 3, true],
    ['Equals', 3, 3.0001, false],
    ['NotEquals', 3, 4, true],
    ['NotEquals', 3, 3, false],
  ];
  it.each(cases)('%s(%d, %d) is %s', async (type, left, right, expected) => {
    expect(await outcome(compare(type, left, right))).toBe(expected);
  });

  it('resolves its operands and records them', async () => {
    const result = await evaluateCondition(compare('GreaterThanOrEqualTo', metric, { Get: 'Parameters.Threshold' }), scope, 'C');
    expect(result).toEqual({ type: 'GreaterThanOrEqualTo', left: 0.61, right: 0.5, outcome: true });
  });

  it('compares strings and booleans for equality only', async () => {
    expect(await outcome(compare('Equals', { Get: 'Parameters.Name' }, 'yolo'))).toBe(true);
    expect(await outcome(compare('Equals', { Get: 'Parameters.Flag' }, false))).toBe(false);
    await expect(outcome(compare('GreaterThan', 'b', 'a'))).rejects.toThrow(/C: GreaterThan compares two numbers; got string "b" and string "a"/);
  });

  it('refuses to compare values of different types rather than answer false', async () => {
    await expect(outcome(compare('Equals', 1, '1'))).rejects.toThrow(/Equals compares values of one type .* got number 1 and string "1"/);
    await expect(outcome(compare('GreaterThanOrEqualTo', { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Report' }, Path: 'metrics.label' } }, 0.5))).rejects.toThrow(/got string "0.61" and number 0.5/);
    await expect(outcome(compare('LessThan', null, 1))).rejects.toThrow(/got null null and number 1/);
  });
});

describe('In, Not, Or', () => {
  it('In checks membership of a value of the same type', async () => {
    expect(await outcome({ Type: 'In', QueryValue: { Get: 'Parameters.Name' }, Values: ['a', 'yolo'] })).toBe(true);
    expect(await outcome({ Type: 'In', QueryValue: 3, Values: [1, 2, '3'] })).toBe(false);
    expect(await outcome({ Type: 'In', QueryValue: 3, Values: [] })).toBe(false);
    await expect(outcome({ Type: 'In', QueryValue: 3, Values: ['3'] })).rejects.toThrow(/In compares number 3 with values of other types only/);
  });

  it('Not negates', async () => {
    expect(await outcome({ Type: 'Not', Expression: compare('Equals', 1, 1) })).toBe(false);
    expect(await outcome({ Type: 'Not', Expression: { Type: 'Not', Expression: compare('Equals', 1, 1) } })).toBe(true);
  });

  it('Or is true when any holds and evaluates every operand for the record', async () => {
    const result = await evaluateCondition({ Type: 'Or', Conditions: [compare('Equals', 1, 2), compare('LessThan', 1, 2), compare('Equals', 'a', 'a')] }, scope, 'C');
    expect(result.outcome).toBe(true);
    expect(result.operands?.map((o) => o.outcome)).toEqual([false, true, true]);
    expect(await outcome({ Type: 'Or', Conditions: [compare('Equals', 1, 2)] })).toBe(false);
  });

  it('a Condition step ANDs its list', async () => {
    expect((await evaluateConditions([compare('Equals', 1, 1), compare('LessThan', 1, 2)], scope, 'Cs')).outcome).toBe(true);
    const failing = await evaluateConditions([compare('Equals', 1, 1), compare('LessThan', 3, 2)], scope, 'Cs');
    expect(failing.outcome).toBe(false);
    expect(failing.results).toHaveLength(2);
  });

  it('names the location of a failure deep inside', async () => {
    await expect(evaluateConditions([{ Type: 'Or', Conditions: [{ Type: 'Not', Expression: compare('Equals', 1, 'x') }] }], scope, 'Steps[2].Arguments.Conditions')).rejects.toThrow(
      /^Steps\[2\]\.Arguments\.Conditions\[0\]\.Conditions\[0\]\.Expression: Equals compares/,
    );
  });
});

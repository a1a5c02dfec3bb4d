import { describe, expect, it } from 'vitest';
import type { ParameterDeclaration } from '../../../../src/core/pipeline/compiled.ts';
import { ParameterValueError, resolveParameters } from '../../../../src/local/pipeline/parameters.ts';

const declarations: ParameterDeclaration[] = [
  { name: 'InputDataUri', type: 'String' },
  { name: 'Epochs', type: 'Integer', defaultValue: 100 },
  { name: 'QualityThreshold', type: 'Float', defaultValue: 0.5 },
  { name: 'UseSpot', type: 'Boolean', defaultValue: true },
  { name: 'Mode', type: 'String', defaultValue: 'fast', enumValues: ['fast', 'slow'] },
];

describe('resolveParameters', () => {
  it('takes defaults and overrides', () => {
    expect(resolveParameters(declarations, { InputDataUri: 's3://b/d/', Epochs: 3 })).toEqual({ InputDataUri: 's3://b/d/', Epochs: 3, QualityThreshold: 0.5, UseSpot: true, Mode: 'fast' });
  });

  it('parses text strictly to the declared type', () => {
    const values = resolveParameters(declarations, { InputDataUri: 'x', Epochs: '7', QualityThreshold: '1', UseSpot: 'false', Mode: 'slow' });
    expect(values).toMatchObject({ Epochs: 7, QualityThreshold: 1, UseSpot: false, Mode: 'slow' });
    expect(resolveParameters(declarations, { InputDataUri: 'x', QualityThreshold: '.25' }).QualityThreshold).toBe(0.25);
    expect(resolveParameters(declarations, { InputDataUri: 'x', QualityThreshold: '1e-3' }).QualityThreshold).toBe(0.001);
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      resolveParameters(declarations, { Epochs: '3.5', QualityThreshold: 'high', UseSpot: 'yes', Mode: 'medium', Bogus: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParameterValueError);
    const problems = (error as ParameterValueError).problems;
    expect(problems).toHaveLength(6);
    expect(problems.join('\n')).toMatch(/unknown parameter "Bogus" \(the pipeline declares: InputDataUri, Epochs/);
    expect(problems.join('\n')).toMatch(/"InputDataUri" \(String\) has no default: pass a value/);
    expect(problems.join('\n')).toMatch(/"Epochs" is a Integer parameter: pass a whole number, got "3.5"/);
    expect(problems.join('\n')).toMatch(/"QualityThreshold" is a Float parameter: pass a number, got "high"/);
    expect(problems.join('\n')).toMatch(/"UseSpot" is a Boolean parameter: pass true or false, got "yes"/);
    expect(problems.join('\n')).toMatch(/"Mode" is a String parameter: allowed values are fast, slow, got "medium"/);
  });

  it('refuses a number for a String and a fraction for an Integer', () => {
    expect(() => resolveParameters(declarations, { InputDataUri: 3 })).toThrow(/"InputDataUri" is a String parameter: pass a string, got 3/);
    expect(() => resolveParameters(declarations, { InputDataUri: 'x', Epochs: 2.5 })).toThrow(/pass a whole number, got 2.5/);
    expect(() => resolveParameters(declarations, { InputDataUri: 'x', QualityThreshold: Number.NaN })).toThrow(/pass a number/);
  });

  it('ignores undefined overrides', () => {
    expect(resolveParameters(declarations, { InputDataUri: 'x', Epochs: undefined }).Epochs).toBe(100);
  });
});

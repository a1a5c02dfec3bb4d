import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../../../src/core/json.ts';
import { analyzeDefinition } from '../../../../src/core/pipeline/analysis/analyze-definition.ts';
import { analyzeCondition } from '../../../../src/core/pipeline/analysis/conditions.ts';
import { analyzeExpression, parseGetTarget, type Reference, type ReferenceScope } from '../../../../src/core/pipeline/analysis/expressions.ts';
import { parseParameters } from '../../../../src/core/pipeline/analysis/parameters.ts';
import { DefinitionProblems } from '../../../../src/core/pipeline/analysis/problems.ts';
import { PIPELINE_DEFINITION_VERSION } from '../../../../src/core/pipeline/compiled-definition-types.ts';
import { dependencyOrder, findCycle } from '../../../../src/core/pipeline/dependencies.ts';

describe('parseGetTarget', () => {
  it('parses parameters, execution variables, the experiment config, step properties and property files', () => {
    expect(parseGetTarget('Parameters.Epochs')).toEqual({ kind: 'parameter', name: 'Epochs' });
    expect(parseGetTarget('Execution.PipelineExecutionId')).toEqual({ kind: 'execution', name: 'PipelineExecutionId' });
    expect(parseGetTarget('PipelineExperimentConfig.TrialName')).toEqual({ kind: 'experimentConfig', name: 'TrialName' });
    expect(parseGetTarget('Steps.Train.ModelArtifacts.S3ModelArtifacts')).toEqual({
      kind: 'step',
      step: 'Train',
      path: [{ kind: 'name', name: 'ModelArtifacts' }, { kind: 'name', name: 'S3ModelArtifacts' }],
    });
    expect(parseGetTarget("Steps.My-Step_2.Outputs['x']")).toMatchObject({ kind: 'step', step: 'My-Step_2' });
    expect(parseGetTarget('Steps.Evaluate.PropertyFiles.EvaluationReport')).toEqual({ kind: 'propertyFile', step: 'Evaluate', file: 'EvaluationReport' });
  });

  it('explains what it cannot parse', () => {
    expect(parseGetTarget('Execution.Nope')).toMatch(/"Execution.Nope" is not an execution variable; use one of Execution.PipelineExecutionId/);
    expect(parseGetTarget('PipelineExperimentConfig.Name')).toMatch(/is not a property of PipelineExperimentConfig \(ExperimentName, TrialName\)/);
    expect(parseGetTarget('Steps.Train')).toMatch(/names a step but no property/);
    expect(parseGetTarget('Steps.Train.A-B')).toMatch(/property path of "Steps.Train.A-B"/);
    expect(parseGetTarget('Steps.Evaluate.PropertyFiles.A.B')).toMatch(/Steps.<step>.PropertyFiles.<name>/);
    expect(parseGetTarget('Properties.X')).toMatch(/"Properties.X" refers to nothing SageMaker knows/);
    expect(parseGetTarget('Parameters.')).toMatch(/is not a parameter reference/);
  });
});

const scope: ReferenceScope = {
  parameters: new Set(['Epochs', 'Threshold']),
  steps: new Map([
    ['Train', { type: 'Training', propertyFiles: [] }],
    ['Evaluate', { type: 'Processing', propertyFiles: ['EvaluationReport'] }],
    ['Gate', { type: 'Condition', propertyFiles: [] }],
    ['Stop', { type: 'Fail', propertyFiles: [] }],
  ]),
  owner: 'Register',
};

function analyze(value: JsonValue, how: 'expression' | 'condition' = 'expression'): { problems: DefinitionProblems; references: Reference[] } {
  const problems = new DefinitionProblems();
  const references: Reference[] = [];
  if (how === 'expression') analyzeExpression(value, 'Args', scope, problems, references);
  else analyzeCondition(value, 'C', scope, problems, references);
  return { problems, references };
}

describe('analyzeExpression', () => {
  it('returns the references an expression makes, with their locations', () => {
    const { problems, references } = analyze({
      a: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' },
      b: { 'Std:Join': { On: '', Values: [{ 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'x' } }, { Get: 'Parameters.Epochs' }] } },
      c: { Get: 'Steps.Gate.Outcome' },
      'odd-key': { Get: 'Execution.PipelineExecutionId' },
    });
    expect(problems.items).toEqual([]);
    expect(references.map((r) => r.location)).toEqual([
      'Args.a.Get',
      "Args.b['Std:Join'].Values[0]['Std:JsonGet'].PropertyFile.Get",
      "Args.b['Std:Join'].Values[1].Get",
      'Args.c.Get',
      "Args['odd-key'].Get",
    ]);
  });

  it('reports every bad reference and malformed function with its location', () => {
    const { problems } = analyze([
      { Get: 'Parameters.Nope' },
      { Get: 'Steps.Ghost.X' },
      { Get: 'Steps.Stop.ErrorMessage' },
      { Get: 'Steps.Register.ModelPackageArn' },
      { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.Other' }, Path: 'a' } },
      { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Train.PropertyFiles.R' }, Path: 'a' } },
      { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' },
      { 'Std:Split': {} },
      { Get: 'Parameters.Epochs', Extra: 1 },
      { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'metrics.mAP50-95' } },
    ]);
    expect(problems.items).toEqual([
      { location: 'Args[0].Get', message: '"Parameters.Nope" names no declared parameter (declared: Epochs, Threshold); declare it in Parameters or fix the name' },
      { location: 'Args[1].Get', message: '"Steps.Ghost.X" names step "Ghost", which is not in the definition (steps: Train, Evaluate, Gate, Stop)' },
      { location: 'Args[2].Get', message: '"Steps.Stop.ErrorMessage": Fail steps end the execution and have no properties' },
      { location: 'Args[3].Get', message: '"Steps.Register.ModelPackageArn" names step "Register", which is not in the definition (steps: Train, Evaluate, Gate, Stop)' },
      { location: "Args[4]['Std:JsonGet'].PropertyFile.Get", message: expect.stringMatching(/step "Evaluate" declares no property file "Other" \(it declares: EvaluationReport\)/) },
      { location: "Args[5]['Std:JsonGet'].PropertyFile.Get", message: expect.stringMatching(/step "Train" is a Training step; only Processing steps have property files/) },
      { location: 'Args[6].Get', message: expect.stringMatching(/property files can only be read through Std:JsonGet/) },
      { location: 'Args[7]', message: expect.stringMatching(/unsupported function "Std:Split"/) },
      { location: 'Args[8]', message: expect.stringMatching(/a function object holds exactly one key/) },
      { location: 'Args[9]', message: expect.stringMatching(/Std:JsonGet Path: expected "." or "\["/) },
    ]);
  });

  it('refuses step properties where no step has run yet: in the experiment config', () => {
    const problems = new DefinitionProblems();
    analyzeExpression({ TrialName: { Get: 'Steps.Train.TrainingJobName' } }, 'PipelineExperimentConfig', { ...scope, owner: undefined }, problems, []);
    expect(problems.items).toEqual([{ location: 'PipelineExperimentConfig.TrialName.Get', message: expect.stringMatching(/the experiment config is resolved when the execution starts/) }]);
  });
});

describe('analyzeCondition', () => {
  const compare = (Type: string, LeftValue: JsonValue, RightValue: JsonValue): JsonValue => ({ Type, LeftValue, RightValue });
  const metric = { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'metrics.mAP50_95' } };

  it('accepts the SDK shapes and collects references', () => {
    const { problems, references } = analyze(
      { Type: 'Or', Conditions: [compare('GreaterThanOrEqualTo', metric, { Get: 'Parameters.Threshold' }), { Type: 'Not', Expression: { Type: 'In', QueryValue: 1, Values: [1, 2] } }] },
      'condition',
    );
    expect(problems.items).toEqual([]);
    expect(references.map((r) => r.target)).toEqual([{ kind: 'propertyFile', step: 'Evaluate', file: 'EvaluationReport' }, { kind: 'parameter', name: 'Threshold' }]);
  });

  it('names unsupported types and malformed conditions with their location', () => {
    const { problems } = analyze(
      { Type: 'Or', Conditions: [{ Type: 'Matches', LeftValue: 1, RightValue: 2 }, { Type: 'Equals', LeftValue: 1 }, { Type: 'In', Value: 1, In: [1] }, { Type: 'Not' }, 'x', compare('Equals', { Get: 'Parameters.Nope' }, 1)] },
      'condition',
    );
    expect(problems.items).toEqual([
      { location: 'C.Conditions[0].Type', message: expect.stringMatching(/unsupported condition type "Matches" \(SageMaker's condition types are Equals, NotEquals, GreaterThan/) },
      { location: 'C.Conditions[1]', message: 'Equals condition needs RightValue' },
      { location: 'C.Conditions[2]', message: 'In condition needs QueryValue, Values' },
      { location: 'C.Conditions[2]', message: 'In condition has unknown key(s) Value, In (expected QueryValue, Values)' },
      { location: 'C.Conditions[3]', message: 'Not condition needs Expression' },
      { location: 'C.Conditions[4]', message: expect.stringMatching(/a condition is an object with a "Type"/) },
      { location: 'C.Conditions[5].LeftValue.Get', message: expect.stringMatching(/"Parameters.Nope" names no declared parameter/) },
    ]);
    expect(analyze({ Type: 'Or', Conditions: [] }, 'condition').problems.items).toEqual([{ location: 'C.Conditions', message: 'Or takes a non-empty list of conditions' }]);
  });
});

describe('parseParameters', () => {
  it('reads the Parameters list (a parameter without a Type is a String, as SageMaker reads it)', () => {
    const problems = new DefinitionProblems();
    const parsed = parseParameters(
      [
        { Name: 'A', Type: 'String' },
        { Name: 'B', Type: 'Integer', DefaultValue: 3 },
        { Name: 'C', Type: 'Float', DefaultValue: 1 },
        { Name: 'D', Type: 'String', DefaultValue: 'x', EnumValues: ['x', 'y'] },
        { Name: 'E' },
      ],
      problems,
    );
    expect(problems.items).toEqual([]);
    expect(parsed).toEqual([
      { name: 'A', type: 'String' },
      { name: 'B', type: 'Integer', defaultValue: 3 },
      { name: 'C', type: 'Float', defaultValue: 1 },
      { name: 'D', type: 'String', defaultValue: 'x', enumValues: ['x', 'y'] },
      { name: 'E', type: 'String' },
    ]);
  });

  it('names the location of each bad declaration', () => {
    const problems = new DefinitionProblems();
    parseParameters(
      [{ Name: 'A', Type: 'Decimal' }, { Name: 'A', Type: 'String' }, { Name: 'A!', Type: 'String' }, { Name: 'B', Type: 'Integer', DefaultValue: 'ten' }, { Name: 'C', DefaultValue: 'z', EnumValues: ['x'] }, 'x'],
      problems,
    );
    expect(problems.items).toEqual([
      { location: 'Parameters[0].Type', message: 'the type "Decimal" is not a parameter type; use String, Integer, Float or Boolean' },
      { location: 'Parameters[1].Name', message: 'the parameter "A" is declared twice' },
      { location: 'Parameters[2].Name', message: expect.stringMatching(/the parameter name "A!" contains "!"/) },
      { location: 'Parameters[3].DefaultValue', message: 'the default "ten" of Integer parameter "B" must be a whole number' },
      { location: 'Parameters[4].DefaultValue', message: 'the default "z" of String parameter "C" must be one of its EnumValues (x)' },
      { location: 'Parameters[5]', message: expect.stringMatching(/must be an object with Name and Type/) },
    ]);
  });
});

const fail = (name: string, extra: Record<string, JsonValue> = {}): Record<string, JsonValue> => ({ Name: name, Type: 'Fail', Arguments: { ErrorMessage: 'x' }, ...extra });
const definition = (steps: JsonValue[]): JsonValue => ({ Version: PIPELINE_DEFINITION_VERSION, Parameters: [], Steps: steps });

describe('analyzeDefinition', () => {
  it('finds every step, its dependencies and the order the steps run in', () => {
    const analysis = analyzeDefinition(
      definition([
        fail('Last', { DependsOn: ['Middle'] }),
        { Name: 'Middle', Type: 'Fail', Arguments: { ErrorMessage: { Get: 'Steps.Gate.Outcome' } } },
        { Name: 'Gate', Type: 'Condition', Arguments: { Conditions: [{ Type: 'Equals', LeftValue: 1, RightValue: 1 }], IfSteps: [fail('Then')], ElseSteps: [] } },
      ]),
    );
    expect(analysis.problems).toEqual([]);
    expect(analysis.steps.map((s) => [s.name, s.location, s.dependencies])).toEqual([
      ['Last', 'Steps[0]', ['Middle']],
      ['Middle', 'Steps[1]', ['Gate']],
      ['Gate', 'Steps[2]', []],
      ['Then', 'Steps[2].Arguments.IfSteps[0]', ['Gate']],
    ]);
    expect(analysis.steps[3]?.branch).toEqual({ condition: 'Gate', outcome: true });
    expect(analysis.order.map((s) => s.name)).toEqual(['Gate', 'Middle', 'Last', 'Then']);
  });

  it('reports cycles, unknown and self DependsOn, and leaves the order empty on a cycle', () => {
    const analysis = analyzeDefinition(definition([fail('A', { DependsOn: ['B', 'A', 'Nope'] }), fail('B', { DependsOn: ['A'] })]));
    expect(analysis.problems).toEqual([
      { location: 'Steps[0].DependsOn[1]', message: 'a step cannot depend on itself' },
      { location: 'Steps[0].DependsOn[2]', message: 'names step "Nope", which is not in the definition (steps: A, B)' },
      { location: 'Steps', message: expect.stringMatching(/^the steps wait for each other in a cycle: A -> B -> A/) },
    ]);
    expect(analysis.order).toEqual([]);
  });

  it('reads a malformed definition without throwing', () => {
    expect(analyzeDefinition('text').problems).toEqual([{ location: '', message: 'a pipeline definition is a JSON object with Version, Parameters and Steps, found "text"' }]);
    expect(analyzeDefinition({ Version: '2021-01-01', Steps: [] }).problems).toEqual([
      { location: 'Version', message: expect.stringMatching(new RegExp(`^must be "${PIPELINE_DEFINITION_VERSION}".*found "2021-01-01"$`)) },
      { location: 'Steps', message: 'must be a non-empty list of steps, found []' },
    ]);
  });
});

describe('dependencyOrder and findCycle', () => {
  const graph = (entries: [string, string[]][]): Map<string, Set<string>> => new Map(entries.map(([name, deps]) => [name, new Set(deps)]));

  it('orders dependencies first, ties in declaration order, ignoring names outside the graph', () => {
    expect(dependencyOrder(graph([['C', ['B']], ['A', []], ['B', ['A', 'Elsewhere']], ['D', []]]))).toEqual(['A', 'B', 'C', 'D']);
  });

  it('finds a cycle, and refuses to order one', () => {
    const cyclic = graph([['A', ['B']], ['B', ['C']], ['C', ['A']]]);
    expect(findCycle(cyclic)).toEqual(['A', 'B', 'C', 'A']);
    expect(() => dependencyOrder(cyclic)).toThrow(/wait for each other in a cycle/);
  });
});

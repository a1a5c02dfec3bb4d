import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../src/local/json.ts';
import { parsePipelineDefinition } from '../../../../src/local/pipeline/runnable-pipeline.ts';
import { PipelineDefinitionError } from '../../../../src/local/pipeline/errors.ts';
import { PIPELINE_DEFINITION_VERSION, validatePipelineDefinition } from '../../../../src/core/pipeline/compiled.ts';
import { synthesizeTrainingPipelineFromFiles } from '../../../../src/core/pipeline/index.ts';
import { REPO_ROOT } from '../../../../src/local/layout.ts';

const fixture = (): JsonObject => JSON.parse(readFileSync(new URL('../../../fixtures/local-runner/pipeline.json', import.meta.url), 'utf8')) as JsonObject;

function problemsOf(definition: unknown): { location: string; message: string }[] {
  try {
    parsePipelineDefinition(definition);
  } catch (error) {
    if (error instanceof PipelineDefinitionError) return [...error.problems];
    throw error;
  }
  return [];
}

const step = (name: string, type: string, args: JsonObject = {}, extra: JsonObject = {}): JsonObject => ({ Name: name, Type: type, Arguments: args, ...extra });
const fail = (name: string, extra: JsonObject = {}): JsonObject => step(name, 'Fail', { ErrorMessage: 'x' }, extra);
const minimal = (steps: JsonObject[], parameters: JsonObject[] = []): JsonObject => ({ Version: PIPELINE_DEFINITION_VERSION, Parameters: parameters, Steps: steps });
/** Train and Evaluate on spot capacity: the IfSteps of TrainOnSpot, the second step (after Preprocess). */
const spotBranch = (definition: JsonObject): JsonObject[] => (((definition['Steps'] as JsonObject[])[1] as JsonObject)['Arguments'] as JsonObject)['IfSteps'] as JsonObject[];

describe('parsePipelineDefinition on the contract pipeline', () => {
  it('orders steps by dependency, branch steps after their condition', () => {
    const parsed = parsePipelineDefinition(fixture());
    expect(parsed.order.map((s) => s.name)).toEqual([
      'Preprocess', 'TrainOnSpot', 'Train', 'Evaluate', 'TrainOnDemand', 'EvaluateOnDemand',
      'QualityGate', 'Register', 'QualityGateFailed', 'QualityGateOnDemand', 'RegisterOnDemand', 'QualityGateFailedOnDemand',
    ]);
    const byName = new Map(parsed.steps.map((s) => [s.name, s]));
    expect(byName.get('Train')?.branch).toEqual({ condition: 'TrainOnSpot', outcome: true });
    expect(byName.get('TrainOnDemand')?.branch).toEqual({ condition: 'TrainOnSpot', outcome: false });
    expect(byName.get('TrainOnSpot')?.dependencies).toEqual(['Preprocess']);
    expect(byName.get('Train')?.dependencies).toEqual(['TrainOnSpot', 'Preprocess']);
    expect(byName.get('Evaluate')?.dependencies).toEqual(['TrainOnSpot', 'Train', 'Preprocess']);
    expect(byName.get('QualityGate')?.dependencies).toEqual(['Evaluate']);
    expect(byName.get('QualityGateOnDemand')?.dependencies).toEqual(['EvaluateOnDemand']);
    expect(byName.get('Register')?.branch).toEqual({ condition: 'QualityGate', outcome: true });
    expect(byName.get('QualityGateFailed')?.branch).toEqual({ condition: 'QualityGate', outcome: false });
    expect(byName.get('Register')?.location).toBe('Steps[2].Arguments.IfSteps[0]');
    expect(byName.get('Preprocess')?.propertyFiles).toEqual([{ name: 'PreprocessReport', outputName: 'report', filePath: 'preprocess.json' }]);
    expect(byName.get('Evaluate')?.propertyFiles).toEqual([{ name: 'EvaluationReport', outputName: 'evaluation', filePath: 'evaluation.json' }]);
    expect(parsed.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['QualityThreshold', 'UseSpotInstances']));
  });

  it('names the AWS-only settings it ignores, with why: roles, spot capacity, SageMaker\'s retries', () => {
    const parsed = parsePipelineDefinition(fixture());
    const ignored = (name: string) => parsed.steps.find((s) => s.name === name)?.ignored;
    const retries = expect.stringMatching(/^RetryPolicies \(SageMaker's retries of its own transient failures .*; a local job fails only for its code or data, and `yolops runs retry` continues a failed execution\)$/);
    const spot = 'Arguments.EnableManagedSpotTraining (spot capacity is an AWS matter: a local job trains on this machine, so UseSpotInstances only picks the branch that runs)';
    expect(ignored('Train')).toEqual([
      retries,
      'Arguments.RoleArn (AWS-only setting)',
      spot,
      'Arguments.StoppingCondition.MaxWaitTimeInSeconds (how long SageMaker may wait for spot capacity; a local job never waits for capacity)',
    ]);
    expect(ignored('TrainOnDemand')).toEqual([retries, 'Arguments.RoleArn (AWS-only setting)', spot]);
    expect(ignored('Evaluate')).toEqual([retries, 'Arguments.RoleArn (AWS-only setting)']);
    expect(ignored('Preprocess')).toEqual([retries, 'Arguments.RoleArn (AWS-only setting)']);
    expect(ignored('TrainOnSpot')).toEqual([]);
  });
});

describe('parsePipelineDefinition refuses what it cannot run', () => {
  it('an unknown step type, naming it and where it is', () => {
    const definition = fixture();
    (definition['Steps'] as JsonObject[]).push(step('Deploy', 'Lambda', { LambdaArn: 'arn' }));
    const error = (() => {
      try {
        parsePipelineDefinition(definition);
      } catch (e) {
        return e as PipelineDefinitionError;
      }
      throw new Error('expected an error');
    })();
    expect(error).toBeInstanceOf(PipelineDefinitionError);
    expect(error.location).toBe('Steps[4].Type');
    expect(error.message).toBe('Steps[4].Type: step "Deploy" has type "Lambda", which the local runner cannot run (it runs Training, Processing, Condition, RegisterModel, Fail)');
  });

  it('an unknown step type inside a branch', () => {
    const definition = minimal([step('Gate', 'Condition', { Conditions: [{ Type: 'Equals', LeftValue: 1, RightValue: 1 }], IfSteps: [step('Tune', 'Tuning')], ElseSteps: [] })]);
    expect(problemsOf(definition)).toEqual([{ location: 'Steps[0].Arguments.IfSteps[0].Type', message: expect.stringMatching(/step "Tune" has type "Tuning"/) }]);
  });

  it('argument and step keys it does not handle', () => {
    const definition = fixture();
    const train = spotBranch(definition)[0] as JsonObject;
    (train['Arguments'] as JsonObject)['TensorBoardOutputConfig'] = { S3OutputPath: 's3://x/' };
    train['Retry'] = true;
    expect(problemsOf(definition)).toEqual([
      { location: 'Steps[1].Arguments.IfSteps[0].Retry', message: 'unsupported step key "Retry" on step "Train"' },
      { location: 'Steps[1].Arguments.IfSteps[0].Arguments.TensorBoardOutputConfig', message: expect.stringMatching(/Training step "Train": argument "TensorBoardOutputConfig" is not supported by the local runner \(it handles AlgorithmSpecification/) },
    ]);
  });

  it('the wrong version, top-level keys, and reports all problems together', () => {
    const problems = problemsOf({ Version: '2021-01-01', Steps: [fail('A'), fail('A')], Extra: 1 });
    expect(problems).toEqual([
      { location: 'Version', message: `must be "${PIPELINE_DEFINITION_VERSION}", the one version of the definition format SageMaker reads; found "2021-01-01"` },
      { location: 'Steps[1].Name', message: 'the step name "A" is already used at Steps[0]; step names must be unique, branches of Condition steps included' },
      { location: 'Extra', message: expect.stringMatching(/unsupported top-level key "Extra"/) },
    ]);
  });

  it('unknown DependsOn targets, bad names and missing arguments', () => {
    expect(problemsOf(minimal([fail('A', { DependsOn: ['Nope'] }), { Name: 'bad name', Type: 'Fail', Arguments: {} }, { Name: 'C', Type: 'Fail' }, step('D', 'Fail', {})]))).toEqual([
      { location: 'Steps[1].Name', message: expect.stringMatching(/the step name "bad name" contains " "; use only letters, digits/) },
      { location: 'Steps[2].Arguments', message: 'step "C" needs an Arguments object, found undefined' },
      { location: 'Steps[0].DependsOn[0]', message: 'names step "Nope", which is not in the definition (steps: A, bad name, C, D)' },
      { location: 'Steps[1].Arguments.ErrorMessage', message: 'a Fail step needs an ErrorMessage' },
      { location: 'Steps[3].Arguments.ErrorMessage', message: 'a Fail step needs an ErrorMessage' },
    ]);
  });

  it('dependency cycles', () => {
    const problems = problemsOf(minimal([fail('A', { DependsOn: ['B'] }), fail('B', { DependsOn: ['A'] }), fail('C')]));
    expect(problems).toEqual([{ location: 'Steps', message: expect.stringMatching(/^the steps wait for each other in a cycle: A -> B -> A/) }]);
  });

  it('property files on the wrong step or naming an unknown output', () => {
    const definition = fixture();
    const evaluate = spotBranch(definition)[1] as JsonObject;
    evaluate['PropertyFiles'] = [{ PropertyFileName: 'EvaluationReport', OutputName: 'metrics', FilePath: 'evaluation.json' }];
    expect(problemsOf(definition)).toEqual([{ location: 'Steps[1].Arguments.IfSteps[1].PropertyFiles[0].OutputName', message: 'names output "metrics", which this step does not have (outputs: evaluation)' }]);
    expect(problemsOf(minimal([fail('A', { PropertyFiles: [] })]))).toEqual([{ location: 'Steps[0].PropertyFiles', message: 'only Processing steps declare PropertyFiles (this is a Fail step)' }]);
  });

  it('step properties this runner does not provide, and experiment config references it does not resolve', () => {
    const definition = minimal([
      step('Gate', 'Condition', { Conditions: [{ Type: 'Equals', LeftValue: { Get: 'Steps.Train.Foo' }, RightValue: { Get: 'PipelineExperimentConfig.TrialName' } }] }),
      step('Train', 'Training', { AlgorithmSpecification: {} }),
    ]);
    expect(problemsOf(definition)).toEqual([
      { location: 'Steps[0].Arguments.Conditions[0].LeftValue.Get', message: expect.stringMatching(/property "Foo" of Training step "Train" is not one this runner provides \(it provides: TrainingJobName/) },
      { location: 'Steps[0].Arguments.Conditions[0].RightValue.Get', message: expect.stringMatching(/PipelineExperimentConfig.TrialName is not resolved by the local runner/) },
    ]);
  });

  it('with the same problems, at the same locations, as the validator finds in the same definition', () => {
    const definition = fixture();
    const train = spotBranch(definition)[0] as JsonObject;
    ((train['Arguments'] as JsonObject)['ResourceConfig'] as JsonObject)['InstanceType'] = { Get: 'Parameters.TrainingInstanceTyp' };
    const validator = validatePipelineDefinition(definition).problems;
    expect(problemsOf(definition)).toEqual([{ location: 'Steps[1].Arguments.IfSteps[0].Arguments.ResourceConfig.InstanceType.Get', message: expect.stringMatching(/"Parameters.TrainingInstanceTyp" names no declared parameter/) }]);
    expect(validator).toContainEqual(problemsOf(definition)[0]);
  });

  it('a non-object definition', () => {
    expect(problemsOf('text')).toEqual([{ location: '', message: 'a pipeline definition is a JSON object with Version, Parameters and Steps, found "text"' }]);
    expect(problemsOf(minimal([]))).toEqual([{ location: 'Steps', message: 'must be a non-empty list of steps, found []' }]);
  });
});

describe('dependency order', () => {
  it('follows DependsOn and references, ties in definition order', () => {
    const parsed = parsePipelineDefinition(
      minimal([
        fail('Last', { DependsOn: ['Middle'] }),
        step('Middle', 'Fail', { ErrorMessage: { Get: 'Steps.First.Outcome' } }),
        step('First', 'Condition', { Conditions: [{ Type: 'Equals', LeftValue: 1, RightValue: 1 }] }),
        fail('Independent'),
      ]),
    );
    expect(parsed.order.map((s) => s.name)).toEqual(['First', 'Middle', 'Last', 'Independent']);
  });
});

describe('the hand-written fixture and the compiler agree', () => {
  it('on parameters, steps, dependencies, branches and property files', () => {
    const shape = (definition: unknown) => {
      const parsed = parsePipelineDefinition(definition);
      return {
        parameters: parsed.parameters.map((p) => `${p.name}:${p.type}`),
        steps: parsed.order.map((s) => ({ name: s.name, type: s.type, branch: s.branch, propertyFiles: s.propertyFiles, dependsOnTrainOrEvaluate: s.dependencies.filter((d) => d === 'Train' || d === 'QualityGate').sort() })),
      };
    };
    const compiled = JSON.parse(synthesizeTrainingPipelineFromFiles({ root: REPO_ROOT }).json) as unknown;
    expect(shape(fixture())).toEqual(shape(compiled));
  });
});

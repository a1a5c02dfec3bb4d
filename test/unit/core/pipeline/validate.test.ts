import { describe, expect, it } from 'vitest';
import {
  assertValidPipelineDefinition,
  PipelineValidationError,
  synthesizeTrainingPipeline,
  validatePipelineDefinition,
  type DefinitionProblem,
} from '../../../../src/core/pipeline/index.ts';
import { options } from './helpers.ts';

type Json = Record<string, unknown>;

/** A fresh copy of the compiled default pipeline, as plain JSON to break by hand. */
function compiled(): Json {
  return structuredClone(synthesizeTrainingPipeline(options()).definition) as unknown as Json;
}

/** Walks a JSONPath-like list of keys into a copy; the last object is handed to `edit`. */
function breakAt(definition: Json, path: (string | number)[], edit: (target: Json) => void): Json {
  let target: unknown = definition;
  for (const key of path) target = (target as Record<string | number, unknown>)[key];
  edit(target as Json);
  return definition;
}

function problemsOf(definition: unknown): DefinitionProblem[] {
  const result = validatePipelineDefinition(definition);
  expect(result.valid).toBe(false);
  return result.problems;
}

function expectProblem(problems: DefinitionProblem[], path: string, message: RegExp): void {
  expect(problems, JSON.stringify(problems, null, 2)).toContainEqual({ location: path, message: expect.stringMatching(message) });
}

// The spot branch (TrainOnSpot's IfSteps) and its gate, as compiled for the default config.
const TRAIN = ['Steps', 1, 'Arguments', 'IfSteps', 0];
const EVALUATE = ['Steps', 1, 'Arguments', 'IfSteps', 1];
const GATE_ARGS = ['Steps', 2, 'Arguments'];

describe('validatePipelineDefinition', () => {
  it('accepts the compiled pipeline, as a string or as an object', () => {
    const definition = compiled();
    expect(validatePipelineDefinition(definition)).toEqual({ valid: true, problems: [] });
    expect(validatePipelineDefinition(JSON.stringify(definition))).toEqual({ valid: true, problems: [] });
    expect(assertValidPipelineDefinition(JSON.stringify(definition))).toEqual(definition);
  });

  it('rejects a reference to an undeclared parameter, at the Get', () => {
    const broken = breakAt(compiled(), [...TRAIN, 'Arguments', 'ResourceConfig', 'InstanceType'], (t) => (t.Get = 'Parameters.TrainingInstanceTyp'));
    expectProblem(problemsOf(broken), 'Steps[1].Arguments.IfSteps[0].Arguments.ResourceConfig.InstanceType.Get', /"Parameters\.TrainingInstanceTyp" names no declared parameter \(declared: InputDataUri, InputFormat, CodeUri/);
  });

  it('rejects a duplicate step name, also when one of the two is inside a Condition branch', () => {
    const broken = breakAt(compiled(), [...GATE_ARGS, 'ElseSteps', 0], (t) => (t.Name = 'Train'));
    expectProblem(problemsOf(broken), "Steps[2].Arguments.ElseSteps[0].Name", /the step name "Train" is already used at Steps\[1\]/);
  });

  it('rejects a bad parameter name with the rule, not only a schema pattern', () => {
    const problems = problemsOf(breakAt(compiled(), ['Parameters', 9], (t) => (t.Name = 'Epochs!')));
    expectProblem(problems, 'Parameters[9].Name', /the parameter name "Epochs!" contains "!"; use only letters, digits, "-" and "_"/);
    // and the references to the old name now dangle
    expectProblem(problems, "Steps[1].Arguments.IfSteps[0].Arguments.HyperParameters.epochs['Std:Join'].Values[0].Get", /"Parameters\.Epochs" names no declared parameter/);
  });

  it('rejects names longer than SageMaker allows', () => {
    const long = 'S'.repeat(65);
    const problems = problemsOf(breakAt(compiled(), EVALUATE, (t) => (t.Name = long)));
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[1].Name', /has 65 characters; SageMaker allows at most 64/);
  });

  it('rejects a JsonGet of a property file the step does not declare, wherever it is read', () => {
    const problems = problemsOf(breakAt(compiled(), EVALUATE, (t) => delete t.PropertyFiles));
    const message = /step "Evaluate" declares no property file "EvaluationReport" \(it declares: none\)/;
    expectProblem(problems, "Steps[2].Arguments.Conditions[0].LeftValue['Std:JsonGet'].PropertyFile.Get", message);
    expectProblem(problems, "Steps[2].Arguments.ElseSteps[0].Arguments.ErrorMessage['Std:Join'].Values[1]['Std:JsonGet'].PropertyFile.Get", message);
  });

  it('rejects a property file whose output the step does not have', () => {
    const problems = problemsOf(breakAt(compiled(), [...EVALUATE, 'PropertyFiles', 0], (t) => (t.OutputName = 'report')));
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[1].PropertyFiles[0].OutputName', /names output "report", which this step does not have \(outputs: evaluation\)/);
  });

  it('rejects a non-String default for a String parameter, and Integer defaults that are not whole', () => {
    const broken = breakAt(compiled(), ['Parameters', 4], (t) => (t.DefaultValue = 5));
    const problems = problemsOf(breakAt(broken, ['Parameters', 9], (t) => (t.DefaultValue = 2.5)));
    expectProblem(problems, 'Parameters[4].DefaultValue', /the default 5 of String parameter "TrainingInstanceType" must be a string/);
    expectProblem(problems, 'Parameters[9].DefaultValue', /the default 2\.5 of Integer parameter "Epochs" must be a whole number/);
  });

  it('rejects an unknown parameter type', () => {
    const problems = problemsOf(breakAt(compiled(), ['Parameters', 0], (t) => (t.Type = 'Text')));
    expectProblem(problems, 'Parameters[0].Type', /"Text" is not a parameter type; use String, Integer, Float or Boolean/);
  });

  it('rejects an unknown step type, naming the known ones', () => {
    const problems = problemsOf(breakAt(compiled(), TRAIN, (t) => (t.Type = 'TrainingJob')));
    // A Condition's branch takes the five kinds AWS's schema lists there, and only those are named.
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].Type', /must be one of "Training", "Fail", "Processing", "Transform", "RegisterModel" \(got "TrainingJob"\)/);
    expect(problems).toHaveLength(1); // dispatching on Type keeps the other step kinds out of the report
  });

  it('rejects Std:JsonGet outside step arguments: in a parameter default and in the experiment config', () => {
    const jsonGet = { 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Evaluate.PropertyFiles.EvaluationReport' }, Path: 'metrics.mAP50_95' } };
    const broken = breakAt(compiled(), ['Parameters', 15], (t) => (t.DefaultValue = jsonGet));
    // The yolops pipeline has no experiment config (runs are tracked in MLflow); SDK-written definitions do.
    broken.PipelineExperimentConfig = { ExperimentName: { Get: 'Execution.PipelineName' }, TrialName: jsonGet };
    const problems = problemsOf(broken);
    expectProblem(problems, 'Parameters[15].DefaultValue', /of Float parameter "QualityThreshold" must be a number/);
    expectProblem(problems, 'PipelineExperimentConfig.TrialName', /matches none of the allowed forms/);
    expectProblem(problems, "PipelineExperimentConfig.TrialName['Std:JsonGet'].PropertyFile.Get", /experiment config is resolved when the execution starts/);
  });

  it('allows PropertyFiles on Processing steps only, and Std:JsonGet only in its PropertyFile form', () => {
    const onTraining = breakAt(compiled(), TRAIN, (t) => (t.PropertyFiles = [{ PropertyFileName: 'R', OutputName: 'o', FilePath: 'r.json' }]));
    expectProblem(problemsOf(onTraining), 'Steps[1].Arguments.IfSteps[0]', /unknown property "PropertyFiles" \(allowed here: Name, Type, DependsOn/);
    const s3Form = breakAt(compiled(), [...GATE_ARGS, 'Conditions', 0, 'LeftValue', 'Std:JsonGet'], (t) => {
      delete t.PropertyFile;
      t.S3Uri = 's3://b/r.json';
    });
    expectProblem(problemsOf(s3Form), "Steps[2].Arguments.Conditions[0].LeftValue['Std:JsonGet']", /unknown property "S3Uri" \(allowed here: PropertyFile, Path\)/);
  });

  it('rejects reading a property file without Std:JsonGet', () => {
    const broken = breakAt(compiled(), [...TRAIN, 'Arguments', 'ResourceConfig', 'InstanceType'], (t) => (t.Get = 'Steps.Evaluate.PropertyFiles.EvaluationReport'));
    expectProblem(problemsOf(broken), 'Steps[1].Arguments.IfSteps[0].Arguments.ResourceConfig.InstanceType.Get', /property files can only be read through Std:JsonGet/);
  });

  it('rejects references to missing steps, Fail steps, the step itself and unknown execution variables', () => {
    const problems = problemsOf(breakAt(compiled(), [...TRAIN, 'Arguments', 'Environment'], (t) => {
      t.A = { Get: 'Steps.Evaluat.ProcessingJobName' };
      t.B = { Get: 'Steps.QualityGateFailed.ErrorMessage' };
      t.C = { Get: 'Steps.Train.TrainingJobName' };
      t.D = { Get: 'Execution.PipelineExecutionID' };
      t.E = { Get: 'Pipeline.Name' };
    }));
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].Arguments.Environment.A.Get', /names step "Evaluat", which is not in the definition \(steps: Preprocess, TrainOnSpot, Train, Evaluate, TrainOnDemand, EvaluateOnDemand, QualityGate, Register, QualityGateFailed, QualityGateOnDemand,/);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].Arguments.Environment.B.Get', /Fail steps end the execution and have no properties/);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].Arguments.Environment.C.Get', /a step cannot read its own properties/);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].Arguments.Environment.D.Get', /is not an execution variable; use one of Execution\.PipelineExecutionId/);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].Arguments.Environment.E.Get', /refers to nothing SageMaker knows/);
  });

  it('rejects DependsOn on unknown steps and dependency cycles', () => {
    const problems = problemsOf(breakAt(compiled(), TRAIN, (t) => (t.DependsOn = ['Evaluate', 'Nope'])));
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].DependsOn[1]', /names step "Nope", which is not in the definition/);
    expectProblem(problems, 'Steps', /the steps wait for each other in a cycle: Train -> Evaluate -> Train/);
  });

  it('rejects branch steps that are not steps, and unknown arguments, listing what is allowed', () => {
    const broken = breakAt(compiled(), GATE_ARGS, (t) => (t.IfSteps = [{ Type: 'RegisterModel', Arguments: {} }]));
    const problems = problemsOf(breakAt(broken, [...TRAIN, 'Arguments'], (t) => (t.Hyperparameters = {})));
    expectProblem(problems, 'Steps[2].Arguments.IfSteps[0]', /missing required property "Name"/);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].Arguments', /unknown property "Hyperparameters" \(allowed here: AlgorithmSpecification, .*HyperParameters/);
  });

  it('reports every problem at once', () => {
    const broken = compiled();
    breakAt(broken, ['Parameters', 9], (t) => (t.Name = 'Epochs!'));
    breakAt(broken, [...GATE_ARGS, 'ElseSteps', 0], (t) => (t.Name = 'Train'));
    breakAt(broken, EVALUATE, (t) => delete t.PropertyFiles);
    breakAt(broken, ['Parameters', 4], (t) => (t.DefaultValue = true));
    const paths = problemsOf(broken).map((p) => p.location);
    expect(paths).toEqual(expect.arrayContaining([
      'Parameters[9].Name',
      'Parameters[4].DefaultValue',
      'Steps[2].Arguments.ElseSteps[0].Name',
      "Steps[2].Arguments.Conditions[0].LeftValue['Std:JsonGet'].PropertyFile.Get",
    ]));
  });

  it('accepts retry policies as the SDK writes them and rejects what SageMaker refuses, each at its place', () => {
    const broken = breakAt(compiled(), [...TRAIN, 'RetryPolicies'], (t) => {
      const policies = t as unknown as Json[];
      policies[0] = { ...policies[0], ExpireAfterMin: 10 }; // both bounds
      policies[1] = { ...policies[1], ExceptionType: 'SageMaker.CAPACITY_ERROR' }; // one string, as the published schema has it
      policies[2] = { ...policies[2], IntervalSeconds: 43_201, ExceptionType: ['SageMaker.TIMEOUT'] };
    });
    const problems = problemsOf(breakAt(broken, EVALUATE, (t) => (t.RetryPolicies = [{ ExceptionType: ['Step.THROTTLING'], MaxAttempts: 21 }])));
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].RetryPolicies[0]', /has both MaxAttempts and ExpireAfterMin; SageMaker takes one of them per policy/);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].RetryPolicies[1].ExceptionType', /must be of type array/);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].RetryPolicies[2].IntervalSeconds', /must be <= 43200/);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].RetryPolicies[2].ExceptionType[0]', /must be one of "Step.SERVICE_FAULT", "Step.THROTTLING", "SageMaker.JOB_INTERNAL_ERROR", "SageMaker.CAPACITY_ERROR", "SageMaker.RESOURCE_LIMIT", "Emr.RESOURCE_LIMIT"/);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[1].RetryPolicies[0].MaxAttempts', /must be <= 20/);
    expect(problems).toHaveLength(5);
    const onGate = breakAt(compiled(), ['Steps', 2], (t) => (t.RetryPolicies = [{ ExceptionType: ['Step.THROTTLING'], MaxAttempts: 1 }]));
    // The schema names the key it does not allow on the step; the analysis says why.
    expect(problemsOf(onGate)).toEqual([
      { location: 'Steps[2]', message: expect.stringMatching(/unknown property "RetryPolicies" \(allowed here: Name, Type, DependsOn, DisplayName, Description, Arguments\)/) },
      { location: 'Steps[2].RetryPolicies', message: 'a Condition step starts no SageMaker job or call to retry; RetryPolicies belong on Training, Processing, RegisterModel steps' },
    ]);
  });

  it('requires MaxWaitTimeInSeconds exactly where spot is on, following UseSpotInstances through TrainOnSpot', () => {
    const ON_DEMAND = ['Steps', 1, 'Arguments', 'ElseSteps', 0];
    const spotNoWait = breakAt(compiled(), [...TRAIN, 'Arguments', 'StoppingCondition'], (t) => delete t.MaxWaitTimeInSeconds);
    expect(problemsOf(spotNoWait)).toEqual([{ location: 'Steps[1].Arguments.IfSteps[0].Arguments.StoppingCondition', message: expect.stringMatching(/managed spot training is on here, so SageMaker needs StoppingCondition.MaxWaitTimeInSeconds/) }]);
    const onDemandWait = breakAt(compiled(), [...ON_DEMAND, 'Arguments', 'StoppingCondition'], (t) => (t.MaxWaitTimeInSeconds = 172_800));
    expect(problemsOf(onDemandWait)).toEqual([{ location: 'Steps[1].Arguments.ElseSteps[0].Arguments.StoppingCondition.MaxWaitTimeInSeconds', message: expect.stringMatching(/managed spot training is off here, and CreateTrainingJob refuses MaxWaitTimeInSeconds/) }]);
    const shortWait = breakAt(compiled(), [...TRAIN, 'Arguments', 'StoppingCondition'], (t) => (t.MaxWaitTimeInSeconds = 600));
    expect(problemsOf(shortWait)).toEqual([{ location: 'Steps[1].Arguments.IfSteps[0].Arguments.StoppingCondition.MaxWaitTimeInSeconds', message: expect.stringMatching(/is 600, less than MaxRuntimeInSeconds \(86400\)/) }]);
    // The condition no longer fixes the parameter: a Boolean read nowhere pinned cannot tell whether the wait is allowed.
    const unpinned = breakAt(compiled(), ['Steps', 1, 'Arguments', 'Conditions', 0], (t) => (t.LeftValue = { Get: 'Parameters.Seed' }));
    const problems = problemsOf(unpinned);
    expectProblem(problems, 'Steps[1].Arguments.IfSteps[0].Arguments.EnableManagedSpotTraining', /reads Parameters.UseSpotInstances, whose value no Condition step around this step fixes; .*IfSteps of a Condition Equals\(Parameters.UseSpotInstances, true\)/);
    expectProblem(problems, 'Steps[1].Arguments.ElseSteps[0].Arguments.EnableManagedSpotTraining', /whose value no Condition step around this step fixes/);
    const literal = breakAt(compiled(), [...ON_DEMAND, 'Arguments'], (t) => (t.EnableManagedSpotTraining = false));
    expect(validatePipelineDefinition(literal)).toEqual({ valid: true, problems: [] });
  });

  it('accepts a serving environment on the model package container, up to SageMaker\'s 16 variables', () => {
    const container = ['Steps', 2, 'Arguments', 'IfSteps', 0, 'Arguments', 'InferenceSpecification', 'Containers', 0];
    const served = breakAt(compiled(), container, (t) => (t.Environment = { SAGEMAKER_PROGRAM: 'inference.py', RUN: { Get: 'Execution.PipelineExecutionId' } }));
    expect(validatePipelineDefinition(served)).toEqual({ valid: true, problems: [] });
    const crowded = breakAt(compiled(), container, (t) => (t.Environment = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`V${i}`, 'x']))));
    expectProblem(problemsOf(crowded), 'Steps[2].Arguments.IfSteps[0].Arguments.InferenceSpecification.Containers[0].Environment', /must NOT have more than 16 properties/);
  });

  it('rejects text that is not JSON, and definitions over SageMaker\'s size limit', () => {
    expectProblem(problemsOf('{"Version": '), '', /not valid JSON/);
    const huge = compiled();
    (huge as { Metadata: Record<string, string> }).Metadata = Object.fromEntries(Array.from({ length: 1100 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]));
    expectProblem(problemsOf(huge), '', /characters long; SageMaker takes at most 1048576/);
  });

  it('throws PipelineValidationError with every problem and its path', () => {
    const broken = breakAt(compiled(), EVALUATE, (t) => (t.Type = 'Procesing'));
    expect(() => assertValidPipelineDefinition(broken)).toThrow(PipelineValidationError);
    // the JsonGets of Evaluate's property file fail too: a step of another type has no property files
    expect(() => assertValidPipelineDefinition(broken)).toThrow(/3 problems:\n {2}- Steps\[1\]\.Arguments\.IfSteps\[1\]\.Type: must be one of .*\n {2}- Steps\[2\]\.Arguments\.Conditions\[0\].*step "Evaluate" is a Procesing step; only Processing steps have property files/);
  });
});

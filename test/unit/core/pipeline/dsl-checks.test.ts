import { describe, expect, it } from 'vitest';
import {
  checkPipeline,
  conditionStep,
  definePipeline,
  failStep,
  floatParameter,
  greaterThan,
  integerParameter,
  join,
  jsonGet,
  PipelineSpecError,
  processingStep,
  propertyFile,
  registerModelStep,
  stepProperty,
  stringParameter,
  trainingStep,
  type PipelineProblem,
  type ProcessingStepOptions,
  type TrainingStepOptions,
} from '../../../../src/core/pipeline/index.ts';

const Image = stringParameter('Image', 'img:1');
const Threshold = floatParameter('Threshold', 0.5);

function training(overrides: Partial<TrainingStepOptions> = {}) {
  return trainingStep({ name: 'Train', image: Image, roleArn: 'arn:aws:iam::1:role/r', instanceType: 'ml.m5.large', volumeSizeGb: 30, inputs: { training: 's3://b/data/' }, outputS3Uri: 's3://b/out/', maxRuntimeSeconds: 3600, ...overrides });
}

function processing(overrides: Partial<ProcessingStepOptions> = {}) {
  return processingStep({
    name: 'Evaluate',
    image: Image,
    roleArn: 'arn:aws:iam::1:role/r',
    instanceType: 'ml.m5.large',
    volumeSizeGb: 30,
    outputs: [{ name: 'report', source: '/opt/ml/processing/report', destination: 's3://b/report/' }],
    propertyFiles: [{ name: 'Report', outputName: 'report', path: 'report.json' }],
    ...overrides,
  });
}

function problems(...args: Parameters<typeof checkPipeline>): PipelineProblem[] {
  return checkPipeline(...args);
}

describe('definePipeline static checks', () => {
  it('accepts a sound pipeline and derives its dependencies', () => {
    const train = training();
    const evaluate = processing({ inputs: [{ name: 'model', source: train.properties.ModelArtifacts.S3ModelArtifacts, destination: '/opt/ml/processing/model' }] });
    const gate = conditionStep({
      name: 'Gate',
      conditions: [greaterThan(jsonGet(evaluate.propertyFile('Report'), 'score'), Threshold)],
      ifSteps: [registerModelStep({ name: 'Register', modelPackageGroupName: 'g', approvalStatus: 'Approved', containers: [{ image: Image }] })],
      elseSteps: [failStep({ name: 'Fail', errorMessage: 'too low' })],
    });
    const pipeline = definePipeline({ parameters: [Image, Threshold], steps: [train, evaluate, gate] });
    expect(pipeline.executionOrder).toEqual(['Train', 'Evaluate', 'Gate', 'Register', 'Fail']);
    expect(pipeline.dependencies.get('Gate')).toEqual(['Evaluate']);
  });

  it('reports every problem at once, each with where it is and how to fix it', () => {
    const train = training({ instanceType: stringParameter('TrainingInstanceType'), dependsOn: ['Warmup'] });
    const evaluate = processing({ name: 'Evaluate', propertyFiles: [{ name: 'Report', outputName: 'reports', path: 'report.json' }] });
    const gate = conditionStep({
      name: 'Gate',
      conditions: [greaterThan(jsonGet(evaluate.propertyFile('Metrics'), 'score'), Threshold)],
      ifSteps: [failStep({ name: 'Train', errorMessage: 'dup' })],
    });
    const error = (() => {
      try {
        definePipeline({ parameters: [Image, integerParameter('Bad Name', 1), integerParameter('Epochs', 2.5), Threshold], steps: [train, evaluate, gate] });
      } catch (e) {
        return e;
      }
      throw new Error('expected definePipeline to throw');
    })();
    expect(error).toBeInstanceOf(PipelineSpecError);
    const found = (error as PipelineSpecError).problems;
    expect(found).toEqual([
      { where: 'parameters[1] "Bad Name"', message: expect.stringContaining('the parameter name "Bad Name" contains " "') },
      { where: 'parameters[2] "Epochs" › defaultValue', message: 'the default 2.5 does not fit a Integer parameter: give a whole number.' },
      { where: 'steps[2].ifSteps[0] "Train"', message: expect.stringContaining('the step name "Train" is already used by steps[0]') },
      { where: 'steps[0] "Train" › dependsOn', message: expect.stringContaining('depends on step "Warmup", which is not in the pipeline') },
      { where: 'steps[0] "Train" › instanceType', message: expect.stringContaining('uses parameter "TrainingInstanceType", which the pipeline does not declare; add it to parameters (declared: Image, Bad Name, Epochs, Threshold)') },
      { where: 'steps[1] "Evaluate" › propertyFiles[0]', message: expect.stringContaining('property file "Report" names output "reports", which this step does not have (outputs: report)') },
      { where: 'steps[2] "Gate" › conditions[0].left', message: expect.stringContaining('reads property file "Metrics" of step "Evaluate", which declares "Report"') },
    ]);
    expect((error as Error).message).toMatch(/^the pipeline definition has 7 problems:\n {2}- parameters\[1\] "Bad Name": /);
  });

  it('reports references to steps that are not in the pipeline, to Fail steps and to itself', () => {
    const fail = failStep({ name: 'Stop', errorMessage: 'x' });
    const train = training({ environment: { A: stepProperty('Ghost', 'TrainingJobName'), B: stepProperty('Stop', 'Anything'), C: stepProperty('Train', 'TrainingJobName') } });
    const found = problems({ parameters: [Image], steps: [train, fail] });
    expect(found).toEqual([
      { where: 'steps[0] "Train" › environment.A', message: 'reads Steps.Ghost.TrainingJobName, but there is no step "Ghost" in the pipeline (steps: Train, Stop).' },
      { where: 'steps[0] "Train" › environment.B', message: 'reads a property of Fail step "Stop"; Fail steps end the execution and have no properties.' },
      { where: 'steps[0] "Train" › environment.C', message: 'reads its own property TrainingJobName; a step can only read properties of steps that ran before it.' },
    ]);
  });

  it('reports property files of steps that are not Processing steps, and bad JSONPaths', () => {
    const train = training();
    const evaluate = processing({ environment: { X: jsonGet(propertyFile('Train', 'Report'), 'a') } });
    const gate = conditionStep({ name: 'Gate', conditions: [greaterThan(jsonGet(evaluate.propertyFile('Report'), 'metrics.mAP50-95'), 0.5)] });
    const found = problems({ parameters: [Image], steps: [train, evaluate, gate] });
    expect(found).toEqual([
      { where: 'steps[1] "Evaluate" › environment.X', message: 'reads property file "Report" of step "Train", a Training step; only Processing steps have property files.' },
      { where: 'steps[2] "Gate" › conditions[0].left', message: expect.stringContaining('is not a plain path at "-95"') },
    ]);
  });

  it('reports a parameter used with another type than declared (same name, other object)', () => {
    const train = training({ maxRuntimeSeconds: integerParameter('Image') });
    expect(problems({ parameters: [Image], steps: [train] })).toEqual([
      { where: 'steps[0] "Train" › maxRuntimeSeconds', message: 'uses parameter "Image" as Integer, but it is declared String; use the declared parameter object.' },
    ]);
  });

  it('reports parameters inside joins and in the experiment config', () => {
    const Missing = stringParameter('Missing');
    const train = training({ outputS3Uri: join(['s3://b/', Missing, '/']) });
    const found = problems({ parameters: [Image], steps: [train], experimentConfig: { experimentName: Missing, trialName: stepProperty('Train', 'TrainingJobName') } });
    expect(found.map((p) => p.where)).toEqual(['steps[0] "Train" › outputS3Uri.values[1]', 'experimentConfig.experimentName', 'experimentConfig.trialName']);
  });

  it('reports dependency cycles with the path around the cycle', () => {
    const a = processing({ name: 'A', dependsOn: ['C'] });
    const b = processing({ name: 'B', dependsOn: [a] });
    const c = processing({ name: 'C', inputs: [{ name: 'x', source: b.properties.ProcessingJobName, destination: '/opt/ml/processing/x' }] });
    expect(problems({ parameters: [Image], steps: [a, b, c] })).toEqual([
      { where: 'steps', message: 'the steps wait for each other in a cycle: A -> C -> B -> A (each waits for the next, through a reference or dependsOn); break one of these links.' },
    ]);
  });

  it('reports duplicate parameters, duplicate names inside a step and comparisons of strings', () => {
    const train = training({ metricDefinitions: [{ Name: 'm', Regex: '(1)' }, { Name: 'm', Regex: '(2)' }], inputs: { 'bad channel': 's3://b/' } });
    const evaluate = processing({ outputs: [{ name: 'o', source: '/a', destination: 's3://b/a' }, { name: 'o', source: '/b', destination: 's3://b/b' }], propertyFiles: [] });
    const gate = conditionStep({ name: 'Gate', conditions: [greaterThan(Image, 1)], ifSteps: [] });
    const found = problems({ parameters: [Image, stringParameter('Image')], steps: [train, evaluate, gate] });
    expect(found).toEqual([
      { where: 'parameters[1] "Image"', message: 'the parameter "Image" is declared twice; keep one.' },
      { where: 'steps[0] "Train" › inputs', message: 'the channel name "bad channel" is not valid; use 1-64 letters, digits, ".", "-" or "_".' },
      { where: 'steps[0] "Train" › metricDefinitions[1]', message: 'the metric name "m" appears twice; SageMaker needs unique names.' },
      { where: 'steps[1] "Evaluate" › outputs[1]', message: 'the output name "o" is used twice in this step; names must be unique.' },
      { where: 'steps[2] "Gate" › conditions[0].left', message: 'GreaterThan compares numbers, but this side is a String; compare a number (Integer or Float) or a JsonGet.' },
    ]);
  });

  it('reports retry policies outside SageMaker\'s limits, without a bound or with both, and a failure retried twice', () => {
    const train = training({
      retryPolicies: [
        { exceptionTypes: ['SageMaker.CAPACITY_ERROR'], intervalSeconds: 0, backoffRate: 0.5, maxAttempts: 21 },
        { exceptionTypes: [], expireAfterMin: 14_401 },
        { exceptionTypes: ['SageMaker.CAPACITY_ERROR', 'Step.THROTTLING', 'Step.THROTTLING'], maxAttempts: 3, expireAfterMin: 10 } as never,
      ],
    });
    const evaluate = processing({ retryPolicies: [{ exceptionTypes: ['SageMaker.JOB_INTERNAL_ERROR'] } as never, { exceptionTypes: ['Job.TIMEOUT' as never], maxAttempts: 1 }] });
    expect(problems({ parameters: [Image], steps: [train, evaluate] })).toEqual([
      { where: 'steps[0] "Train" › retryPolicies[0]', message: 'intervalSeconds is 0; give a whole number from 1 to 43200.' },
      { where: 'steps[0] "Train" › retryPolicies[0]', message: 'backoffRate is 0.5; give a number of at least 1 (the wait is multiplied by it after each retry).' },
      { where: 'steps[0] "Train" › retryPolicies[0]', message: 'maxAttempts is 21; give a whole number from 1 to 20.' },
      { where: 'steps[0] "Train" › retryPolicies[1]', message: 'exceptionTypes is empty; name the failures to retry (e.g. SageMaker.CAPACITY_ERROR).' },
      { where: 'steps[0] "Train" › retryPolicies[1]', message: 'expireAfterMin is 14401; give a whole number from 1 to 14400.' },
      { where: 'steps[0] "Train" › retryPolicies[2]', message: 'exceptionTypes lists Step.THROTTLING more than once.' },
      { where: 'steps[0] "Train" › retryPolicies[2]', message: 'give exactly one of maxAttempts and expireAfterMin: SageMaker refuses a policy with both, and one bounds the retries.' },
      { where: 'steps[0] "Train" › retryPolicies[2]', message: 'SageMaker.CAPACITY_ERROR is already retried by retryPolicies[0]; give each exception type one policy.' },
      { where: 'steps[1] "Evaluate" › retryPolicies[0]', message: 'give exactly one of maxAttempts and expireAfterMin: SageMaker refuses a policy with both, and one bounds the retries.' },
      { where: 'steps[1] "Evaluate" › retryPolicies[1]', message: expect.stringMatching(/^the exception type "Job.TIMEOUT" is not one SageMaker retries; use Step.SERVICE_FAULT, Step.THROTTLING, SageMaker.JOB_INTERNAL_ERROR/) },
    ]);
    const sound = training({ retryPolicies: [{ exceptionTypes: ['Step.SERVICE_FAULT'], intervalSeconds: 43_200, maxAttempts: 20 }, { exceptionTypes: ['SageMaker.RESOURCE_LIMIT'], expireAfterMin: 1 }] });
    expect(problems({ parameters: [Image], steps: [sound] })).toEqual([]);
  });

  it('reports a model package container with more environment variables than SageMaker keeps', () => {
    const environment = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`V${i}`, 'x']));
    const register = registerModelStep({ name: 'Register', modelPackageGroupName: 'g', approvalStatus: 'Approved', containers: [{ image: Image, environment }] });
    expect(problems({ parameters: [Image], steps: [register] })).toEqual([
      { where: 'steps[0] "Register" › containers[0].environment', message: 'has 17 variables; SageMaker allows at most 16 per model package container.' },
    ]);
  });

  it('refuses to nest joins with separators (SageMaker\'s Std:Join does not nest) and flattens plain ones', () => {
    expect(() => join([join(['a', Image], '/')])).toThrow(/cannot nest a join with separator "\/"/);
    expect(join(['"', join([Image, 'x.tgz']), '"'])).toEqual({ kind: 'join', on: '', values: ['"', Image, 'x.tgz"'] });
  });
});

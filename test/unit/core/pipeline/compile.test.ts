import { describe, expect, it } from 'vitest';
import {
  booleanParameter,
  compilePipeline,
  compilePipelineJson,
  definePipeline,
  Execution,
  failStep,
  floatParameter,
  integerParameter,
  join,
  jsonGet,
  processingStep,
  registerModelStep,
  stringParameter,
  trainingStep,
  validatePipelineDefinition,
} from '../../../../src/core/pipeline/index.ts';

const Epochs = integerParameter('Epochs', 3);
const Lr = floatParameter('Lr', 0.01);
const Fast = booleanParameter('Fast', false);
const Model = stringParameter('Model', 'yolo11n.pt');
const Code = stringParameter('Code');

function tinyTraining(order: 'a' | 'b') {
  const common = { name: 'Train', image: 'img', roleArn: 'arn:aws:iam::1:role/r', instanceType: 'ml.m5.large', volumeSizeGb: 30, inputs: { training: 's3://b/d/' }, outputS3Uri: 's3://b/o/', maxRuntimeSeconds: 60 };
  // the same options written in two different orders
  return order === 'a'
    ? trainingStep({ ...common, description: 'd', displayName: 'T', dependsOn: ['Prep'], hyperParameters: { a: 1 } })
    : trainingStep({ hyperParameters: { a: 1 }, dependsOn: ['Prep'], displayName: 'T', description: 'd', ...common });
}

const prep = processingStep({ name: 'Prep', image: 'img', roleArn: 'arn:aws:iam::1:role/r', instanceType: 'ml.m5.large', volumeSizeGb: 30 });

describe('compilePipeline', () => {
  it('encodes hyperparameters as the SageMaker SDK does', () => {
    const evaluate = processingStep({
      name: 'Eval', image: 'img', roleArn: 'arn:aws:iam::1:role/r', instanceType: 'ml.m5.large', volumeSizeGb: 30,
      outputs: [{ name: 'r', source: '/opt/ml/processing/r', destination: 's3://b/r/' }],
      propertyFiles: [{ name: 'R', outputName: 'r', path: 'r.json' }],
    });
    const score = jsonGet(evaluate.propertyFile('R'), 'best.lr');
    const train = trainingStep({
      name: 'Train', image: 'img', roleArn: 'arn:aws:iam::1:role/r', instanceType: 'ml.m5.large', volumeSizeGb: 30,
      inputs: {}, outputS3Uri: 's3://b/o/', maxRuntimeSeconds: 60,
      hyperParameters: { literal_int: 5, literal_str: 'x', literal_bool: true, epochs: Epochs, lr: Lr, fast: Fast, model: Model, run: Execution.PipelineExecutionId, tuned: score, path: join(['s3://b/', Model]) },
      scriptMode: { entryPoint: 'train.py', sourceDir: join([Code, 'sourcedir.tar.gz']) },
    });
    const definition = compilePipeline(definePipeline({ parameters: [Epochs, Lr, Fast, Model, Code], steps: [evaluate, train] }));
    const step = definition.Steps[1];
    expect(step?.Type === 'Training' && step.Arguments.HyperParameters).toEqual({
      literal_int: '5',
      literal_str: '"x"',
      literal_bool: 'true',
      epochs: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Epochs' }] } },
      lr: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Lr' }] } },
      fast: { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.Fast' }] } },
      model: { Get: 'Parameters.Model' },
      run: { Get: 'Execution.PipelineExecutionId' },
      tuned: { 'Std:Join': { On: '', Values: [{ 'Std:JsonGet': { PropertyFile: { Get: 'Steps.Eval.PropertyFiles.R' }, Path: 'best.lr' } }] } },
      path: { 'Std:Join': { On: '', Values: ['s3://b/', { Get: 'Parameters.Model' }] } },
      sagemaker_submit_directory: { 'Std:Join': { On: '', Values: ['"', { Get: 'Parameters.Code' }, 'sourcedir.tar.gz"'] } },
      sagemaker_program: '"train.py"',
    });
    expect(validatePipelineDefinition(definition).problems).toEqual([]);
  });

  it('writes keys in one fixed order whatever order the options were written in', () => {
    const a = compilePipelineJson(definePipeline({ parameters: [], steps: [prep, tinyTraining('a')] }));
    const b = compilePipelineJson(definePipeline({ parameters: [], steps: [prep, tinyTraining('b')] }));
    expect(a).toBe(b);
    const train = JSON.parse(a).Steps[1] as Record<string, unknown>;
    expect(Object.keys(train)).toEqual(['Name', 'Type', 'Arguments', 'DependsOn', 'DisplayName', 'Description']);
    expect(Object.keys(train.Arguments as object)).toEqual(['AlgorithmSpecification', 'OutputDataConfig', 'StoppingCondition', 'ResourceConfig', 'RoleArn', 'InputDataConfig', 'HyperParameters']);
  });

  it('writes the top level as the SDK does, with the default experiment config unless told otherwise', () => {
    const withDefault = compilePipeline(definePipeline({ parameters: [Code], steps: [prep] }));
    expect(Object.keys(withDefault)).toEqual(['Version', 'Metadata', 'Parameters', 'PipelineExperimentConfig', 'Steps']);
    expect(withDefault.Version).toBe('2020-12-01');
    expect(withDefault.Parameters).toEqual([{ Name: 'Code', Type: 'String' }]);
    expect(withDefault.PipelineExperimentConfig).toEqual({ ExperimentName: { Get: 'Execution.PipelineName' }, TrialName: { Get: 'Execution.PipelineExecutionId' } });
    const without = compilePipeline(definePipeline({ parameters: [], steps: [prep], experimentConfig: null, metadata: { owner: 'ml' } }));
    expect(Object.keys(without)).toEqual(['Version', 'Metadata', 'Parameters', 'Steps']);
    expect(without.Metadata).toEqual({ owner: 'ml' });
  });

  it('writes retry policies as the SDK does: defaults written out, after Description, before PropertyFiles', () => {
    const evaluate = processingStep({
      name: 'Eval', image: 'img', roleArn: 'arn:aws:iam::1:role/r', instanceType: 'ml.m5.large', volumeSizeGb: 30, description: 'd',
      outputs: [{ name: 'r', source: '/opt/ml/processing/r', destination: 's3://b/r/' }],
      propertyFiles: [{ name: 'R', outputName: 'r', path: 'r.json' }],
      retryPolicies: [
        { exceptionTypes: ['SageMaker.CAPACITY_ERROR'], maxAttempts: 3 },
        { exceptionTypes: ['SageMaker.RESOURCE_LIMIT', 'Step.THROTTLING'], intervalSeconds: 30, backoffRate: 1.5, expireAfterMin: 60 },
      ],
    });
    const step = compilePipeline(definePipeline({ parameters: [], steps: [evaluate, prep] })).Steps;
    expect(Object.keys(step[0] ?? {})).toEqual(['Name', 'Type', 'Arguments', 'Description', 'RetryPolicies', 'PropertyFiles']);
    expect(step[0]?.Type === 'Processing' && step[0].RetryPolicies).toEqual([
      { BackoffRate: 2, IntervalSeconds: 1, MaxAttempts: 3, ExceptionType: ['SageMaker.CAPACITY_ERROR'] },
      { BackoffRate: 1.5, IntervalSeconds: 30, ExpireAfterMin: 60, ExceptionType: ['SageMaker.RESOURCE_LIMIT', 'Step.THROTTLING'] },
    ]);
    expect(step[1]).not.toHaveProperty('RetryPolicies');
  });

  it('writes managed spot from a literal or a Boolean parameter, with MaxWaitTimeInSeconds only when given', () => {
    const common = { image: 'img', roleArn: 'arn:aws:iam::1:role/r', instanceType: 'ml.m5.large', volumeSizeGb: 30, inputs: {}, outputS3Uri: 's3://b/o/', maxRuntimeSeconds: 60 };
    const spot = trainingStep({ ...common, name: 'Spot', managedSpot: { maxWaitSeconds: 120 } });
    const chosen = trainingStep({ ...common, name: 'Chosen', managedSpot: { enabled: Fast } });
    const [a, b] = compilePipeline(definePipeline({ parameters: [Fast], steps: [spot, chosen] })).Steps;
    expect(a?.Type === 'Training' && [a.Arguments.EnableManagedSpotTraining, a.Arguments.StoppingCondition]).toEqual([true, { MaxRuntimeInSeconds: 60, MaxWaitTimeInSeconds: 120 }]);
    expect(b?.Type === 'Training' && [b.Arguments.EnableManagedSpotTraining, b.Arguments.StoppingCondition]).toEqual([{ Get: 'Parameters.Fast' }, { MaxRuntimeInSeconds: 60 }]);
  });

  it('writes the inference specification of a model package in the SDK\'s order, leaving out what is not given', () => {
    const full = registerModelStep({
      name: 'Register', modelPackageGroupName: 'g', approvalStatus: 'PendingManualApproval',
      containers: [{ modelDataUrl: 's3://b/m.tar.gz', environment: { SAGEMAKER_PROGRAM: 'serve.py', MODEL: Model }, image: 'img' }],
      supportedTransformInstanceTypes: ['ml.m5.large'],
      supportedRealtimeInstanceTypes: ['ml.g5.xlarge'],
      supportedResponseMimeTypes: ['application/json'],
      supportedContentTypes: ['image/jpeg'],
    });
    const plain = registerModelStep({ name: 'Plain', modelPackageGroupName: 'g', approvalStatus: 'Approved', containers: [{ image: 'img', environment: {} }] });
    const [a, b] = compilePipeline(definePipeline({ parameters: [Model], steps: [full, plain] })).Steps;
    const spec = a?.Type === 'RegisterModel' ? a.Arguments.InferenceSpecification : undefined;
    expect(Object.keys(spec ?? {})).toEqual(['Containers', 'SupportedContentTypes', 'SupportedResponseMIMETypes', 'SupportedRealtimeInferenceInstanceTypes', 'SupportedTransformInstanceTypes']);
    expect(spec?.Containers).toEqual([{ Image: 'img', Environment: { SAGEMAKER_PROGRAM: 'serve.py', MODEL: { Get: 'Parameters.Model' } }, ModelDataUrl: 's3://b/m.tar.gz' }]);
    expect(Object.keys(spec?.Containers[0] ?? {})).toEqual(['Image', 'Environment', 'ModelDataUrl']);
    expect(b?.Type === 'RegisterModel' && b.Arguments.InferenceSpecification).toEqual({ Containers: [{ Image: 'img' }] });
  });

  it('compiles a Fail step whose message joins run-time values, and prints compact or pretty JSON', () => {
    const pipeline = definePipeline({ parameters: [Lr], steps: [failStep({ name: 'Stop', errorMessage: join(['lr was ', Lr]) })] });
    expect(compilePipeline(pipeline).Steps).toEqual([{ Name: 'Stop', Type: 'Fail', Arguments: { ErrorMessage: { 'Std:Join': { On: '', Values: ['lr was ', { Get: 'Parameters.Lr' }] } } } }]);
    expect(compilePipelineJson(pipeline)).not.toContain('\n');
    expect(compilePipelineJson(pipeline, { pretty: true })).toContain('\n  "Version": "2020-12-01",\n');
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCdkContext } from '../../../../src/core/config/cdk-context.ts';
import { loadTrainingConfig } from '../../../../src/core/config/training-config.ts';
import {
  compilePipeline,
  loadMetricDefinitions,
  synthesizeTrainingPipeline,
  synthesizeTrainingPipelineFromFiles,
  trainingPipeline,
  validatePipelineDefinition,
  type PipelineDefinitionJson,
  type TrainingStepJson,
} from '../../../../src/core/pipeline/index.ts';
import { context, expectFixture, FIXTURE_METRICS, options, REPO } from './helpers.ts';

function train(definition: PipelineDefinitionJson): TrainingStepJson {
  const step = definition.Steps[0];
  if (step?.Type !== 'Training') throw new Error('the first step is not the Training step');
  return step;
}

function parameter(definition: PipelineDefinitionJson, name: string): unknown {
  return definition.Parameters.find((p) => p.Name === name)?.DefaultValue;
}

describe('the yolops training pipeline, compiled', () => {
  it('matches the reviewed fixture for the default config', () => {
    expectFixture('default.json', synthesizeTrainingPipeline({ ...options(), pretty: true }).json);
  });

  it('matches the reviewed fixture with spot off and a custom training image', () => {
    const custom = '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-training:1.4.0';
    expectFixture('spot-off-custom-image.json', synthesizeTrainingPipeline({ ...options({ use_spot_instances: false, custom_image_uri: custom }), pretty: true }).json);
  });

  it('matches the reviewed fixture in the China partition, with a code version', () => {
    const synthesized = synthesizeTrainingPipeline({
      ...options({ epochs: 30, batch_size: 16, quality_threshold: 0.65, mlflow_experiment_name: 'vision-yolo' }),
      context: context({ aws_region: 'cn-north-1', aws_account_id: '210987654321', project_name: 'vision' }),
      codeVersion: '3f2c1ab',
      pretty: true,
    });
    expectFixture('cn-north-1.json', synthesized.json);
  });

  it('matches the reviewed fixture in GovCloud', () => {
    const synthesized = synthesizeTrainingPipeline({ ...options(), context: context({ aws_region: 'us-gov-west-1' }), pretty: true });
    expectFixture('us-gov-west-1.json', synthesized.json);
  });

  it('compiles to JSON that passes the schema and SageMaker rules, compact by default', () => {
    const { json, definition } = synthesizeTrainingPipeline(options());
    expect(json).not.toContain('\n');
    expect(JSON.parse(json)).toEqual(definition);
    expect(validatePipelineDefinition(json)).toEqual({ valid: true, problems: [] });
  });

  it('is deterministic: the same inputs give the same bytes', () => {
    expect(synthesizeTrainingPipeline(options()).json).toBe(synthesizeTrainingPipeline(options()).json);
  });

  it('takes every parameter default from training-config.json', () => {
    const config = { instance_type: 'ml.g6.2xlarge', evaluation_instance_type: 'ml.c5.xlarge', epochs: 7, batch_size: 32, image_size: 320, model: 'yolo11s.pt', patience: 3, seed: 42, quality_threshold: 0.7, mlflow_experiment_name: 'exp' } as const;
    const { definition } = synthesizeTrainingPipeline(options(config));
    expect(Object.fromEntries(definition.Parameters.map((p) => [p.Name, p.DefaultValue]))).toEqual({
      InputDataUri: undefined,
      CodeUri: undefined,
      CodeVersion: undefined,
      TrainingInstanceType: 'ml.g6.2xlarge',
      EvaluationInstanceType: 'ml.c5.xlarge',
      Epochs: 7,
      BatchSize: '32',
      ImageSize: 320,
      Model: 'yolo11s.pt',
      Patience: 3,
      Seed: 42,
      QualityThreshold: 0.7,
      // An MLflow App (cdk.json's default) has an ARN SageMaker makes at creation; the stack fills it in.
      MlflowTrackingUri: 'arn:aws:sagemaker:ap-southeast-2:123456789012:mlflow-app/{id-of-yolops-mlflow-set-at-deploy}',
      MlflowExperimentName: 'exp',
    });
  });

  it('changes the JSON when a config value changes, and only there', () => {
    const before = synthesizeTrainingPipeline(options()).definition;
    const after = synthesizeTrainingPipeline(options({ epochs: 101 })).definition;
    expect(parameter(before, 'Epochs')).toBe(100);
    expect(parameter(after, 'Epochs')).toBe(101);
    expect({ ...after, Parameters: before.Parameters }).toEqual(before);
  });

  it('maps the spot, runtime and volume settings onto the Training step', () => {
    const spot = train(synthesizeTrainingPipeline(options({ max_runtime_seconds: 3600, max_wait_seconds: 7200, volume_size_gb: 80 })).definition).Arguments;
    expect(spot.EnableManagedSpotTraining).toBe(true);
    expect(spot.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 });
    expect(spot.ResourceConfig.VolumeSizeInGB).toBe(80);
    const onDemand = train(synthesizeTrainingPipeline(options({ use_spot_instances: false, max_runtime_seconds: 3600 })).definition).Arguments;
    expect(onDemand.EnableManagedSpotTraining).toBeUndefined();
    expect(onDemand.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600 });
    expect(onDemand.CheckpointConfig?.LocalPath).toBe('/opt/ml/checkpoints');
  });

  it('uses the custom image for training only, and explicit image URIs over both', () => {
    const custom = '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-training:1.4.0';
    const definition = synthesizeTrainingPipeline(options({ custom_image_uri: custom })).definition;
    expect(train(definition).Arguments.AlgorithmSpecification.TrainingImage).toBe(custom);
    const evaluate = definition.Steps[1];
    expect(evaluate?.Type === 'Processing' && evaluate.Arguments.AppSpecification.ImageUri).toMatch(/pytorch-training:2\.6\.0-cpu/);
    const explicit = synthesizeTrainingPipeline(options({ custom_image_uri: custom }, { trainingImageUri: 'a.dkr.ecr/x:1', evaluationImageUri: 'b.dkr.ecr/y:2' })).json;
    expect(explicit).toContain('"TrainingImage":"a.dkr.ecr/x:1"');
    expect(explicit).toContain('"ImageUri":"b.dkr.ecr/y:2"');
  });

  it('bakes a code version into the CodeUri and CodeVersion defaults, and refuses one that is no S3 key part', () => {
    const definition = synthesizeTrainingPipeline(options({}, { codeVersion: 'abc123' })).definition;
    expect(parameter(definition, 'CodeUri')).toBe('s3://yolops-training-data-123456789012/code/abc123/');
    expect(parameter(definition, 'CodeVersion')).toBe('abc123');
    expect(() => trainingPipeline(options({}, { codeVersion: '../x' }))).toThrow(/codeVersion "\.\.\/x" must be 1-128 letters/);
  });

  it('orders the steps Train, Evaluate, QualityGate, then the branches', () => {
    const pipeline = trainingPipeline(options());
    expect(pipeline.executionOrder).toEqual(['Train', 'Evaluate', 'QualityGate', 'Register', 'QualityGateFailed']);
    expect(Object.fromEntries(pipeline.dependencies)).toEqual({
      Train: [],
      Evaluate: ['Train'],
      QualityGate: ['Evaluate'],
      Register: ['Train', 'QualityGate'],
      QualityGateFailed: ['Evaluate', 'QualityGate'],
    });
  });

  it('compiles the project files as committed (cdk.json, training-config.json, training/metric_definitions.json)', () => {
    const root = REPO.pathname;
    if (!existsSync(`${root}training/metric_definitions.json`)) return; // written by the training side; checked once present
    const fromFiles = synthesizeTrainingPipelineFromFiles({ root });
    expect(validatePipelineDefinition(fromFiles.json).valid).toBe(true);
    const metrics = loadMetricDefinitions(`${root}training/metric_definitions.json`);
    expect(train(fromFiles.definition).Arguments.AlgorithmSpecification.MetricDefinitions).toEqual(metrics);
    const direct = compilePipeline(trainingPipeline({ context: loadCdkContext(`${root}cdk.json`), training: loadTrainingConfig(`${root}training-config.json`), metricDefinitions: metrics }));
    expect(fromFiles.definition).toEqual(direct);
    expect(JSON.parse(readFileSync(`${root}training-config.json`, 'utf8')).epochs).toBe(parameter(direct, 'Epochs'));
  });

  it('uses the fixture metric definitions unchanged', () => {
    expect(train(synthesizeTrainingPipeline(options()).definition).Arguments.AlgorithmSpecification.MetricDefinitions).toEqual(FIXTURE_METRICS);
  });
});

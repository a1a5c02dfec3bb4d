import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCdkContext } from '../../../../src/core/config/cdk-context.ts';
import { loadTrainingConfig, parseTrainingConfig } from '../../../../src/core/config/training-config.ts';
import {
  compilePipeline,
  JOB_RETRY_POLICIES,
  loadMetricDefinitions,
  PREPROCESS_OUTPUTS,
  PREPROCESS_REPORT,
  STEP_NAMES,
  synthesizeTrainingPipeline,
  synthesizeTrainingPipelineFromFiles,
  trainingConfigParameters,
  trainingPipeline,
  validatePipelineDefinition,
  type ConditionStepJson,
  type PipelineDefinitionJson,
  type ProcessingStepJson,
  type RegisterModelStepJson,
  type StepJson,
  type TrainingStepJson,
} from '../../../../src/core/pipeline/index.ts';
import { context, expectFixture, FIXTURE_METRICS, options, REPO } from './helpers.ts';

/** Every step, branches included, by name. */
function stepsByName(definition: PipelineDefinitionJson): Map<string, StepJson> {
  const out = new Map<string, StepJson>();
  const visit = (steps: StepJson[]): void => {
    for (const step of steps) {
      out.set(step.Name, step);
      if (step.Type === 'Condition') visit([...step.Arguments.IfSteps, ...step.Arguments.ElseSteps]);
    }
  };
  visit(definition.Steps);
  return out;
}

function stepOf<T extends StepJson['Type']>(definition: PipelineDefinitionJson, name: string, type: T): Extract<StepJson, { Type: T }> {
  const step = stepsByName(definition).get(name);
  if (step?.Type !== type) throw new Error(`no ${type} step "${name}"`);
  return step as Extract<StepJson, { Type: T }>;
}

/** The Train step of the spot branch (TrainOnSpot's IfSteps). */
function train(definition: PipelineDefinitionJson): TrainingStepJson {
  return stepOf(definition, STEP_NAMES.spot.train, 'Training');
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
    const config = { instance_type: 'ml.g6.2xlarge', evaluation_instance_type: 'ml.c5.xlarge', preprocessing_instance_type: 'ml.c5.2xlarge', split_ratios: [0.7, 0.2, 0.1], split_seed: 9, epochs: 7, batch_size: 32, image_size: 320, model: 'yolo11s.pt', patience: 3, seed: 42, quality_threshold: 0.7, mlflow_experiment_name: 'exp', use_spot_instances: false } as const;
    const { definition } = synthesizeTrainingPipeline(options({ ...config, split_ratios: [...config.split_ratios] }));
    expect(Object.fromEntries(definition.Parameters.map((p) => [p.Name, p.DefaultValue]))).toEqual({
      InputDataUri: undefined,
      // A split YOLO dataset unless the execution says otherwise (label-formats.ts's default).
      InputFormat: 'yolo',
      CodeUri: undefined,
      CodeVersion: undefined,
      TrainingInstanceType: 'ml.g6.2xlarge',
      EvaluationInstanceType: 'ml.c5.xlarge',
      PreprocessingInstanceType: 'ml.c5.2xlarge',
      SplitRatios: '0.7,0.2,0.1',
      SplitSeed: 9,
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
      UseSpotInstances: false,
    });
  });

  it('has the defaults trainingConfigParameters gives for the repository\'s training-config.json, as StartPipelineExecution strings', () => {
    const config = loadTrainingConfig(`${REPO.pathname}training-config.json`);
    const values = trainingConfigParameters(config);
    const defaults = Object.fromEntries(synthesizeTrainingPipeline(options()).definition.Parameters.map((p) => [p.Name, p.DefaultValue]));
    const compiled = synthesizeTrainingPipeline({ ...options(), training: config }).definition;
    expect(Object.keys(values)).toEqual(['TrainingInstanceType', 'EvaluationInstanceType', 'PreprocessingInstanceType', 'SplitRatios', 'SplitSeed', 'Epochs', 'BatchSize', 'ImageSize', 'Model', 'Patience', 'Seed', 'QualityThreshold', 'MlflowExperimentName', 'UseSpotInstances']);
    for (const [name, value] of Object.entries(values)) {
      const declared = compiled.Parameters.find((p) => p.Name === name);
      expect(declared, name).toBeDefined();
      expect(String(declared?.DefaultValue), name).toBe(value);
    }
    expect(values).toMatchObject({ BatchSize: 'auto', QualityThreshold: '0.5', UseSpotInstances: 'true', Epochs: '100', SplitRatios: config.split_ratios.join(','), SplitSeed: String(config.split_seed) });
    // The parameters no config key sets keep their own defaults (or none).
    expect(Object.keys(defaults).filter((name) => !(name in values))).toEqual(['InputDataUri', 'InputFormat', 'CodeUri', 'CodeVersion', 'MlflowTrackingUri']);
  });

  it('writes numbers and Booleans the way the local runner and StartPipelineExecution read them', () => {
    const values = trainingConfigParameters(parseTrainingConfig({ batch_size: 16, quality_threshold: 0.25, use_spot_instances: false }));
    expect(values).toMatchObject({ BatchSize: '16', QualityThreshold: '0.25', UseSpotInstances: 'false' });
  });

  it('changes the JSON when a config value changes, and only there', () => {
    const before = synthesizeTrainingPipeline(options()).definition;
    const after = synthesizeTrainingPipeline(options({ epochs: 101 })).definition;
    expect(parameter(before, 'Epochs')).toBe(100);
    expect(parameter(after, 'Epochs')).toBe(101);
    expect({ ...after, Parameters: before.Parameters }).toEqual(before);
  });

  it('lets UseSpotInstances choose the branch: spot with MaxWaitTimeInSeconds, on-demand without', () => {
    const definition = synthesizeTrainingPipeline(options({ max_runtime_seconds: 3600, max_wait_seconds: 7200, volume_size_gb: 80 })).definition;
    const gate = definition.Steps[1] as ConditionStepJson;
    expect(gate.Name).toBe('TrainOnSpot');
    expect(gate.DependsOn).toEqual(['Preprocess']);
    expect(gate.Arguments.Conditions).toEqual([{ Type: 'Equals', LeftValue: { Get: 'Parameters.UseSpotInstances' }, RightValue: true }]);
    expect(gate.Arguments.IfSteps.map((s) => s.Name)).toEqual(['Train', 'Evaluate']);
    expect(gate.Arguments.ElseSteps.map((s) => s.Name)).toEqual(['TrainOnDemand', 'EvaluateOnDemand']);
    const spot = stepOf(definition, 'Train', 'Training').Arguments;
    const onDemand = stepOf(definition, 'TrainOnDemand', 'Training').Arguments;
    // Both read the parameter (true on the IfSteps, false on the ElseSteps); only spot may have a wait.
    expect(spot.EnableManagedSpotTraining).toEqual({ Get: 'Parameters.UseSpotInstances' });
    expect(onDemand.EnableManagedSpotTraining).toEqual({ Get: 'Parameters.UseSpotInstances' });
    expect(spot.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600, MaxWaitTimeInSeconds: 7200 });
    expect(onDemand.StoppingCondition).toEqual({ MaxRuntimeInSeconds: 3600 });
    expect(spot.ResourceConfig.VolumeSizeInGB).toBe(80);
    expect(onDemand.CheckpointConfig).toEqual(spot.CheckpointConfig);
    expect(onDemand.CheckpointConfig?.LocalPath).toBe('/opt/ml/checkpoints');
    // Apart from their names, descriptions and the spot wait, the two branches are the same steps.
    const { StoppingCondition: _spotStop, ...spotRest } = spot;
    const { StoppingCondition: _onDemandStop, ...onDemandRest } = onDemand;
    expect(onDemandRest).toEqual(spotRest);
    expect(stepOf(definition, 'EvaluateOnDemand', 'Processing').Arguments).toEqual({
      ...stepOf(definition, 'Evaluate', 'Processing').Arguments,
      ProcessingInputs: stepOf(definition, 'Evaluate', 'Processing').Arguments.ProcessingInputs?.map((input) =>
        input.InputName === 'model' ? { ...input, S3Input: { ...input.S3Input, S3Uri: { Get: 'Steps.TrainOnDemand.ModelArtifacts.S3ModelArtifacts' } } } : input,
      ),
    });
  });

  it('starts with Preprocess: InputDataUri in InputFormat becomes a split dataset that Train and Evaluate read, in both branches', () => {
    const definition = synthesizeTrainingPipeline(options({ preprocessing_instance_type: 'ml.c5.2xlarge', volume_size_gb: 80 })).definition;
    const preprocess = definition.Steps[0] as ProcessingStepJson;
    expect(preprocess.Name).toBe(STEP_NAMES.preprocess);
    expect(preprocess.Type).toBe('Processing');
    const args = preprocess.Arguments;
    expect(args.ProcessingResources.ClusterConfig).toEqual({ InstanceType: { Get: 'Parameters.PreprocessingInstanceType' }, InstanceCount: 1, VolumeSizeInGB: 80 });
    // The evaluation image: a CPU job, like Evaluate.
    expect(args.AppSpecification.ImageUri).toBe(stepOf(definition, 'Evaluate', 'Processing').Arguments.AppSpecification.ImageUri);
    // The command of preprocess.py's contract (docs/contracts.md), parameters as ContainerArguments (strings: the seed is joined).
    expect([...(args.AppSpecification.ContainerEntrypoint ?? []), ...(args.AppSpecification.ContainerArguments ?? [])]).toEqual([
      'bash', '/opt/ml/processing/input/code/processing_entrypoint.sh', 'preprocess.py',
      '--input', '/opt/ml/processing/input/data',
      '--format', { Get: 'Parameters.InputFormat' },
      '--split', { Get: 'Parameters.SplitRatios' },
      '--seed', { 'Std:Join': { On: '', Values: [{ Get: 'Parameters.SplitSeed' }] } },
      '--output', '/opt/ml/processing/dataset',
      '--report', '/opt/ml/processing/report',
    ]);
    expect(args.ProcessingInputs?.map((i) => [i.InputName, i.S3Input?.S3Uri, i.S3Input?.LocalPath])).toEqual([
      ['data', { Get: 'Parameters.InputDataUri' }, '/opt/ml/processing/input/data'],
      ['code', { Get: 'Parameters.CodeUri' }, '/opt/ml/processing/input/code'],
    ]);
    const runPrefix = (suffix: string) => ({ 'Std:Join': { On: '', Values: ['s3://yolops-model-artifacts-123456789012/pipelines/', { Get: 'Execution.PipelineExecutionId' }, `/${suffix}`] } });
    expect(args.ProcessingOutputConfig?.Outputs.map((o) => [o.OutputName, o.S3Output?.LocalPath, o.S3Output?.S3Uri])).toEqual([
      [PREPROCESS_OUTPUTS.dataset, '/opt/ml/processing/dataset', runPrefix('dataset/')],
      [PREPROCESS_OUTPUTS.report, '/opt/ml/processing/report', runPrefix('preprocess/')],
    ]);
    expect(preprocess.PropertyFiles).toEqual([{ PropertyFileName: 'PreprocessReport', OutputName: 'report', FilePath: 'preprocess.json' }]);
    expect(PREPROCESS_REPORT).toEqual({ propertyFile: 'PreprocessReport', output: 'report', file: 'preprocess.json' });
    expect(preprocess.RetryPolicies).toEqual((stepOf(definition, 'Evaluate', 'Processing') as ProcessingStepJson).RetryPolicies);

    // Train's channel and Evaluate's data are the S3 URI Preprocess's dataset output was uploaded to, never InputDataUri.
    const datasetUri = { Get: "Steps.Preprocess.ProcessingOutputConfig.Outputs['dataset'].S3Output.S3Uri" };
    for (const [trainName, evaluateName] of [['Train', 'Evaluate'], ['TrainOnDemand', 'EvaluateOnDemand']] as const) {
      const channels = stepOf(definition, trainName, 'Training').Arguments.InputDataConfig;
      expect(channels?.map((c) => [c.ChannelName, c.DataSource.S3DataSource?.S3Uri]), trainName).toEqual([['training', datasetUri]]);
      const inputs = stepOf(definition, evaluateName, 'Processing').Arguments.ProcessingInputs;
      expect(inputs?.find((i) => i.InputName === 'data')?.S3Input?.S3Uri, evaluateName).toEqual(datasetUri);
    }
    // A registered version says what it was made from: the data's URI and format.
    for (const name of ['Register', 'RegisterOnDemand']) {
      expect(stepOf(definition, name, 'RegisterModel').Arguments.CustomerMetadataProperties, name).toMatchObject({ InputDataUri: { Get: 'Parameters.InputDataUri' }, InputFormat: { Get: 'Parameters.InputFormat' } });
    }
    expect(validatePipelineDefinition(definition)).toEqual({ valid: true, problems: [] });
  });

  it('keeps the same definition when use_spot_instances is off, but for the UseSpotInstances default', () => {
    const on = synthesizeTrainingPipeline(options()).definition;
    const off = synthesizeTrainingPipeline(options({ use_spot_instances: false })).definition;
    expect(parameter(on, 'UseSpotInstances')).toBe(true);
    expect(parameter(off, 'UseSpotInstances')).toBe(false);
    expect({ ...off, Parameters: on.Parameters }).toEqual(on);
  });

  it('retries the Preprocess, Train and Evaluate jobs of both branches on SageMaker\'s transient failures, with exponential backoff', () => {
    const definition = synthesizeTrainingPipeline(options()).definition;
    const expected = [
      { BackoffRate: 2, IntervalSeconds: 10, MaxAttempts: 5, ExceptionType: ['Step.SERVICE_FAULT', 'Step.THROTTLING'] },
      { BackoffRate: 2, IntervalSeconds: 60, MaxAttempts: 5, ExceptionType: ['SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR'] },
      { BackoffRate: 2, IntervalSeconds: 60, ExpireAfterMin: 30, ExceptionType: ['SageMaker.RESOURCE_LIMIT'] },
    ];
    expect(JOB_RETRY_POLICIES.flatMap((p) => p.exceptionTypes).sort()).toEqual(['SageMaker.CAPACITY_ERROR', 'SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.RESOURCE_LIMIT', 'Step.SERVICE_FAULT', 'Step.THROTTLING']);
    const retried = [...stepsByName(definition).values()].filter((s) => 'RetryPolicies' in s).map((s) => s.Name);
    expect(retried).toEqual(['Preprocess', 'Train', 'Evaluate', 'TrainOnDemand', 'EvaluateOnDemand']);
    for (const name of retried) expect((stepsByName(definition).get(name) as TrainingStepJson | ProcessingStepJson).RetryPolicies, name).toEqual(expected);
    // RetryPolicies sits where the SDK writes it: after Description, before PropertyFiles.
    expect(Object.keys(stepOf(definition, 'Evaluate', 'Processing'))).toEqual(['Name', 'Type', 'Arguments', 'Description', 'RetryPolicies', 'PropertyFiles']);
  });

  it('has no PipelineExperimentConfig, so SageMaker creates no experiment or trial (runs are tracked in MLflow)', () => {
    expect(synthesizeTrainingPipeline(options()).json).not.toContain('PipelineExperimentConfig');
    expect(trainingPipeline(options()).experimentConfig).toBeNull();
  });

  it('registers the inference image of CodeVersion, model.tar.gz and the serving settings by default, and what serving passes when it does', () => {
    const register = (definition: PipelineDefinitionJson, name = 'Register') => stepOf(definition, name, 'RegisterModel').Arguments.InferenceSpecification;
    const plain = synthesizeTrainingPipeline(options({ serving: { runtime: 'onnx', instance_type: 'ml.c5.xlarge', realtime_instance_types: ['ml.c5.xlarge', 'ml.g5.xlarge'] } })).definition;
    const defaults = (trainStep: string) => ({
      Containers: [
        {
          // The tag is the execution's CodeVersion: the image built from the code that trained the model.
          Image: { 'Std:Join': { On: '', Values: ['123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-inference:', { Get: 'Parameters.CodeVersion' }] } },
          Environment: { YOLOPS_INFERENCE_RUNTIME: 'onnx' },
          ModelDataUrl: { Get: `Steps.${trainStep}.ModelArtifacts.S3ModelArtifacts` },
        },
      ],
      SupportedContentTypes: ['image/jpeg', 'image/png', 'application/x-image', 'application/json'],
      SupportedResponseMIMETypes: ['application/json'],
      SupportedRealtimeInferenceInstanceTypes: ['ml.c5.xlarge', 'ml.g5.xlarge'],
    });
    expect(register(plain)).toEqual(defaults('Train'));
    expect(register(plain, 'RegisterOnDemand')).toEqual(defaults('TrainOnDemand'));
    // The China partition's registry domain.
    const china = synthesizeTrainingPipeline({ ...options(), context: context({ aws_region: 'cn-north-1', aws_account_id: '210987654321', project_name: 'vision' }) }).definition;
    expect(JSON.stringify(register(china).Containers[0]?.Image)).toContain('"210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/vision-inference:"');

    const serving = {
      imageUri: '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-inference:1.0',
      environment: { SAGEMAKER_PROGRAM: 'inference.py' },
      contentTypes: ['image/jpeg', 'image/png'],
      responseMimeTypes: ['application/json'],
      realtimeInstanceTypes: ['ml.g5.xlarge'],
      transformInstanceTypes: ['ml.g5.xlarge'],
    };
    const served = synthesizeTrainingPipeline(options({}, { serving })).definition;
    const spec = register(served);
    expect(spec).toEqual({
      Containers: [{ Image: serving.imageUri, Environment: { SAGEMAKER_PROGRAM: 'inference.py' }, ModelDataUrl: { Get: 'Steps.Train.ModelArtifacts.S3ModelArtifacts' } }],
      SupportedContentTypes: ['image/jpeg', 'image/png'],
      SupportedResponseMIMETypes: ['application/json'],
      SupportedRealtimeInferenceInstanceTypes: ['ml.g5.xlarge'],
      SupportedTransformInstanceTypes: ['ml.g5.xlarge'],
    });
    // Key order of the SDK: container_def() and get_create_model_package_request().
    expect(Object.keys(spec.Containers[0] ?? {})).toEqual(['Image', 'Environment', 'ModelDataUrl']);
    expect(Object.keys(spec)).toEqual(['Containers', 'SupportedContentTypes', 'SupportedResponseMIMETypes', 'SupportedRealtimeInferenceInstanceTypes', 'SupportedTransformInstanceTypes']);
    const repackaged = synthesizeTrainingPipeline(options({}, { serving: { modelDataUrl: 's3://bucket/serving/model.tar.gz' } })).definition;
    expect((stepOf(repackaged, 'RegisterOnDemand', 'RegisterModel') as RegisterModelStepJson).Arguments.InferenceSpecification.Containers[0]?.ModelDataUrl).toBe('s3://bucket/serving/model.tar.gz');
  });

  it('registers the content types the inference server reads from the same file', () => {
    const contract = JSON.parse(readFileSync(new URL('training/yolops_serving/content_types.json', REPO), 'utf8')) as { image: string[]; batch: string; response: string[] };
    const spec = stepOf(synthesizeTrainingPipeline(options()).definition, 'Register', 'RegisterModel').Arguments.InferenceSpecification;
    expect(spec.SupportedContentTypes).toEqual([...contract.image, contract.batch]);
    expect(spec.SupportedResponseMIMETypes).toEqual(contract.response);
  });

  it('uses the custom image for training only, and explicit image URIs over both', () => {
    const custom = '123456789012.dkr.ecr.ap-southeast-2.amazonaws.com/yolops-training:1.4.0';
    const definition = synthesizeTrainingPipeline(options({ custom_image_uri: custom })).definition;
    expect(train(definition).Arguments.AlgorithmSpecification.TrainingImage).toBe(custom);
    expect(stepOf(definition, 'Evaluate', 'Processing').Arguments.AppSpecification.ImageUri).toMatch(/pytorch-training:2\.6\.0-cpu/);
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

  it('orders the steps Preprocess, TrainOnSpot, each branch, then each branch\'s gate; a gate waits for its branch only', () => {
    const pipeline = trainingPipeline(options());
    expect(pipeline.executionOrder).toEqual([
      'Preprocess', 'TrainOnSpot', 'Train', 'Evaluate', 'TrainOnDemand', 'EvaluateOnDemand',
      'QualityGate', 'Register', 'QualityGateFailed', 'QualityGateOnDemand', 'RegisterOnDemand', 'QualityGateFailedOnDemand',
    ]);
    expect(Object.fromEntries(pipeline.dependencies)).toEqual({
      Preprocess: [],
      TrainOnSpot: ['Preprocess'],
      Train: ['Preprocess', 'TrainOnSpot'],
      Evaluate: ['Train', 'Preprocess', 'TrainOnSpot'],
      TrainOnDemand: ['Preprocess', 'TrainOnSpot'],
      EvaluateOnDemand: ['TrainOnDemand', 'Preprocess', 'TrainOnSpot'],
      QualityGate: ['Evaluate'],
      Register: ['Train', 'QualityGate'],
      QualityGateFailed: ['Evaluate', 'QualityGate'],
      QualityGateOnDemand: ['EvaluateOnDemand'],
      RegisterOnDemand: ['TrainOnDemand', 'QualityGateOnDemand'],
      QualityGateFailedOnDemand: ['EvaluateOnDemand', 'QualityGateOnDemand'],
    });
    expect(STEP_NAMES.preprocess).toBe('Preprocess');
    expect(STEP_NAMES.onDemand).toEqual({ train: 'TrainOnDemand', evaluate: 'EvaluateOnDemand', qualityGate: 'QualityGateOnDemand', register: 'RegisterOnDemand', qualityGateFailed: 'QualityGateFailedOnDemand' });
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

import type { CdkContext } from '../config/cdk-context.ts';
import type { TrainingConfig } from '../config/training-config.ts';
import { resourceNames } from '../naming.ts';
import { mlflowTrackingServerArn, sagemakerExecutionRoleArn } from './aws/arns.ts';
import { pytorchTrainingImageUri } from './aws/images.ts';
import { floatParameter, integerParameter, stringParameter } from './dsl/parameters.ts';
import { definePipeline, type Pipeline } from './dsl/pipeline.ts';
import { conditionStep, greaterThanOrEqualTo } from './dsl/steps/condition.ts';
import { failStep } from './dsl/steps/fail.ts';
import { processingStep } from './dsl/steps/processing.ts';
import { registerModelStep } from './dsl/steps/register-model.ts';
import type { MetricDefinition } from './compiled-definition-types.ts';
import { trainingStep } from './dsl/steps/training.ts';
import { Execution, join, jsonGet } from './dsl/values.ts';

/** Everything the yolops training pipeline is derived from; the same inputs give the same JSON, byte for byte. */
export interface TrainingPipelineOptions {
  /** cdk.json's context: account, region (and so partition), project name. */
  context: CdkContext;
  /** training-config.json: parameter defaults, instance and spot settings, image tags. */
  training: TrainingConfig;
  /** training/metric_definitions.json: how SageMaker reads metrics from train.py's log. */
  metricDefinitions: readonly MetricDefinition[];
  /** @default `training.custom_image_uri`, else the AWS PyTorch training image tagged `training.pytorch_image_tag` */
  trainingImageUri?: string;
  /** @default the AWS PyTorch image tagged `training.evaluation_image_tag` */
  evaluationImageUri?: string;
  /**
   * Version of the code bundle uploaded to `s3://{training bucket}/code/{version}/`. When given, it becomes the
   * default of CodeUri and CodeVersion; without it, every execution must pass both.
   */
  codeVersion?: string;
}

// The contract's names (docs/contracts.md); the local runner and the trigger rely on them.
export const STEP_NAMES = { train: 'Train', evaluate: 'Evaluate', qualityGate: 'QualityGate', register: 'Register', qualityGateFailed: 'QualityGateFailed' } as const;
export const EVALUATION_REPORT = { propertyFile: 'EvaluationReport', output: 'evaluation', file: 'evaluation.json', metricPath: 'metrics.mAP50_95' } as const;

const CODE_VERSION = /^[A-Za-z0-9._-]{1,128}$/;
const PROCESSING = '/opt/ml/processing';

/** The yolops pipeline: Train -> Evaluate -> QualityGate -> Register | QualityGateFailed. */
export function trainingPipeline(options: TrainingPipelineOptions): Pipeline {
  const { context, training: config } = options;
  const names = resourceNames(context);
  if (options.codeVersion !== undefined && !CODE_VERSION.test(options.codeVersion)) {
    throw new TypeError(`codeVersion ${JSON.stringify(options.codeVersion)} must be 1-128 letters, digits, ".", "_" or "-" (a git sha or a content hash); it becomes part of an S3 key.`);
  }
  const trainingImage = options.trainingImageUri ?? config.custom_image_uri ?? pytorchTrainingImageUri(context.aws_region, config.pytorch_image_tag);
  const evaluationImage = options.evaluationImageUri ?? pytorchTrainingImageUri(context.aws_region, config.evaluation_image_tag);
  const roleArn = sagemakerExecutionRoleArn(context);
  const artifacts = `s3://${names.modelArtifactsBucket}`;
  const executionId = Execution.PipelineExecutionId;
  const runPrefix = (suffix: string) => join([`${artifacts}/pipelines/`, executionId, `/${suffix}`]);

  const InputDataUri = stringParameter('InputDataUri');
  const CodeUri = stringParameter('CodeUri', options.codeVersion === undefined ? undefined : `s3://${names.trainingDataBucket}/code/${options.codeVersion}/`);
  const CodeVersion = stringParameter('CodeVersion', options.codeVersion);
  const TrainingInstanceType = stringParameter('TrainingInstanceType', config.instance_type);
  const EvaluationInstanceType = stringParameter('EvaluationInstanceType', config.evaluation_instance_type);
  const Epochs = integerParameter('Epochs', config.epochs);
  const BatchSize = stringParameter('BatchSize', String(config.batch_size));
  const ImageSize = integerParameter('ImageSize', config.image_size);
  const Model = stringParameter('Model', config.model);
  const Patience = integerParameter('Patience', config.patience);
  const Seed = integerParameter('Seed', config.seed);
  const QualityThreshold = floatParameter('QualityThreshold', config.quality_threshold);
  const MlflowTrackingUri = stringParameter('MlflowTrackingUri', mlflowTrackingServerArn(context));
  const MlflowExperimentName = stringParameter('MlflowExperimentName', config.mlflow_experiment_name);

  const train = trainingStep({
    name: STEP_NAMES.train,
    description: 'Trains Ultralytics YOLO on one dataset version (script mode, train.py).',
    image: trainingImage,
    roleArn,
    instanceType: TrainingInstanceType,
    volumeSizeGb: config.volume_size_gb,
    inputs: { training: InputDataUri },
    outputS3Uri: runPrefix(''),
    hyperParameters: { epochs: Epochs, batch_size: BatchSize, imgsz: ImageSize, model: Model, patience: Patience, seed: Seed },
    scriptMode: { entryPoint: 'train.py', sourceDir: join([CodeUri, 'sourcedir.tar.gz']) },
    environment: {
      MLFLOW_TRACKING_URI: MlflowTrackingUri,
      MLFLOW_EXPERIMENT_NAME: MlflowExperimentName,
      YOLOPS_EXECUTION_ID: executionId,
      YOLOPS_INSTANCE_TYPE: TrainingInstanceType,
    },
    metricDefinitions: options.metricDefinitions,
    maxRuntimeSeconds: config.max_runtime_seconds,
    ...(config.use_spot_instances ? { managedSpot: { maxWaitSeconds: config.max_wait_seconds } } : {}),
    // Always on: with spot, an interruption resumes from here; without, train.py still finds the same layout.
    checkpoint: { s3Uri: join([`${artifacts}/checkpoints/`, executionId, '/']) },
  });

  const evaluate = processingStep({
    name: STEP_NAMES.evaluate,
    description: 'Evaluates the trained model on the validation split and writes evaluation.json.',
    image: evaluationImage,
    roleArn,
    instanceType: EvaluationInstanceType,
    volumeSizeGb: config.volume_size_gb,
    entrypoint: [
      'bash', `${PROCESSING}/input/code/processing_entrypoint.sh`, 'evaluate.py',
      '--model', `${PROCESSING}/model`, '--data', `${PROCESSING}/data`, '--output', `${PROCESSING}/evaluation`,
    ],
    inputs: [
      { name: 'model', source: train.properties.ModelArtifacts.S3ModelArtifacts, destination: `${PROCESSING}/model` },
      { name: 'data', source: InputDataUri, destination: `${PROCESSING}/data` },
      { name: 'code', source: CodeUri, destination: `${PROCESSING}/input/code` },
    ],
    outputs: [{ name: EVALUATION_REPORT.output, source: `${PROCESSING}/evaluation`, destination: runPrefix('evaluation/') }],
    propertyFiles: [{ name: EVALUATION_REPORT.propertyFile, outputName: EVALUATION_REPORT.output, path: EVALUATION_REPORT.file }],
    // evaluate.py adds its eval/* metrics to the training's MLflow run (found through mlflow_run.json).
    environment: {
      MLFLOW_TRACKING_URI: MlflowTrackingUri,
      MLFLOW_EXPERIMENT_NAME: MlflowExperimentName,
      YOLOPS_EXECUTION_ID: executionId,
    },
  });

  const mAP50_95 = jsonGet(evaluate.propertyFile(EVALUATION_REPORT.propertyFile), EVALUATION_REPORT.metricPath);

  const register = registerModelStep({
    name: STEP_NAMES.register,
    description: 'Registers the model as a new version awaiting manual approval.',
    modelPackageGroupName: names.modelPackageGroup,
    approvalStatus: 'PendingManualApproval',
    // The image the model was trained in: it can load the weights (the registry needs an image per version).
    containers: [{ image: trainingImage, modelDataUrl: train.properties.ModelArtifacts.S3ModelArtifacts }],
    modelQualityStatistics: { contentType: 'application/json', s3Uri: runPrefix(`evaluation/${EVALUATION_REPORT.file}`) },
    customerMetadata: { PipelineExecutionId: executionId, InputDataUri, CodeVersion },
  });

  const qualityGateFailed = failStep({
    name: STEP_NAMES.qualityGateFailed,
    description: 'Stops the execution when the model misses the quality threshold.',
    errorMessage: join([
      `Quality gate failed: mAP50-95 (${EVALUATION_REPORT.metricPath} in ${EVALUATION_REPORT.file}) is `, mAP50_95,
      ', below QualityThreshold ', QualityThreshold, '; the model was not registered.',
    ]),
  });

  const qualityGate = conditionStep({
    name: STEP_NAMES.qualityGate,
    description: 'Registers the model only if its mAP50-95 reaches QualityThreshold.',
    conditions: [greaterThanOrEqualTo(mAP50_95, QualityThreshold)],
    ifSteps: [register],
    elseSteps: [qualityGateFailed],
  });

  return definePipeline({
    parameters: [
      InputDataUri, CodeUri, CodeVersion, TrainingInstanceType, EvaluationInstanceType, Epochs, BatchSize, ImageSize,
      Model, Patience, Seed, QualityThreshold, MlflowTrackingUri, MlflowExperimentName,
    ],
    steps: [train, evaluate, qualityGate],
  });
}

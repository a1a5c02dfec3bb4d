import type { CdkContext } from '../config/cdk-context.ts';
import type { TrainingConfig } from '../config/training-config.ts';
import { DEFAULT_LABEL_FORMAT, PREPROCESS_REPORT_FILE } from '../dataset/label-formats.ts';
import { resourceNames } from '../naming.ts';
import { mlflowTrackingServerArn, sagemakerExecutionRoleArn } from './aws/arns.ts';
import { INFERENCE_RUNTIME_ENV, REQUEST_CONTENT_TYPES, RESPONSE_CONTENT_TYPES } from '../serving/server-contract.ts';
import { inferenceImageUri, pytorchTrainingImageUri } from './aws/images.ts';
import type { MetricDefinition } from './compiled-definition-types.ts';
import { configParameters } from './config-parameters.ts';
import { INPUT_PARAMETERS } from './input-parameters.ts';
import { stringParameter } from './dsl/parameters.ts';
import { definePipeline, type Pipeline } from './dsl/pipeline.ts';
import { conditionStep, equalTo, greaterThanOrEqualTo } from './dsl/steps/condition.ts';
import { failStep } from './dsl/steps/fail.ts';
import { processingStep } from './dsl/steps/processing.ts';
import { registerModelStep } from './dsl/steps/register-model.ts';
import { trainingStep } from './dsl/steps/training.ts';
import { Execution, join, jsonGet, type StringValue } from './dsl/values.ts';
import type { RetryPolicy } from './retry-policies.ts';

/**
 * What the Register step records as the model's serving container and inference specification: everything a
 * later CreateModel needs (docs/contracts.md, "Register and serving"). Each field replaces its default alone.
 */
export interface ServingOptions {
  /** The inference image. @default the inference image of the execution's CodeVersion ({@link inferenceImageUri}) */
  imageUri?: StringValue;
  /** The model archive the container loads. @default the Train step's model.tar.gz (ModelArtifacts.S3ModelArtifacts: best.pt and best.onnx) */
  modelDataUrl?: StringValue;
  /** Environment variables of the inference container. @default `YOLOPS_INFERENCE_RUNTIME` = training-config.json's `serving.runtime` */
  environment?: Readonly<Record<string, StringValue>>;
  /** SupportedContentTypes. @default what the server accepts (training/yolops_serving/content_types.json) */
  contentTypes?: readonly string[];
  /** SupportedResponseMIMETypes. @default what the server answers with (the same file) */
  responseMimeTypes?: readonly string[];
  /** SupportedRealtimeInferenceInstanceTypes. @default training-config.json's `serving.realtime_instance_types` */
  realtimeInstanceTypes?: readonly string[];
  /** SupportedTransformInstanceTypes. @default none (no batch transform) */
  transformInstanceTypes?: readonly string[];
}

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
  /** @default the inference image of CodeVersion, model.tar.gz, and training-config.json's `serving` section */
  serving?: ServingOptions;
}

/** The names of the steps one capacity (spot or on-demand) runs. */
const SPOT_STEP_NAMES = { train: 'Train', evaluate: 'Evaluate', qualityGate: 'QualityGate', register: 'Register', qualityGateFailed: 'QualityGateFailed' } as const;
const ON_DEMAND_SUFFIX = 'OnDemand';
type OnDemandStepNames = { readonly [K in keyof typeof SPOT_STEP_NAMES]: `${(typeof SPOT_STEP_NAMES)[K]}${typeof ON_DEMAND_SUFFIX}` };

export type Capacity = 'spot' | 'onDemand';

/**
 * The contract's names (docs/contracts.md); the local runner and the trigger rely on them. Step names are unique in
 * a pipeline, so the on-demand branch repeats the spot branch's steps with "OnDemand" appended.
 */
export const STEP_NAMES = {
  preprocess: 'Preprocess',
  trainOnSpot: 'TrainOnSpot',
  spot: SPOT_STEP_NAMES,
  onDemand: Object.fromEntries(Object.entries(SPOT_STEP_NAMES).map(([key, name]) => [key, `${name}${ON_DEMAND_SUFFIX}`])) as unknown as OnDemandStepNames,
} as const;
export const EVALUATION_REPORT = { propertyFile: 'EvaluationReport', output: 'evaluation', file: 'evaluation.json', metricPath: 'metrics.mAP50_95' } as const;
/**
 * The Preprocess step's outputs: `dataset`, the split YOLO dataset Train and Evaluate read, and `report`, which
 * holds preprocess.json (what was converted, the split's counts, the problems found), its property file.
 */
export const PREPROCESS_OUTPUTS = { dataset: 'dataset', report: 'report' } as const;
export const PREPROCESS_REPORT = { propertyFile: 'PreprocessReport', output: PREPROCESS_OUTPUTS.report, file: PREPROCESS_REPORT_FILE } as const;

/**
 * The Preprocess, Train and Evaluate jobs are started again, with exponential backoff, when they fail for a reason of
 * SageMaker's rather than of the code or data (limits: retry-policies.ts). A retried training resumes from the
 * execution's checkpoints (CheckpointConfig), so it does not start over.
 */
export const JOB_RETRY_POLICIES: readonly RetryPolicy[] = [
  // The SageMaker API failed or throttled the call that starts or watches the job: seconds to recover.
  // (Pipelines retries these by default; written out so that the numbers are ours: 10 s, 20 s, ... about 5 min in all.)
  { exceptionTypes: ['Step.SERVICE_FAULT', 'Step.THROTTLING'], intervalSeconds: 10, backoffRate: 2, maxAttempts: 5 },
  // The job failed inside SageMaker, or EC2 had no capacity of the instance type: a new job usually gets through.
  // 1, 2, 4, 8, 16 minutes apart: half an hour of waiting for on-demand GPU capacity to come back.
  { exceptionTypes: ['SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR'], intervalSeconds: 60, backoffRate: 2, maxAttempts: 5 },
  // A quota is exhausted, e.g. by another job on the same instance type: it frees when that job ends. A quota of 0
  // (a new account's spot quota) never frees, so the window stays short and the failure says what to do
  // (start the execution with UseSpotInstances=false, or raise the quota).
  { exceptionTypes: ['SageMaker.RESOURCE_LIMIT'], intervalSeconds: 60, backoffRate: 2, expireAfterMin: 30 },
];

/** Also an ECR image tag (the inference image's), which may not start with "." or "-". */
const CODE_VERSION = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const PROCESSING = '/opt/ml/processing';

/** What is wrong with a code version (the `<version>` of `code/<version>/`, part of an S3 key), or undefined. */
export function codeVersionProblem(version: string): string | undefined {
  return CODE_VERSION.test(version) ? undefined : `${JSON.stringify(version)} must be 1-128 letters, digits, ".", "_" or "-", starting with a letter, digit or "_" (a git sha or a content hash); it becomes part of an S3 key and the inference image's tag`;
}

/**
 * The yolops pipeline. Preprocess turns InputDataUri (a labelled export in InputFormat, or a YOLO dataset) into a
 * validated, split YOLO dataset; then TrainOnSpot picks the branch: Train -> Evaluate on managed spot capacity, or
 * TrainOnDemand -> EvaluateOnDemand, both reading Preprocess's dataset, after which QualityGate
 * (QualityGateOnDemand) registers the model or fails the execution.
 *
 * Why two branches: UseSpotInstances is read by EnableManagedSpotTraining, but CreateTrainingJob needs
 * StoppingCondition.MaxWaitTimeInSeconds when spot is on and refuses it when spot is off, and a definition has no
 * expression that leaves a field out. A Condition step is the one run-time choice SageMaker Pipelines has; branches
 * never join again (a step waits for all of its dependencies), and Condition steps may not sit in a branch (AWS's
 * schema), so each branch has its own Evaluate and its own gate at the top level, which runs only after its
 * branch's Evaluate.
 */
export function trainingPipeline(options: TrainingPipelineOptions): Pipeline {
  const { context, training: config } = options;
  const names = resourceNames(context);
  const versionProblem = options.codeVersion === undefined ? undefined : codeVersionProblem(options.codeVersion);
  if (versionProblem !== undefined) throw new TypeError(`codeVersion ${versionProblem}.`);
  const trainingImage = options.trainingImageUri ?? config.custom_image_uri ?? pytorchTrainingImageUri(context.aws_region, config.pytorch_image_tag);
  const evaluationImage = options.evaluationImageUri ?? pytorchTrainingImageUri(context.aws_region, config.evaluation_image_tag);
  const serving = options.serving ?? {};
  const roleArn = sagemakerExecutionRoleArn(context);
  const artifacts = `s3://${names.modelArtifactsBucket}`;
  const executionId = Execution.PipelineExecutionId;
  const runPrefix = (suffix: string) => join([`${artifacts}/pipelines/`, executionId, `/${suffix}`]);

  const InputDataUri = stringParameter(INPUT_PARAMETERS.dataUri);
  const InputFormat = stringParameter(INPUT_PARAMETERS.format, DEFAULT_LABEL_FORMAT);
  const CodeUri = stringParameter('CodeUri', options.codeVersion === undefined ? undefined : `s3://${names.trainingDataBucket}/code/${options.codeVersion}/`);
  const CodeVersion = stringParameter('CodeVersion', options.codeVersion);
  const MlflowTrackingUri = stringParameter('MlflowTrackingUri', mlflowTrackingServerArn(context));
  const {
    TrainingInstanceType, EvaluationInstanceType, PreprocessingInstanceType, SplitRatios, SplitSeed, Epochs, BatchSize, ImageSize, Model, Patience, Seed,
    QualityThreshold, MlflowExperimentName, UseSpotInstances,
  } = configParameters(config);

  // preprocess.py's contract (docs/contracts.md): a split YOLO dataset is validated and passed through, anything
  // else converted and split; preprocess.json is written either way, and the job fails when the dataset is not valid.
  const preprocess = processingStep({
    name: STEP_NAMES.preprocess,
    description: 'Converts the labelled data (InputFormat) into a split YOLO dataset and validates it; writes preprocess.json.',
    image: evaluationImage,
    roleArn,
    instanceType: PreprocessingInstanceType,
    volumeSizeGb: config.volume_size_gb,
    entrypoint: ['bash', `${PROCESSING}/input/code/processing_entrypoint.sh`, 'preprocess.py'],
    // Arguments, not entrypoint: they hold parameters (ContainerArguments are strings, hence the seed's join).
    arguments: [
      '--input', `${PROCESSING}/input/data`, '--format', InputFormat, '--split', SplitRatios, '--seed', join([SplitSeed]),
      '--output', `${PROCESSING}/dataset`, '--report', `${PROCESSING}/report`,
    ],
    inputs: [
      { name: 'data', source: InputDataUri, destination: `${PROCESSING}/input/data` },
      { name: 'code', source: CodeUri, destination: `${PROCESSING}/input/code` },
    ],
    outputs: [
      { name: PREPROCESS_OUTPUTS.dataset, source: `${PROCESSING}/dataset`, destination: runPrefix('dataset/') },
      { name: PREPROCESS_REPORT.output, source: `${PROCESSING}/report`, destination: runPrefix('preprocess/') },
    ],
    propertyFiles: [{ name: PREPROCESS_REPORT.propertyFile, outputName: PREPROCESS_REPORT.output, path: PREPROCESS_REPORT.file }],
    retryPolicies: JOB_RETRY_POLICIES,
  });
  const dataset = preprocess.outputS3Uri(PREPROCESS_OUTPUTS.dataset);

  /** The steps of one capacity: training, evaluation, and the gate that registers the model or fails. */
  const branch = (capacity: Capacity) => {
    const stepNames = STEP_NAMES[capacity];
    const spot = capacity === 'spot';
    const train = trainingStep({
      name: stepNames.train,
      description: `Trains Ultralytics YOLO on one dataset version (script mode, train.py) with ${spot ? 'managed spot' : 'on-demand'} capacity.`,
      image: trainingImage,
      roleArn,
      instanceType: TrainingInstanceType,
      volumeSizeGb: config.volume_size_gb,
      inputs: { training: dataset },
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
      // Read in both branches, so the job says what the execution asked for; TrainOnSpot makes it true here and
      // false on the on-demand branch, which is why only this branch may carry MaxWaitTimeInSeconds.
      managedSpot: { enabled: UseSpotInstances, ...(spot ? { maxWaitSeconds: config.max_wait_seconds } : {}) },
      // Always on: with spot, an interruption resumes from here; without, train.py still finds the same layout.
      checkpoint: { s3Uri: join([`${artifacts}/checkpoints/`, executionId, '/']) },
      retryPolicies: JOB_RETRY_POLICIES,
    });

    const evaluate = processingStep({
      name: stepNames.evaluate,
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
        { name: 'data', source: dataset, destination: `${PROCESSING}/data` },
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
      retryPolicies: JOB_RETRY_POLICIES,
    });

    const mAP50_95 = jsonGet(evaluate.propertyFile(EVALUATION_REPORT.propertyFile), EVALUATION_REPORT.metricPath);

    const register = registerModelStep({
      name: stepNames.register,
      description: 'Registers the model as a new version awaiting manual approval.',
      modelPackageGroupName: names.modelPackageGroup,
      approvalStatus: 'PendingManualApproval',
      // The image built from the same code version as the training (so the server reads what train.py wrote),
      // with the training's archive: a version is deployable as registered, with nothing repackaged.
      containers: [
        {
          image: serving.imageUri ?? inferenceImageUri(context, CodeVersion),
          modelDataUrl: serving.modelDataUrl ?? train.properties.ModelArtifacts.S3ModelArtifacts,
          environment: serving.environment ?? { [INFERENCE_RUNTIME_ENV]: config.serving.runtime },
        },
      ],
      supportedContentTypes: serving.contentTypes ?? REQUEST_CONTENT_TYPES,
      supportedResponseMimeTypes: serving.responseMimeTypes ?? RESPONSE_CONTENT_TYPES,
      supportedRealtimeInstanceTypes: serving.realtimeInstanceTypes ?? config.serving.realtime_instance_types,
      ...(serving.transformInstanceTypes ? { supportedTransformInstanceTypes: serving.transformInstanceTypes } : {}),
      modelQualityStatistics: { contentType: 'application/json', s3Uri: runPrefix(`evaluation/${EVALUATION_REPORT.file}`) },
      customerMetadata: { PipelineExecutionId: executionId, InputDataUri, InputFormat, CodeVersion },
    });

    const qualityGateFailed = failStep({
      name: stepNames.qualityGateFailed,
      description: 'Stops the execution when the model misses the quality threshold.',
      errorMessage: join([
        `Quality gate failed: mAP50-95 (${EVALUATION_REPORT.metricPath} in ${EVALUATION_REPORT.file}) is `, mAP50_95,
        ', below QualityThreshold ', QualityThreshold, '; the model was not registered.',
      ]),
    });

    const qualityGate = conditionStep({
      name: stepNames.qualityGate,
      description: 'Registers the model only if its mAP50-95 reaches QualityThreshold.',
      conditions: [greaterThanOrEqualTo(mAP50_95, QualityThreshold)],
      ifSteps: [register],
      elseSteps: [qualityGateFailed],
    });
    return { train, evaluate, qualityGate };
  };

  const spot = branch('spot');
  const onDemand = branch('onDemand');
  const trainOnSpot = conditionStep({
    name: STEP_NAMES.trainOnSpot,
    // The branches read Preprocess's dataset anyway; waiting here too keeps the order plain: data first.
    dependsOn: [preprocess],
    description: 'Trains on managed spot capacity when UseSpotInstances is true, on on-demand capacity otherwise.',
    conditions: [equalTo(UseSpotInstances, true)],
    ifSteps: [spot.train, spot.evaluate],
    elseSteps: [onDemand.train, onDemand.evaluate],
  });

  return definePipeline({
    parameters: [
      InputDataUri, InputFormat, CodeUri, CodeVersion, TrainingInstanceType, EvaluationInstanceType, PreprocessingInstanceType, SplitRatios,
      SplitSeed, Epochs, BatchSize, ImageSize, Model, Patience, Seed, QualityThreshold, MlflowTrackingUri, MlflowExperimentName, UseSpotInstances,
    ],
    steps: [preprocess, trainOnSpot, spot.qualityGate, onDemand.qualityGate],
    // Runs are tracked in MLflow (MLFLOW_TRACKING_URI). A PipelineExperimentConfig would make SageMaker create an
    // experiment and a trial per execution, which needs sagemaker:CreateExperiment, CreateTrial and
    // AssociateTrialComponent on the pipeline role, for a second record of the same runs (docs/contracts.md).
    experimentConfig: null,
  });
}

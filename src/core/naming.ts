import type { CdkContext } from './config/cdk-context.ts';

/**
 * Every resource name, from one place: `{project}-{resource-type}-{account}` for globally unique names
 * (S3 buckets), `{project}-{resource-type}` otherwise.
 */
export function resourceNames(context: Pick<CdkContext, 'project_name' | 'aws_account_id'>) {
  const p = context.project_name;
  const account = context.aws_account_id;
  return {
    trainingDataBucket: `${p}-training-data-${account}`,
    modelArtifactsBucket: `${p}-model-artifacts-${account}`,
    mlflowArtifactsBucket: `${p}-mlflow-artifacts-${account}`,
    accessLogsBucket: `${p}-access-logs-${account}`,
    sagemakerExecutionRole: `${p}-sagemaker-execution-role`,
    pipelineRole: `${p}-pipeline-role`,
    lambdaExecutionRole: `${p}-lambda-execution-role`,
    mlflowServerRole: `${p}-mlflow-server-role`,
    githubDeployRole: `${p}-github-deploy-role`,
    pipeline: `${p}-yolo-training-pipeline`,
    modelPackageGroup: `${p}-yolo-models`,
    triggerFunction: `${p}-training-trigger`,
    notificationsTopic: `${p}-notifications`,
    mlflowTrackingServer: `${p}-mlflow`,
    mlflowApp: `${p}-mlflow`,
    /** SSM parameter holding the MLflow tracking URI (the ARN of the tracking server or App) the jobs log to. */
    mlflowTrackingUriParameter: `/${p}/mlflow/tracking-uri`,
    sharedResourcesStack: `${p}-SharedResourcesStack`,
    pipelineStack: `${p}-SageMakerPipelineStack`,
    triggerStack: `${p}-S3TriggerStack`,
    datasetUploadRule: `${p}-dataset-upload-trigger`,
    sampleDatasetRule: `${p}-sample-dataset-trigger`,
    pipelineStatusRule: `${p}-pipeline-status`,
    pipelineStepFailedRule: `${p}-pipeline-step-failed`,
    pipelineNoCapacityRule: `${p}-pipeline-no-capacity`,
    triggerErrorsAlarm: `${p}-training-trigger-errors`,
    triggerFailedInvocationsAlarm: `${p}-training-trigger-failed-invocations`,
    triggerLogGroup: `/aws/lambda/${p}-training-trigger`,
    triggerQueue: `${p}-training-trigger-events`,
    triggerDeadLetterQueue: `${p}-training-trigger-events-dlq`,
    triggerDeadLetterAlarm: `${p}-training-trigger-dead-letters`,
    notificationsKeyAlias: `alias/${p}-notifications`,
    /** The model-build CI (cdk.json `model_build`): its CodeCommit repository, CodePipeline, CodeBuild project and role. */
    modelBuildRepository: `${p}-model-build`,
    modelBuildPipeline: `${p}-model-build`,
    modelBuildProject: `${p}-model-build`,
    modelBuildRole: `${p}-model-build-role`,
    modelBuildLogGroup: `/aws/codebuild/${p}-model-build`,
    /** No longer than `-mlflow-artifacts-`, so MAX_PROJECT_NAME_LENGTH holds for it too. */
    modelBuildArtifactsBucket: `${p}-build-artifacts-${account}`,
    modelBuildStack: `${p}-ModelBuildStack`,
    /** Serving: the inference image (ECR repository, built by CodeBuild from training/), the endpoints and their deployer. */
    servingStack: `${p}-ServingStack`,
    inferenceImageRepository: `${p}-inference`,
    inferenceImageProject: `${p}-inference-image`,
    inferenceImageLogGroup: `/aws/codebuild/${p}-inference-image`,
    /** The role SageMaker endpoints run as: reads model archives, pulls the image, writes data capture. */
    endpointExecutionRole: `${p}-endpoint-role`,
    stagingEndpoint: `${p}-staging`,
    productionEndpoint: `${p}-production`,
    deployerFunction: `${p}-deployer`,
    deployerRole: `${p}-deployer-role`,
    deployerLogGroup: `/aws/lambda/${p}-deployer`,
    modelApprovedRule: `${p}-model-approved`,
    stagingEndpointStateRule: `${p}-staging-endpoint-state`,
    productionErrorsAlarm: `${p}-production-5xx`,
    productionLatencyAlarm: `${p}-production-latency`,
    /** Deployer events that failed after their retries (EventBridge and Lambda both deliver there), and its alarms. */
    deployerDeadLetterQueue: `${p}-deployer-dlq`,
    deployerErrorsAlarm: `${p}-deployer-errors`,
    deployerDeadLetterAlarm: `${p}-deployer-dead-letters`,
    /** Labelled data in: the rule for uploads under labeled-data/ (the S3 trigger converts them through the Preprocess step). */
    labeledDataUploadRule: `${p}-labeled-data-trigger`,
    /** Ground Truth: the role labeling jobs run as, and the completion of a job turning its output into a labelled-data version. */
    labelingJobRole: `${p}-labeling-role`,
    labelingJobStateRule: `${p}-labeling-job-state`,
    labelingCompletionFunction: `${p}-labeling-completion`,
    labelingCompletionRole: `${p}-labeling-completion-role`,
    labelingCompletionLogGroup: `/aws/lambda/${p}-labeling-completion`,
    labelingCompletionDeadLetterQueue: `${p}-labeling-completion-dlq`,
    labelingCompletionErrorsAlarm: `${p}-labeling-completion-errors`,
  } as const;
}

export type ResourceNames = ReturnType<typeof resourceNames>;

/** S3 prefixes with a meaning (docs/contracts.md: the bucket layout and the pipeline). */
export const PREFIXES = {
  splitDataset: 'split_dataset/',
  sampleDataset: 'sample_dataset/',
  /**
   * Labelled exports (COCO, Pascal VOC, Ground Truth, Label Studio, unsplit YOLO): `labeled-data/<version>/` holds
   * one export and its images; an upload starts one execution whose Preprocess step converts and splits it.
   */
  labeledData: 'labeled-data/',
  /** Images waiting to be labelled (`raw-images/<batch>/`): the input of `yolops label start`. */
  rawImages: 'raw-images/',
  /** Ground Truth labeling jobs: `labeling/<job>/` holds the input manifest, the label categories and the job's output. */
  labeling: 'labeling/',
  code: 'code/',
  config: 'config/',
  trainingConfigKey: 'config/training-config.json',
  pipelines: 'pipelines/',
  checkpoints: 'checkpoints/',
  mlflowArtifacts: 'artifacts/',
  /** The S3 trigger's own records (claims, reports, notices): outside the dataset prefixes, so its writes never trigger it. */
  trigger: 'triggers/',
  /** In the model artifacts bucket: the production endpoint's captured requests and responses. */
  dataCapture: 'data-capture/',
} as const;

/** The one production variant of every yolops endpoint: alarms and autoscaling name it before the endpoint exists. */
export const ENDPOINT_VARIANT_NAME = 'AllTraffic';

/**
 * The build environment variable that names the inference image's tag (the code version) of one build of the
 * `inferenceImageProject` CodeBuild project; StartBuild sets it, and the buildspec refuses to build without it.
 */
export const INFERENCE_IMAGE_TAG_VARIABLE = 'IMAGE_TAG';

/** The prefixes whose first folder is a dataset version (docs/contracts.md: InputDataUri). */
export const DATASET_PREFIXES = [PREFIXES.splitDataset, PREFIXES.sampleDataset] as const;

const DATASET_VERSION_NAME = /^[a-z0-9][a-z0-9._-]*$/i;

/**
 * What is wrong with a dataset version name (the `<version>` of `split_dataset/<version>/`), or undefined when
 * it is fine: one key segment of letters, digits, ".", "_" and "-", starting with a letter or digit.
 */
export function datasetVersionNameProblem(name: string): string | undefined {
  if (DATASET_VERSION_NAME.test(name)) return undefined;
  return `dataset version ${JSON.stringify(name)} must be letters, digits, ".", "_" and "-", starting with a letter or digit`;
}

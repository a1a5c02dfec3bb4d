/**
 * The AWS backend: the AWS halves of the ports the local backend implements (object store, pipeline runner,
 * model registry, notifier), over the AWS SDK for JavaScript v3, plus what the S3 trigger needs besides them.
 * The trigger Lambda (src/trigger) and the CLI's AWS target use these; src/core never imports them.
 */
export {
  createS3Client,
  createSageMakerClient,
  createSnsClient,
  createSqsClient,
  createStsClient,
  createCloudFormationClient,
  createServiceQuotasClient,
  createSsmClient,
  createSageMakerRuntimeClient,
  createApplicationAutoScalingClient,
  createCodeBuildClient,
  createEcrClient,
  type AwsConnection,
} from './clients.ts';
export { AwsError, S3RequestError } from './errors.ts';
export { S3ObjectStore } from './s3-object-store.ts';
export { S3UploadsInProgress } from './s3-uploads-in-progress.ts';
export { SqsRecheckScheduler } from './sqs-recheck-scheduler.ts';
export { SageMakerPipelines, type UpsertPipelineInput, type ListExecutionsOptions } from './sagemaker-pipelines.ts';
export { parseExecutionArn, type DeployedPipeline, type PipelineExecution, type PipelineExecutionSummary, type PipelineStep } from './pipeline-execution-records.ts';
export { SageMakerTrainingJobs, TRAINING_JOB_STATUSES, type TrainingJob, type TrainingJobMetric, type TrainingJobStatus, type TrainingJobTransition } from './sagemaker-training-jobs.ts';
export { SageMakerModelRegistry } from './sagemaker-model-registry.ts';
export { SageMakerError, PipelineNotFoundError, PipelineExecutionNotFoundError, SageMakerRequestError, SageMakerLimitError, ModelRegistryError } from './sagemaker-errors.ts';
export { readSsmParameter, SsmParameterError } from './ssm-parameters.ts';
export { InferenceImageBuilds, InferenceImageError, type ImageBuild, type ImageBuildStart, type InferenceImageTarget } from './inference-image.ts';
export { SnsNotifier, SnsPublishError } from './sns-notifier.ts';
export { AwsProbeError } from './probes/probe-call.ts';
export { callerIdentity, type CallerIdentity } from './probes/identity.ts';
export { describeStack, cdkBootstrapState, CDK_BOOTSTRAP, type StackState, type CdkBootstrapState } from './probes/cloudformation-stacks.ts';
export { ssmParameterValue } from './probes/ssm-parameter.ts';
export { bucketState, type BucketState } from './probes/s3-bucket.ts';
export { pipelineStatus, modelPackageGroupStatus, mlflowAppStatus, mlflowTrackingServerState, type TrackingServerState } from './probes/sagemaker-resources.ts';
export { findQuotasByName, trainingQuotaNames, quotaIncreaseUrl, type QuotaValue } from './probes/service-quotas.ts';
export { SageMakerDeployments, EndpointBusyError, type DeploymentClients, type DeploymentSettings, type DeploymentStart, type AutoscalingOutcome, type CleanupResult } from './deployment/index.ts';
export { SageMakerLabelingJobs, LabelingJobNotFoundError, S3ServerSideCopy, startLabelingJob, LABELING_JOB_STATUSES, type LabelingJob, type LabelingJobStatus } from './labeling/index.ts';

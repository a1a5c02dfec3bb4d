import type { AwsRegion } from '../config/regions.ts';
import { partitionOf } from '../pipeline/aws/partition.ts';
import { resourceNames } from '../naming.ts';
import { formatS3Uri } from '../storage/s3-uri.ts';
import { boundingBoxTaskFunctions } from './builtin-task-functions.ts';
import { LABEL_ATTRIBUTE_NAME, type LabelingJobLayout } from './layout.ts';

/** The CreateLabelingJob request (the API's member names), built without the SDK so that core stays pure. */
export interface LabelingJobRequest {
  LabelingJobName: string;
  LabelAttributeName: string;
  InputConfig: { DataSource: { S3DataSource: { ManifestS3Uri: string } } };
  OutputConfig: { S3OutputPath: string };
  RoleArn: string;
  LabelCategoryConfigS3Uri: string;
  HumanTaskConfig: {
    WorkteamArn: string;
    UiConfig: { UiTemplateS3Uri: string };
    PreHumanTaskLambdaArn: string;
    TaskTitle: string;
    TaskDescription: string;
    NumberOfHumanWorkersPerDataObject: number;
    TaskTimeLimitInSeconds: number;
    TaskAvailabilityLifetimeInSeconds: number;
    MaxConcurrentTaskCount: number;
    AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: string };
  };
  Tags: { Key: string; Value: string }[];
}

export interface LabelingJobSettings {
  job: string;
  region: AwsRegion;
  bucket: string;
  layout: LabelingJobLayout;
  roleArn: string;
  workteamArn: string;
  title: string;
  description: string;
  workersPerImage: number;
  taskTimeLimitSeconds: number;
  /** Where the images came from (a tag, so the job says which batch it labels). */
  imagesUri: string;
  projectName: string;
  environment: string;
}

/**
 * How long a task waits for a worker: 10 days. A private team's default and maximum is 30 days; a job whose tasks
 * expire unlabelled completes with those images unlabelled, so a shorter wait gives an answer sooner.
 */
export const TASK_AVAILABILITY_SECONDS = 10 * 24 * 3600;
/** Tasks out at once: the API's default of 1,000 (5,000 needs AWS Support). */
export const MAX_CONCURRENT_TASKS = 1000;

/** The built-in bounding-box job yolops creates; the region decides the PRE-/ACS- functions (or refuses). */
export function labelingJobRequest(s: LabelingJobSettings): LabelingJobRequest {
  const functions = boundingBoxTaskFunctions(s.region);
  return {
    LabelingJobName: s.job,
    LabelAttributeName: LABEL_ATTRIBUTE_NAME,
    InputConfig: { DataSource: { S3DataSource: { ManifestS3Uri: formatS3Uri(s.bucket, s.layout.inputManifestKey) } } },
    OutputConfig: { S3OutputPath: formatS3Uri(s.bucket, s.layout.outputPrefix) },
    RoleArn: s.roleArn,
    LabelCategoryConfigS3Uri: formatS3Uri(s.bucket, s.layout.categoriesKey),
    HumanTaskConfig: {
      WorkteamArn: s.workteamArn,
      UiConfig: { UiTemplateS3Uri: formatS3Uri(s.bucket, s.layout.templateKey) },
      PreHumanTaskLambdaArn: functions.preHumanTaskLambdaArn,
      TaskTitle: s.title,
      TaskDescription: s.description,
      NumberOfHumanWorkersPerDataObject: s.workersPerImage,
      TaskTimeLimitInSeconds: s.taskTimeLimitSeconds,
      TaskAvailabilityLifetimeInSeconds: TASK_AVAILABILITY_SECONDS,
      MaxConcurrentTaskCount: MAX_CONCURRENT_TASKS,
      AnnotationConsolidationConfig: { AnnotationConsolidationLambdaArn: functions.annotationConsolidationLambdaArn },
    },
    Tags: [
      { Key: 'project', Value: s.projectName },
      { Key: 'environment', Value: s.environment },
      { Key: 'managed-by', Value: 'yolops-cli' },
      { Key: 'yolops-images', Value: s.imagesUri.slice(0, 256) },
    ],
  };
}

/** The console page of a labeling job. */
export function labelingJobConsoleUrl(region: AwsRegion, job: string): string {
  const host = partitionOf(region) === 'aws-cn' ? `console.amazonaws.cn` : 'console.aws.amazon.com';
  return `https://${region}.${host}/sagemaker/groundtruth?region=${region}#/labeling-jobs/details/${job}`;
}

/** The role labeling jobs run as (S3TriggerStack), written out from cdk.json. */
export function labelingJobRoleArn(context: { aws_region: AwsRegion; aws_account_id: string; project_name: string }): string {
  return `arn:${partitionOf(context.aws_region)}:iam::${context.aws_account_id}:role/${resourceNames(context).labelingJobRole}`;
}

import type { CdkContext } from '../config/cdk-context.ts';
import { resourceNames } from '../naming.ts';
import type { ObjectInfo } from '../storage/object-store.ts';
import { formatS3Uri } from '../storage/s3-uri.ts';
import type { ImagesPrefix } from './images-prefix.ts';
import { selectLabelingImages } from './input-manifest.ts';
import { inputManifest } from './input-manifest.ts';
import { labelCategoryConfig } from './label-categories.ts';
import { labelingJobLayout, type LabelingJobLayout } from './layout.ts';
import { labelingJobRequest, labelingJobRoleArn, type LabelingJobRequest } from './labeling-job-request.ts';
import { boundingBoxTemplate } from './worker-template.ts';

export interface LabelingJobOptions {
  job: string;
  classes: readonly string[];
  workteamArn: string;
  title: string;
  description: string;
  instructions: string | undefined;
  workersPerImage: number;
  taskTimeLimitSeconds: number;
}

/** One file the job needs in S3 before it is created. */
export interface LabelingJobFile {
  key: string;
  body: string;
  contentType: string;
}

export interface LabelingJobPlan {
  job: string;
  bucket: string;
  layout: LabelingJobLayout;
  images: number;
  otherFiles: number;
  files: LabelingJobFile[];
  request: LabelingJobRequest;
  /** Where the consolidated labels will be, and the labelled-data version the completion makes of them. */
  outputManifestUri: string;
  versionUri: string;
}

/**
 * Everything `yolops label start` writes and sends, from cdk.json, the images listed under the batch prefix and
 * the options: the input manifest, the label categories and the worker template under `labeling/<job>/`, and the
 * CreateLabelingJob request that names them. Refuses (user errors) what Ground Truth would refuse or fail on.
 */
export function planLabelingJob(context: CdkContext, images: ImagesPrefix, listed: readonly ObjectInfo[], options: LabelingJobOptions): LabelingJobPlan {
  const bucket = resourceNames(context).trainingDataBucket;
  const selected = selectLabelingImages(images.uri, listed);
  const layout = labelingJobLayout(options.job);
  const request = labelingJobRequest({
    job: options.job,
    region: context.aws_region,
    bucket,
    layout,
    roleArn: labelingJobRoleArn(context),
    workteamArn: options.workteamArn,
    title: options.title,
    description: options.description,
    workersPerImage: options.workersPerImage,
    taskTimeLimitSeconds: options.taskTimeLimitSeconds,
    imagesUri: images.uri,
    projectName: context.project_name,
    environment: context.environment,
  });
  return {
    job: options.job,
    bucket,
    layout,
    images: selected.images.length,
    otherFiles: selected.otherFiles,
    files: [
      { key: layout.inputManifestKey, body: inputManifest(bucket, selected.images), contentType: 'application/x-ndjson' },
      { key: layout.categoriesKey, body: `${JSON.stringify(labelCategoryConfig(options.classes), null, 2)}\n`, contentType: 'application/json' },
      { key: layout.templateKey, body: boundingBoxTemplate({ header: options.title, instructions: options.instructions }), contentType: 'text/html' },
    ],
    request,
    outputManifestUri: formatS3Uri(bucket, layout.outputManifestKey),
    versionUri: formatS3Uri(bucket, layout.versionRoot),
  };
}

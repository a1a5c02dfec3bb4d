/** Ground Truth labeling on AWS: the labeling jobs (create, describe) and the server-side copies the completion makes. */
export { SageMakerLabelingJobs, LabelingJobNotFoundError } from './sagemaker-labeling-jobs.ts';
export { LABELING_JOB_STATUSES, type LabelingJob, type LabelingJobStatus } from './labeling-job-records.ts';
export { S3ServerSideCopy } from './s3-server-side-copy.ts';
export { startLabelingJob } from './start-labeling-job.ts';

import type { LabelingJob } from '../aws/labeling/labeling-job-records.ts';
import type { PublishedMessage } from '../core/trigger/ports.ts';

/** The `event` attribute of each completion message, for subscription filters. */
export const LABELING_EVENTS = {
  completed: 'labeling.completed',
  failed: 'labeling.failed',
  stopped: 'labeling.stopped',
  refused: 'labeling.refused',
  error: 'labeling.error',
} as const;

function message(event: string, job: string, subject: string, body: Record<string, unknown>): PublishedMessage {
  return { subject, body: { event, labelingJob: job, ...body }, attributes: { event, labelingJob: job } };
}

export function completedMessage(job: LabelingJob, details: { versionUri: string; images: number; copied: number }): PublishedMessage {
  return message(LABELING_EVENTS.completed, job.name, `Labeling job ${job.name} completed: ${details.images} images to ${details.versionUri}, a training starts`, {
    versionUri: details.versionUri,
    images: details.images,
    copied: details.copied,
    counters: job.counters,
    next: 'The S3 trigger converts the version (format groundtruth) and starts one pipeline execution.',
  });
}

export function endedMessage(job: LabelingJob): PublishedMessage {
  const failed = job.status === 'Failed';
  return message(failed ? LABELING_EVENTS.failed : LABELING_EVENTS.stopped, job.name, `Labeling job ${job.name} ${failed ? 'failed' : 'was stopped'}: no training started`, {
    status: job.status,
    ...(job.failureReason === undefined ? {} : { failureReason: job.failureReason }),
    counters: job.counters,
    next: failed ? 'Fix the cause (the failure reason, CloudWatch log group /aws/sagemaker/LabelingJobs) and start a new job with yolops label start.' : 'Start a new job with yolops label start to label the batch.',
  });
}

export function refusedMessage(job: string, reason: string): PublishedMessage {
  return message(LABELING_EVENTS.refused, job, `Labeling job ${job} completed but its labels were not used: no training started`, { reason });
}

export function errorMessage(job: string, eventId: string, error: Error): PublishedMessage {
  return message(LABELING_EVENTS.error, job, `Labeling completion failed for ${job} (it is retried)`, { eventId, error: `${error.name}: ${error.message}` });
}

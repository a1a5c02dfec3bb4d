import * as z from 'zod';
import { jobNameOfArn } from '../core/labeling/job-name.ts';

/**
 * The event Ground Truth sends when a labeling job ends (developer guide, "Monitor Labeling Job Status"): detail-type
 * "SageMaker Ground Truth Labeling Job State Change", the job's ARN as the one resource, and a detail holding only
 * `LabelingJobStatus` (Completed, Failed or Stopped). The job name is read from the ARN.
 */
export const LABELING_JOB_STATE_CHANGE = 'SageMaker Ground Truth Labeling Job State Change';

const envelopeSchema = z.object({
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.literal('aws.sagemaker'),
  time: z.iso.datetime({ offset: true }),
  resources: z.array(z.string()).min(1),
  detail: z.object({ LabelingJobStatus: z.string().min(1) }),
});

export interface LabelingJobEvent {
  id: string;
  time: Date;
  jobArn: string;
  jobName: string;
  status: string;
}

/** The event, or a one-line reason it is not one the completion handles. */
export function parseLabelingJobEvent(input: unknown): { event: LabelingJobEvent } | { problem: string } {
  const envelope = envelopeSchema.safeParse(input);
  if (!envelope.success) return { problem: `not a SageMaker EventBridge event with a LabelingJobStatus: ${envelope.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}` };
  const e = envelope.data;
  if (e['detail-type'] !== LABELING_JOB_STATE_CHANGE) return { problem: `the labeling completion does not handle "${e['detail-type']}" events` };
  const jobArn = e.resources.find((arn) => jobNameOfArn(arn) !== undefined);
  const jobName = jobArn === undefined ? undefined : jobNameOfArn(jobArn);
  if (jobArn === undefined || jobName === undefined) return { problem: `the event names no labeling job ARN (resources: ${JSON.stringify(e.resources)})` };
  return { event: { id: e.id, time: new Date(e.time), jobArn, jobName, status: e.detail.LabelingJobStatus } };
}

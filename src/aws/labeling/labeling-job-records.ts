import * as z from 'zod';

/** The statuses of a labeling job (DescribeLabelingJob's LabelingJobStatus). */
export const LABELING_JOB_STATUSES = ['Initializing', 'InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'] as const;
export type LabelingJobStatus = (typeof LABELING_JOB_STATUSES)[number];

/**
 * What yolops reads of DescribeLabelingJob's answer, validated: a field missing or of another type is a
 * SageMaker answer this code does not understand, reported as such rather than read as undefined.
 */
export const labelingJobDescriptionSchema = z.looseObject({
  LabelingJobName: z.string().min(1),
  LabelingJobArn: z.string().startsWith('arn:'),
  LabelingJobStatus: z.enum(LABELING_JOB_STATUSES),
  LabelCounters: z.looseObject({
    TotalLabeled: z.int().min(0).optional(),
    HumanLabeled: z.int().min(0).optional(),
    MachineLabeled: z.int().min(0).optional(),
    FailedNonRetryableError: z.int().min(0).optional(),
    Unlabeled: z.int().min(0).optional(),
  }),
  FailureReason: z.string().optional(),
  CreationTime: z.date().optional(),
  LastModifiedTime: z.date().optional(),
  LabelAttributeName: z.string().optional(),
  LabelingJobOutput: z.looseObject({ OutputDatasetS3Uri: z.string().startsWith('s3://') }).optional(),
});

export interface LabelingJob {
  name: string;
  arn: string;
  status: LabelingJobStatus;
  counters: { total: number; human: number; machine: number; failed: number; unlabeled: number };
  failureReason: string | undefined;
  createdAt: Date | undefined;
  lastModifiedAt: Date | undefined;
  labelAttributeName: string | undefined;
  /** Set once the job wrote its output (Completed, and for Stopped jobs what was labelled until then). */
  outputManifestUri: string | undefined;
}

export function labelingJobOf(description: z.output<typeof labelingJobDescriptionSchema>): LabelingJob {
  const c = description.LabelCounters;
  return {
    name: description.LabelingJobName,
    arn: description.LabelingJobArn,
    status: description.LabelingJobStatus,
    counters: { total: c.TotalLabeled ?? 0, human: c.HumanLabeled ?? 0, machine: c.MachineLabeled ?? 0, failed: c.FailedNonRetryableError ?? 0, unlabeled: c.Unlabeled ?? 0 },
    failureReason: description.FailureReason,
    createdAt: description.CreationTime,
    lastModifiedAt: description.LastModifiedTime,
    labelAttributeName: description.LabelAttributeName,
    outputManifestUri: description.LabelingJobOutput?.OutputDatasetS3Uri,
  };
}

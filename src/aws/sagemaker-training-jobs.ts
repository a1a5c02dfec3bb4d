import { DescribeTrainingJobCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import * as z from 'zod';
import { UnexpectedSageMakerAnswerError } from './pipeline-execution-records.ts';
import { SageMakerError } from './sagemaker-errors.ts';
import { describeFailure, serviceErrorInfo } from './sdk-errors.ts';

/** SageMaker's TrainingJobStatus. */
export const TRAINING_JOB_STATUSES = ['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped'] as const;
export type TrainingJobStatus = (typeof TRAINING_JOB_STATUSES)[number];

/** One entry of SecondaryStatusTransitions: Starting, Downloading, Training, Uploading, ... with its message. */
export interface TrainingJobTransition {
  status: string;
  startedAt?: Date;
  endedAt?: Date;
  message?: string;
}

/** One metric as SageMaker read it from the job's log with the definition's MetricDefinitions. */
export interface TrainingJobMetric {
  name: string;
  value: number;
  at?: Date;
}

/** A training job as DescribeTrainingJob tells it, limited to what people follow while it runs. */
export interface TrainingJob {
  name: string;
  arn: string;
  status: TrainingJobStatus;
  secondaryStatus?: string;
  failureReason?: string;
  transitions: TrainingJobTransition[];
  /** The last value of each metric (FinalMetricDataList); SageMaker fills it as the job logs. */
  finalMetrics: TrainingJobMetric[];
  startedAt?: Date;
  endedAt?: Date;
}

const optionalText = z.string().nullish().transform((value) => (value ? value : undefined));
const optionalDate = z.date().nullish().transform((value) => value ?? undefined);

const describedJobSchema = z.object({
  TrainingJobName: z.string().min(1),
  TrainingJobArn: z.string().min(1),
  TrainingJobStatus: z.enum(TRAINING_JOB_STATUSES),
  SecondaryStatus: optionalText,
  FailureReason: optionalText,
  TrainingStartTime: optionalDate,
  TrainingEndTime: optionalDate,
  SecondaryStatusTransitions: z.array(z.object({ Status: z.string().min(1), StartTime: optionalDate, EndTime: optionalDate, StatusMessage: optionalText })).nullish(),
  FinalMetricDataList: z.array(z.object({ MetricName: z.string().min(1), Value: z.number(), Timestamp: optionalDate })).nullish(),
});

/** `arn:...:training-job/<name>` or a bare name: the name DescribeTrainingJob takes. */
export function trainingJobName(nameOrArn: string): string {
  const match = /^arn:[^:]+:sagemaker:[^:]*:\d*:training-job\/(.+)$/.exec(nameOrArn);
  return match ? (match[1] as string) : nameOrArn;
}

export function trainingJobFromAnswer(answer: unknown): TrainingJob {
  const result = describedJobSchema.safeParse(answer);
  if (!result.success) throw new UnexpectedSageMakerAnswerError('DescribeTrainingJob', result.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; '));
  const d = result.data;
  return {
    name: d.TrainingJobName,
    arn: d.TrainingJobArn,
    status: d.TrainingJobStatus,
    ...(d.SecondaryStatus !== undefined ? { secondaryStatus: d.SecondaryStatus } : {}),
    ...(d.FailureReason !== undefined ? { failureReason: d.FailureReason } : {}),
    transitions: (d.SecondaryStatusTransitions ?? []).map((t) => ({
      status: t.Status,
      ...(t.StartTime ? { startedAt: t.StartTime } : {}),
      ...(t.EndTime ? { endedAt: t.EndTime } : {}),
      ...(t.StatusMessage !== undefined ? { message: t.StatusMessage } : {}),
    })),
    finalMetrics: (d.FinalMetricDataList ?? []).map((m) => ({ name: m.MetricName, value: m.Value, ...(m.Timestamp ? { at: m.Timestamp } : {}) })),
    ...(d.TrainingStartTime ? { startedAt: d.TrainingStartTime } : {}),
    ...(d.TrainingEndTime ? { endedAt: d.TrainingEndTime } : {}),
  };
}

/** The training jobs a pipeline's Train step runs, read back for their progress and metrics. */
export class SageMakerTrainingJobs {
  private readonly client: SageMakerClient;

  constructor(client: SageMakerClient) {
    this.client = client;
  }

  /** DescribeTrainingJob by name or ARN. */
  async describe(nameOrArn: string): Promise<TrainingJob> {
    const name = trainingJobName(nameOrArn);
    let answer: unknown;
    try {
      answer = await this.client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    } catch (error) {
      const info = serviceErrorInfo(error);
      // SageMaker answers ResourceNotFound; moto a ValidationException "... not found".
      const missing = info !== undefined && (info.name === 'ResourceNotFound' || (info.name === 'ValidationException' && /not found/i.test(info.message)));
      throw new SageMakerError('DescribeTrainingJob', missing ? `training job ${name} does not exist: ${info.message}` : `SageMaker DescribeTrainingJob for ${name} failed: ${describeFailure(error)}`, {
        cause: error,
        ...(missing ? { audience: 'user' as const } : {}),
      });
    }
    return trainingJobFromAnswer(answer);
  }
}

import { CreateLabelingJobCommand, DescribeLabelingJobCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { LabelingJobRequest } from '../../core/labeling/labeling-job-request.ts';
import { SageMakerError, SageMakerLimitError, SageMakerRequestError } from '../sagemaker-errors.ts';
import { clientRegion, describeFailure, serviceErrorInfo } from '../sdk-errors.ts';
import { labelingJobDescriptionSchema, labelingJobOf, type LabelingJob } from './labeling-job-records.ts';

/** No labeling job of that name in this account and region. */
export class LabelingJobNotFoundError extends SageMakerError {
  readonly jobName: string;
  constructor(jobName: string, region: string, cause?: unknown) {
    super('DescribeLabelingJob', `labeling job ${jobName} does not exist in ${region}: check the name (yolops label start prints it)`, { cause, audience: 'user' });
    this.jobName = jobName;
  }
}

/** Ground Truth labeling jobs over the SageMaker API: create one, describe one. */
export class SageMakerLabelingJobs {
  private readonly client: SageMakerClient;

  constructor(client: SageMakerClient) {
    this.client = client;
  }

  /** Creates the job; its ARN. A name in use, a refused request or a used-up quota is a user error that says so. */
  async create(request: LabelingJobRequest): Promise<string> {
    try {
      const answer = await this.client.send(new CreateLabelingJobCommand(request));
      if (!answer.LabelingJobArn) throw new SageMakerError('CreateLabelingJob', `CreateLabelingJob answered no LabelingJobArn for ${request.LabelingJobName}`);
      return answer.LabelingJobArn;
    } catch (error) {
      if (error instanceof SageMakerError) throw error;
      const info = serviceErrorInfo(error);
      const region = await clientRegion(this.client);
      if (info?.name === 'ResourceInUse') {
        throw new SageMakerRequestError('CreateLabelingJob', `a labeling job named ${request.LabelingJobName} already exists in ${region} (job names are never reused, even of failed jobs): give another --name`, error);
      }
      if (info?.name === 'ResourceLimitExceeded') {
        throw new SageMakerLimitError('CreateLabelingJob', `SageMaker refused the labeling job: a quota is used up (${info.message}); wait for running labeling jobs to end or ask for a quota increase (Service Quotas > Amazon SageMaker)`, error);
      }
      if (info?.name === 'ValidationException') {
        throw new SageMakerRequestError('CreateLabelingJob', `SageMaker refused the labeling job ${request.LabelingJobName}: ${info.message}`, error);
      }
      throw new SageMakerError('CreateLabelingJob', `creating labeling job ${request.LabelingJobName} in ${region} failed: ${describeFailure(error)}`, { cause: error });
    }
  }

  async describe(name: string): Promise<LabelingJob> {
    let answer: unknown;
    try {
      answer = await this.client.send(new DescribeLabelingJobCommand({ LabelingJobName: name }));
    } catch (error) {
      const info = serviceErrorInfo(error);
      const region = await clientRegion(this.client);
      if (info?.name === 'ResourceNotFound' || (info?.name === 'ValidationException' && /not found|does not exist|could not find/i.test(info.message))) {
        throw new LabelingJobNotFoundError(name, region, error);
      }
      throw new SageMakerError('DescribeLabelingJob', `describing labeling job ${name} in ${region} failed: ${describeFailure(error)}`, { cause: error });
    }
    const parsed = labelingJobDescriptionSchema.safeParse(answer);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SageMakerError('DescribeLabelingJob', `DescribeLabelingJob's answer for ${name} is not one yolops understands: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
    }
    return labelingJobOf(parsed.data);
  }
}

import type { LabelingJobPlan } from '../../core/labeling/labeling-job-plan.ts';
import { putIfAbsent, type ObjectStore } from '../../core/storage/object-store.ts';
import { formatS3Uri } from '../../core/storage/s3-uri.ts';
import { AwsError } from '../errors.ts';
import type { SageMakerLabelingJobs } from './sagemaker-labeling-jobs.ts';

/**
 * Writes the plan's files under `labeling/<job>/`, each only if absent, then creates the job; its ARN. A file
 * already there belongs to an earlier job of that name (SageMaker never reuses a name): it is left alone and the
 * start refused. When SageMaker refuses the job, the files this call wrote are removed again, so a refused start
 * leaves nothing behind.
 */
export async function startLabelingJob(plan: LabelingJobPlan, store: ObjectStore, jobs: SageMakerLabelingJobs): Promise<string> {
  const written: string[] = [];
  try {
    for (const file of plan.files) {
      if (!(await putIfAbsent(store, plan.bucket, file.key, file.body, file.contentType))) {
        throw new AwsError(`${formatS3Uri(plan.bucket, file.key)} already exists: a labeling job named ${plan.job} was started before (job names are never reused): give another --name`, { audience: 'user' });
      }
      written.push(file.key);
    }
    return await jobs.create(plan.request);
  } catch (error) {
    await Promise.allSettled(written.map((key) => store.delete(plan.bucket, key)));
    throw error;
  }
}

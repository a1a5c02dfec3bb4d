import type { LabelingJobPlan } from '../../core/labeling/labeling-job-plan.ts';
import type { ObjectStore } from '../../core/storage/object-store.ts';
import type { SageMakerLabelingJobs } from './sagemaker-labeling-jobs.ts';

/**
 * Writes the plan's files under `labeling/<job>/`, then creates the job; its ARN. When SageMaker refuses the job,
 * the files are removed again, so a refused start leaves nothing behind (job names are never reused, and files of
 * a job that does not exist would only mislead).
 */
export async function startLabelingJob(plan: LabelingJobPlan, store: ObjectStore, jobs: SageMakerLabelingJobs): Promise<string> {
  const written: string[] = [];
  try {
    for (const file of plan.files) {
      await store.put(plan.bucket, file.key, file.body, { contentType: file.contentType });
      written.push(file.key);
    }
    return await jobs.create(plan.request);
  } catch (error) {
    await Promise.allSettled(written.map((key) => store.delete(plan.bucket, key)));
    throw error;
  }
}

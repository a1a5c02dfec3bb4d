import { CoreError } from '../errors.ts';

/** CreateLabelingJob's LabelingJobName: 1 to 63 characters, `[a-zA-Z0-9](-*[a-zA-Z0-9])*`. */
export const MAX_JOB_NAME_LENGTH = 63;

/**
 * yolops' own rule on top of SageMaker's: lowercase letters, digits and single hyphens, starting with
 * `<project>-`. The completion Lambda may describe only `labeling-job/<project>-*` and its EventBridge rule matches
 * the job ARN by that prefix, so a job named otherwise would never become a labelled-data version; lowercase keeps
 * the name and its ARN identical for those prefix matches.
 */
const JOB_NAME = /^[a-z0-9](-?[a-z0-9])*$/;

export class LabelingJobNameError extends CoreError {
  constructor(message: string) {
    super(message, { audience: 'user' });
  }
}

/** What is wrong with `name` as a labeling job name of `project`, or undefined when it is fine. */
export function labelingJobNameProblem(name: string, project: string): string | undefined {
  if (name.length < 1 || name.length > MAX_JOB_NAME_LENGTH) return `labeling job name ${JSON.stringify(name)} must be 1 to ${MAX_JOB_NAME_LENGTH} characters (it has ${name.length})`;
  if (!JOB_NAME.test(name)) return `labeling job name ${JSON.stringify(name)} must be lowercase letters, digits and single hyphens, starting and ending with a letter or digit`;
  if (!name.startsWith(`${project}-`) || name.length === project.length + 1) {
    return `labeling job name ${JSON.stringify(name)} must start with "${project}-" (the project name): only such jobs are turned into labelled data when they complete`;
  }
  return undefined;
}

export function assertLabelingJobName(name: string, project: string): string {
  const problem = labelingJobNameProblem(name, project);
  if (problem !== undefined) throw new LabelingJobNameError(problem);
  return name;
}

/**
 * The default name: `<project>-<batch>-<yyyymmddhhmmss>` (UTC), the batch folder's name reduced to lowercase
 * letters, digits and single hyphens and shortened so the whole stays within 63 characters. The time makes a
 * second job on the same batch a new name (SageMaker keeps job names forever, even of failed jobs).
 */
export function defaultLabelingJobName(project: string, batch: string, at: Date): string {
  const stamp = at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const room = MAX_JOB_NAME_LENGTH - project.length - stamp.length - 2;
  const slug = batch
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, Math.max(room, 0))
    .replace(/-+$/, '');
  return slug === '' ? `${project}-${stamp}` : `${project}-${slug}-${stamp}`;
}

/** The job name at the end of a labeling job ARN (`arn:...:labeling-job/<name>`), or undefined. */
export function jobNameOfArn(arn: string): string | undefined {
  const match = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:labeling-job\/([A-Za-z0-9-]+)$/.exec(arn);
  return match?.[1];
}

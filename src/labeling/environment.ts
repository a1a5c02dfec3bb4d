import * as z from 'zod';
import { YolopsError } from '../core/errors.ts';
import { environmentProblems } from '../core/function-environment.ts';

/** The completion function's settings, from its environment (set by src/infra/constructs/labeling-completion.ts). */
export interface LabelingCompletionEnvironment {
  /** Only jobs named `<project>-...` are this project's (the rule filters too; this is the second check). */
  projectName: string;
  /** The training bucket: images under raw-images/, job files under labeling/, versions written to labeled-data/. */
  trainingBucket: string;
  notificationsTopicArn: string;
}

/** The variable names, shared by the handler (reads them) and the CDK construct (sets them). */
export const LABELING_COMPLETION_ENV = {
  projectName: 'PROJECT_NAME',
  trainingBucket: 'TRAINING_BUCKET',
  notificationsTopicArn: 'NOTIFICATIONS_TOPIC_ARN',
} as const satisfies Record<keyof LabelingCompletionEnvironment, string>;

const schema = z.object({
  [LABELING_COMPLETION_ENV.projectName]: z.string().regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, 'must be the project name (lowercase letters, digits, hyphens)'),
  [LABELING_COMPLETION_ENV.trainingBucket]: z.string().min(3),
  [LABELING_COMPLETION_ENV.notificationsTopicArn]: z.string().startsWith('arn:'),
});

/** A setting is missing or malformed: the function cannot work, so it fails at init, naming every bad variable. */
export class LabelingCompletionEnvironmentError extends YolopsError {}

export function readLabelingCompletionEnvironment(env: NodeJS.ProcessEnv): LabelingCompletionEnvironment {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new LabelingCompletionEnvironmentError(`the labeling completion's environment is not valid; fix the function's configuration (S3TriggerStack): ${environmentProblems(parsed.error, env)}`);
  }
  const e = parsed.data;
  return {
    projectName: e[LABELING_COMPLETION_ENV.projectName],
    trainingBucket: e[LABELING_COMPLETION_ENV.trainingBucket],
    notificationsTopicArn: e[LABELING_COMPLETION_ENV.notificationsTopicArn],
  };
}

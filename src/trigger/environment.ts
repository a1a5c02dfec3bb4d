import * as z from 'zod';
import { YolopsError } from '../core/errors.ts';
import { environmentProblems } from '../core/function-environment.ts';

/** The trigger's settings, from its environment (set by the S3TriggerStack; see training-trigger.ts). */
export interface TriggerEnvironment {
  trainingBucket: string;
  pipelineName: string;
  configKey: string;
  notificationsTopicArn: string;
  queueUrl: string;
  quietPeriodSeconds: number;
  claimStaleSeconds: number;
  validationConcurrency: number;
}

const wholeSeconds = (max: number) => z.coerce.number().int().min(0).max(max);

const schema = z.object({
  TRAINING_BUCKET: z.string().min(3),
  PIPELINE_NAME: z.string().min(1),
  TRAINING_CONFIG_KEY: z.string().min(1),
  NOTIFICATIONS_TOPIC_ARN: z.string().startsWith('arn:'),
  TRIGGER_QUEUE_URL: z.url(),
  QUIET_PERIOD_SECONDS: wholeSeconds(900),
  CLAIM_STALE_SECONDS: wholeSeconds(86_400),
  VALIDATION_CONCURRENCY: z.coerce.number().int().min(1).max(256),
});

/** A setting is missing or malformed: the function cannot work, so it fails at init, naming every bad variable. */
export class TriggerEnvironmentError extends YolopsError {}

/** Reads and checks every setting at once; throws TriggerEnvironmentError listing each bad variable. */
export function readTriggerEnvironment(env: NodeJS.ProcessEnv): TriggerEnvironment {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new TriggerEnvironmentError(`the training trigger's environment is not valid; fix the function's configuration (S3TriggerStack): ${environmentProblems(parsed.error, env)}`);
  }
  const e = parsed.data;
  return {
    trainingBucket: e.TRAINING_BUCKET,
    pipelineName: e.PIPELINE_NAME,
    configKey: e.TRAINING_CONFIG_KEY,
    notificationsTopicArn: e.NOTIFICATIONS_TOPIC_ARN,
    queueUrl: e.TRIGGER_QUEUE_URL,
    quietPeriodSeconds: e.QUIET_PERIOD_SECONDS,
    claimStaleSeconds: e.CLAIM_STALE_SECONDS,
    validationConcurrency: e.VALIDATION_CONCURRENCY,
  };
}

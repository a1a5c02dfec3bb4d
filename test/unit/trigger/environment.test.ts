import { describe, expect, it } from 'vitest';
import { readTriggerEnvironment, TriggerEnvironmentError } from '../../../src/trigger/environment.ts';

const VALID = {
  TRAINING_BUCKET: 'yolops-training-data-123456789012',
  PIPELINE_NAME: 'yolops-yolo-training-pipeline',
  TRAINING_CONFIG_KEY: 'config/training-config.json',
  NOTIFICATIONS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:yolops-notifications',
  TRIGGER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/yolops-training-trigger-events',
  QUIET_PERIOD_SECONDS: '120',
  CLAIM_STALE_SECONDS: '600',
  VALIDATION_CONCURRENCY: '32',
};

describe('the trigger environment', () => {
  it('reads every setting, typed', () => {
    expect(readTriggerEnvironment(VALID)).toEqual({
      trainingBucket: VALID.TRAINING_BUCKET,
      pipelineName: VALID.PIPELINE_NAME,
      configKey: VALID.TRAINING_CONFIG_KEY,
      notificationsTopicArn: VALID.NOTIFICATIONS_TOPIC_ARN,
      queueUrl: VALID.TRIGGER_QUEUE_URL,
      quietPeriodSeconds: 120,
      claimStaleSeconds: 600,
      validationConcurrency: 32,
    });
  });

  it('fails at once naming every missing or malformed variable', () => {
    const { PIPELINE_NAME: _missing, ...rest } = VALID;
    const error = (() => {
      try {
        readTriggerEnvironment({ ...rest, QUIET_PERIOD_SECONDS: '2 minutes', TRIGGER_QUEUE_URL: 'queue' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TriggerEnvironmentError);
    const message = (error as Error).message;
    for (const name of ['PIPELINE_NAME', 'QUIET_PERIOD_SECONDS', 'TRIGGER_QUEUE_URL']) expect(message).toContain(name);
    expect(message).toContain('"2 minutes"');
  });

  it('refuses a quiet period SQS cannot delay for', () => {
    expect(() => readTriggerEnvironment({ ...VALID, QUIET_PERIOD_SECONDS: '901' })).toThrow(/QUIET_PERIOD_SECONDS/);
  });
});

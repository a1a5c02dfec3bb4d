import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceCounts, type SynthesizedApp, synthTestApp, SYNTH_TIMEOUT } from './helpers.ts';

const BUCKET = 'yolops-training-data-123456789012';
const TOPIC_ARN = 'arn:aws:sns:ap-southeast-2:123456789012:yolops-notifications';

describe('S3TriggerStack', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp();
  }, SYNTH_TIMEOUT);

  it('has exactly the resources it should', () => {
    expect(resourceCounts(app.trigger)).toEqual({
      // The trigger, and the Ground Truth labeling completion (test/unit/infra/labeling-stack.test.ts).
      'AWS::Lambda::Function': 2,
      'AWS::Lambda::EventSourceMapping': 1,
      'AWS::Lambda::Permission': 1,
      'AWS::Lambda::EventInvokeConfig': 1,
      'AWS::Logs::LogGroup': 2,
      // The dataset, sample-dataset and labelled-data upload rules, and the labeling jobs' state rule.
      'AWS::Events::Rule': 4,
      'AWS::SQS::Queue': 3,
      'AWS::SQS::QueuePolicy': 3,
      'AWS::CloudWatch::Alarm': 4,
      // The labeling jobs' role and the completion's role, each with its policy.
      'AWS::IAM::Role': 2,
      'AWS::IAM::Policy': 2,
    });
  });

  it('runs the trigger on Node.js 24 as the shared Lambda role, with its log group', () => {
    app.trigger.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'yolops-training-trigger',
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::123456789012:role/yolops-lambda-execution-role',
      Timeout: 300,
      Environment: {
        Variables: {
          TRAINING_BUCKET: BUCKET,
          TRAINING_CONFIG_KEY: 'config/training-config.json',
          PIPELINE_NAME: 'yolops-yolo-training-pipeline',
          NOTIFICATIONS_TOPIC_ARN: TOPIC_ARN,
          TRIGGER_QUEUE_URL: { Ref: Match.stringLikeRegexp('^TrainingTriggerQueue') },
          QUIET_PERIOD_SECONDS: '120',
          CLAIM_STALE_SECONDS: '600',
          VALIDATION_CONCURRENCY: '32',
          POWERTOOLS_SERVICE_NAME: 'yolops-trigger',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^TrainingTriggerLogGroup') } },
    });
    app.trigger.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/yolops-training-trigger', RetentionInDays: 30 });
  });

  it.each([
    ['yolops-dataset-upload-trigger', 'split_dataset/'],
    ['yolops-sample-dataset-trigger', 'sample_dataset/'],
    ['yolops-labeled-data-trigger', 'labeled-data/'],
  ])('rule %s queues Object Created events under %s for the trigger, with retries', (name, prefix) => {
    app.trigger.hasResourceProperties('AWS::Events::Rule', {
      Name: name,
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [BUCKET] }, object: { key: [{ prefix }] } },
      },
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingTriggerQueue'), 'Arn'] },
          Id: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        },
      ],
    });
  });

  it('holds every event for the quiet period on an encrypted, TLS-only queue with a dead-letter queue', () => {
    app.trigger.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'yolops-training-trigger-events',
      DelaySeconds: 120,
      VisibilityTimeout: 1800,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingTriggerDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
    app.trigger.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'yolops-training-trigger-events-dlq', MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true });
    const policies = Object.values(app.trigger.findResources('AWS::SQS::QueuePolicy')).map((p) => JSON.stringify(p));
    for (const policy of policies) expect(policy).toContain('"aws:SecureTransport":"false"');
    // Only the three upload rules may send to the trigger's queue.
    const sends = policies.filter((p) => p.includes('events.amazonaws.com') && p.includes('TrainingTriggerQueue'));
    expect(sends).toHaveLength(1);
    expect(sends[0]?.match(/aws:SourceArn/g)).toHaveLength(3);
  });

  it('reads the queue in big batches and reports failed messages one by one', () => {
    app.trigger.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingTriggerQueue'), 'Arn'] },
    });
  });

  it('alarms on trigger errors and on failed invocations, to the notifications topic', () => {
    app.trigger.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'yolops-training-trigger-errors',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [TOPIC_ARN],
    });
    app.trigger.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'yolops-training-trigger-failed-invocations',
      // Each rule's metric filled with 0: with `r0 + r1`, one rule failing while another has no data gives no value.
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(r0, 0) + FILL(r1, 0) + FILL(r2, 0)' })]),
      AlarmActions: [TOPIC_ARN],
    });
    app.trigger.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'yolops-training-trigger-dead-letters',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingTriggerDeadLetterQueue'), 'QueueName'] } }],
      AlarmActions: [TOPIC_ARN],
    });
  });

  it('outputs the function, rule and queue names', () => {
    expect(Object.keys(app.trigger.findOutputs('*')).sort()).toEqual(['DatasetUploadRuleName', 'LabelingJobRoleArn', 'SampleDatasetRuleName', 'TriggerDeadLetterQueueUrl', 'TriggerFunctionName', 'TriggerQueueUrl']);
  });
});

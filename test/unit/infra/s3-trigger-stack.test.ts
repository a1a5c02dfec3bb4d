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
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::Permission': 2,
      'AWS::Logs::LogGroup': 1,
      'AWS::Events::Rule': 2,
      'AWS::CloudWatch::Alarm': 2,
    });
  });

  it('runs the trigger on Node.js 24 as the shared Lambda role, with its log group', () => {
    app.trigger.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'yolops-training-trigger',
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::123456789012:role/yolops-lambda-execution-role',
      Environment: {
        Variables: {
          TRAINING_BUCKET: BUCKET,
          TRAINING_CONFIG_KEY: 'config/training-config.json',
          PIPELINE_NAME: 'yolops-yolo-training-pipeline',
          POWERTOOLS_SERVICE_NAME: 'yolops-trigger',
        },
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^TrainingTriggerLogGroup') } },
    });
    app.trigger.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/yolops-training-trigger', RetentionInDays: 30 });
  });

  it.each([
    ['yolops-dataset-upload-trigger', 'split_dataset/'],
    ['yolops-sample-dataset-trigger', 'sample_dataset/'],
  ])('rule %s sends Object Created events under %s to the trigger, with retries', (name, prefix) => {
    app.trigger.hasResourceProperties('AWS::Events::Rule', {
      Name: name,
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { bucket: { name: [BUCKET] }, object: { key: [{ prefix }] } },
      },
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TrainingTriggerFunction'), 'Arn'] },
          Id: Match.anyValue(),
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        },
      ],
    });
  });

  it('lets only its two rules invoke the function', () => {
    const permissions = Object.values(app.trigger.findResources('AWS::Lambda::Permission'));
    expect(permissions).toHaveLength(2);
    for (const permission of permissions) {
      expect(permission.Properties.Principal).toBe('events.amazonaws.com');
      expect(permission.Properties.SourceArn['Fn::GetAtt'][0]).toMatch(/^TrainingTrigger(DatasetUpload|SampleDataset)Rule/);
    }
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
      // Each rule's metric filled with 0: with `r0 + r1`, one rule failing while the other has no data gives no value.
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(r0, 0) + FILL(r1, 0)' })]),
      AlarmActions: [TOPIC_ARN],
    });
  });

  it('outputs the function and rule names', () => {
    expect(Object.keys(app.trigger.findOutputs('*')).sort()).toEqual(['DatasetUploadRuleName', 'SampleDatasetRuleName', 'TriggerFunctionName']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, logicalIdOf, statementsOfRole, synthTestApp, SYNTH_TIMEOUT, type SynthesizedApp } from './helpers.ts';

/**
 * The Ground Truth half of S3TriggerStack: the labeling jobs' role, the rule on the end of the project's jobs, the
 * completion function with its dead-letter queue and alarm, and the CORS rule the worker UI needs on the bucket.
 */
const BUCKET = 'yolops-training-data-123456789012';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const TOPIC_ARN = 'arn:aws:sns:ap-southeast-2:123456789012:yolops-notifications';

describe('Ground Truth labeling in S3TriggerStack', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp();
  }, SYNTH_TIMEOUT);

  it('lets SageMaker run labeling jobs as yolops-labeling-role, reading raw-images/ and labeling/, writing labeling/ only', () => {
    const role = logicalIdOf(app.trigger, 'AWS::IAM::Role', { RoleName: 'yolops-labeling-role' });
    app.trigger.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'yolops-labeling-role',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
    });
    expect(app.trigger.findResources('AWS::IAM::Role', { Properties: { RoleName: 'yolops-labeling-role', ManagedPolicyArns: Match.anyValue() } })).toEqual({});
    const statements = statementsOfRole(app.trigger, role);
    const objectResources = statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])).map((r) => JSON.stringify(r)).filter((r) => r.includes(`${BUCKET_ARN}/`));
    expect(new Set(objectResources)).toEqual(new Set([`"${BUCKET_ARN}/raw-images/*"`, `"${BUCKET_ARN}/labeling/*"`]));
    const writes = statements.filter((s) => actionsOf(s).some((a) => a === 's3:PutObject'));
    expect(writes).toEqual([{ Sid: 'WriteLabelingOutput', Effect: 'Allow', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: `${BUCKET_ARN}/labeling/*` }]);
    const logs = statements.find((s) => s.Sid === 'WriteLabelingLogs');
    expect(logs?.Resource).toEqual([
      'arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/sagemaker/LabelingJobs',
      'arn:aws:logs:ap-southeast-2:123456789012:log-group:/aws/sagemaker/LabelingJobs:*',
    ]);
    expect(statements.find((s) => s.Sid === 'PublishLabelingMetrics')).toMatchObject({ Resource: '*', Condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } } });
    for (const s of statements) {
      expect(actionsOf(s).filter((a) => a.startsWith('iam:') || a === '*' || a.endsWith(':*'))).toEqual([]);
    }
  });

  it('sends the end of the project\'s labeling jobs (by ARN prefix) to the completion, with retries and a dead-letter queue', () => {
    app.trigger.hasResourceProperties('AWS::Events::Rule', {
      Name: 'yolops-labeling-job-state',
      EventPattern: {
        source: ['aws.sagemaker'],
        'detail-type': ['SageMaker Ground Truth Labeling Job State Change'],
        resources: [{ prefix: 'arn:aws:sagemaker:ap-southeast-2:123456789012:labeling-job/yolops-' }],
        detail: { LabelingJobStatus: ['Completed', 'Failed', 'Stopped'] },
      },
      Targets: [
        {
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LabelingCompletionFunction'), 'Arn'] },
          Id: Match.anyValue(),
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LabelingCompletionDeadLetterQueue'), 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        },
      ],
    });
  });

  it('runs the completion on Node.js 24 with its settings, log group and dead-letter queue', () => {
    app.trigger.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'yolops-labeling-completion',
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Timeout: 900,
      MemorySize: 1024,
      Environment: { Variables: { PROJECT_NAME: 'yolops', TRAINING_BUCKET: BUCKET, NOTIFICATIONS_TOPIC_ARN: TOPIC_ARN } },
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LabelingCompletionDeadLetterQueue'), 'Arn'] } },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^LabelingCompletionLogGroup') } },
    });
    app.trigger.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/yolops-labeling-completion', RetentionInDays: 30 });
    app.trigger.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'yolops-labeling-completion-dlq', MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true });
  });

  it('lets the completion describe only the project\'s jobs, read the three prefixes and write labeled-data/ only', () => {
    const role = logicalIdOf(app.trigger, 'AWS::IAM::Role', { RoleName: 'yolops-labeling-completion-role' });
    const statements = statementsOfRole(app.trigger, role);
    expect(statements.find((s) => s.Sid === 'DescribeLabelingJobs')).toEqual({
      Sid: 'DescribeLabelingJobs',
      Effect: 'Allow',
      Action: 'sagemaker:DescribeLabelingJob',
      Resource: 'arn:aws:sagemaker:ap-southeast-2:123456789012:labeling-job/yolops-*',
    });
    const puts = statements.filter((s) => actionsOf(s).includes('s3:PutObject'));
    expect(puts.map((s) => s.Resource)).toEqual([`${BUCKET_ARN}/labeled-data/*`]);
    const read = statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource])).filter((r): r is string => typeof r === 'string' && r.startsWith(`${BUCKET_ARN}/`));
    expect(new Set(read)).toEqual(new Set([`${BUCKET_ARN}/raw-images/*`, `${BUCKET_ARN}/labeling/*`, `${BUCKET_ARN}/labeled-data/*`]));
    expect(statements.find((s) => s.Sid === 'Notify')?.Resource).toBe(TOPIC_ARN);
    expect(statements.some((s) => actionsOf(s).some((a) => a.startsWith('iam:') || a.startsWith('sagemaker:Create')))).toBe(false);
  });

  it('alarms on the topic when the completion fails or leaves dead letters', () => {
    app.trigger.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'yolops-labeling-completion-errors',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [TOPIC_ARN],
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'FILL(errors, 0) + FILL(deadLetters, 0)' })]),
    });
  });

  it('gives the training bucket the GET-only CORS rule Ground Truth\'s worker UI needs', () => {
    app.shared.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKET,
      CorsConfiguration: { CorsRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], ExposedHeaders: ['Access-Control-Allow-Origin'] }] },
    });
  });

  it('synthesizes the trigger stack with zero cdk-nag violations', () => {
    const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { violations?: unknown[] }[] };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
  });
});

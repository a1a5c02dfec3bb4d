import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceCounts, type SynthesizedApp, synthTestApp, SYNTH_TIMEOUT } from './helpers.ts';

const ACCOUNT = '123456789012';
const BUCKETS = {
  training: `yolops-training-data-${ACCOUNT}`,
  artifacts: `yolops-model-artifacts-${ACCOUNT}`,
  mlflow: `yolops-mlflow-artifacts-${ACCOUNT}`,
  logs: `yolops-access-logs-${ACCOUNT}`,
};

describe('SharedResourcesStack', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp();
  }, SYNTH_TIMEOUT);

  it('has exactly the resources it should', () => {
    expect(resourceCounts(app.shared)).toEqual({
      'AWS::S3::Bucket': 4,
      'AWS::S3::BucketPolicy': 4,
      'Custom::S3AutoDeleteObjects': 4,
      'AWS::KMS::Key': 1,
      'AWS::KMS::Alias': 1,
      'AWS::SNS::Topic': 1,
      'AWS::SNS::TopicPolicy': 1,
      'AWS::SageMaker::MlflowApp': 1,
      'AWS::SSM::Parameter': 1,
      // SageMaker execution, trigger, MLflow artifact store, auto-delete provider
      'AWS::IAM::Role': 4,
      'AWS::IAM::Policy': 3,
      // Auto-delete provider
      'AWS::Lambda::Function': 1,
    });
  });

  it.each(Object.values(BUCKETS))('bucket %s is encrypted, private, TLS-only and owner-enforced', (name) => {
    app.shared.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: name,
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  it('denies non-TLS and TLS < 1.2 access on every bucket', () => {
    const policies = Object.values(app.shared.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      const statements = policy.Properties.PolicyDocument.Statement as { Effect: string; Condition?: Record<string, Record<string, unknown>> }[];
      const denies = statements.filter((s) => s.Effect === 'Deny');
      expect(denies.some((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false')).toBe(true);
      expect(denies.some((s) => s.Condition?.NumericLessThan?.['s3:TlsVersion'] === 1.2)).toBe(true);
    }
  });

  it('versions the data buckets, logs them to the access-logs bucket, and expires old versions', () => {
    for (const name of [BUCKETS.training, BUCKETS.artifacts, BUCKETS.mlflow]) {
      app.shared.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: name,
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^AccessLogsBucket') }, LogFilePrefix: `${name}/` },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([
            Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
            Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } }),
          ]),
        },
      });
    }
    app.shared.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKETS.logs,
      LoggingConfiguration: Match.absent(),
      VersioningConfiguration: Match.absent(),
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 90 })]) },
    });
  });

  it('lets S3 log delivery write to the access-logs bucket by bucket policy, not ACL', () => {
    app.shared.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^AccessLogsBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' }),
        ]),
      },
    });
  });

  it('sends training-data events to EventBridge natively (no notifications custom resource)', () => {
    app.shared.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKETS.training,
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    expect(app.shared.findResources('Custom::S3BucketNotifications')).toEqual({});
  });

  it('expires spot checkpoints, which only matter while their job runs', () => {
    app.shared.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: BUCKETS.artifacts,
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'checkpoints/', ExpirationInDays: 30 })]) },
    });
  });

  it('in dev, deletes buckets with their objects so that cdk destroy succeeds', () => {
    for (const [, bucket] of Object.entries(app.shared.findResources('AWS::S3::Bucket'))) {
      expect(bucket.DeletionPolicy).toBe('Delete');
      expect(bucket.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'aws-cdk:auto-delete-objects', Value: 'true' }]));
    }
  });

  it('encrypts the notifications topic with a rotating key that EventBridge and CloudWatch may use', () => {
    app.shared.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'yolops-notifications',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NotificationsKey'), 'Arn'] },
    });
    app.shared.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    app.shared.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/yolops-notifications' });
  });

  it('lets only this account\'s rules and alarms publish, over TLS', () => {
    app.shared.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          }),
        ],
      },
    });
  });

  it('has no email subscription unless notification_email is set', () => {
    expect(app.shared.findResources('AWS::SNS::Subscription')).toEqual({});
  });

  it('runs a serverless MLflow App on the MLflow bucket by default (no hourly charge), no tracking server', () => {
    app.shared.hasResourceProperties('AWS::SageMaker::MlflowApp', {
      Name: 'yolops-mlflow',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^MlflowArtifactsBucket') }, '/artifacts/']] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MlflowRole'), 'Arn'] },
      ModelRegistrationMode: 'AutoModelRegistrationDisabled',
    });
    // SageMaker checks the artifact store when it creates the App: its role's policy must exist by then.
    app.shared.hasResource('AWS::SageMaker::MlflowApp', { DependsOn: [Match.stringLikeRegexp('^MlflowRoleDefaultPolicy')] });
    expect(app.shared.findResources('AWS::SageMaker::MlflowTrackingServer')).toEqual({});
  });

  it('publishes the tracking URI (the App\'s ARN, known only once it exists) as an SSM parameter of a fixed name', () => {
    app.shared.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/yolops/mlflow/tracking-uri',
      Type: 'String',
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MlflowApp'), 'Arn'] },
    });
  });

  it('runs the CDK\'s helper function (bucket auto-delete) on Node.js 24', () => {
    const functions = Object.values(app.shared.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(1);
    for (const fn of functions) expect(fn.Properties.Runtime).toBe('nodejs24.x');
  });

  it('names its roles as the seed does', () => {
    for (const name of ['yolops-sagemaker-execution-role', 'yolops-lambda-execution-role', 'yolops-mlflow-server-role']) {
      app.shared.hasResourceProperties('AWS::IAM::Role', { RoleName: name });
    }
  });

  it('outputs the bucket names, topic, roles and the MLflow App\'s ARN as the tracking URI', () => {
    const outputs = app.shared.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AccessLogsBucketName',
        'MlflowArtifactsBucketName',
        'MlflowRoleArn',
        'MlflowTrackingUri',
        'ModelArtifactsBucketName',
        'NotificationsTopicArn',
        'SageMakerExecutionRoleArn',
        'TrainingDataBucketName',
        'TriggerRoleArn',
      ].sort(),
    );
    app.shared.hasOutput('MlflowTrackingUri', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MlflowApp'), 'Arn'] },
      Description: Match.stringLikeRegexp('create-presigned-mlflow-app-url'),
    });
    for (const output of Object.values(outputs)) expect(output.Description).toBeTruthy();
  });

  it('exports nothing: the other stacks use deterministic names', () => {
    for (const output of Object.values(app.shared.findOutputs('*'))) expect(output.Export).toBeUndefined();
  });
});

describe('SharedResourcesStack with an MLflow tracking server (cdk.json "mlflow": "tracking-server")', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp({ context: { mlflow: 'tracking-server' } });
  }, SYNTH_TIMEOUT);

  it('runs a small MLflow tracking server on the MLflow bucket, no App', () => {
    app.shared.hasResourceProperties('AWS::SageMaker::MlflowTrackingServer', {
      TrackingServerName: 'yolops-mlflow',
      TrackingServerSize: 'Small',
      ArtifactStoreUri: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^MlflowArtifactsBucket') }, '/artifacts/']] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MlflowRole'), 'Arn'] },
      AutomaticModelRegistration: false,
    });
    // The server checks its artifact store at start: its role's policy must exist by then.
    app.shared.hasResource('AWS::SageMaker::MlflowTrackingServer', { DependsOn: [Match.stringLikeRegexp('^MlflowRoleDefaultPolicy')] });
    expect(app.shared.findResources('AWS::SageMaker::MlflowApp')).toEqual({});
  });

  it('keeps the artifact store role of the App: same logical id and name, so switching kinds does not replace it', () => {
    const appMode = synthTestApp();
    const roleOf = (template: typeof app.shared) => Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: 'yolops-mlflow-server-role' } }));
    expect(roleOf(app.shared)).toEqual(roleOf(appMode.shared));
    expect(roleOf(app.shared)).toHaveLength(1);
  }, SYNTH_TIMEOUT);

  it('looks up the MLflow URL without installing an SDK at deploy time', () => {
    app.shared.hasResourceProperties('Custom::MlflowTrackingServerUrl', {
      Create: Match.serializedJson(Match.objectLike({ service: 'SageMaker', action: 'DescribeMlflowTrackingServer', parameters: { TrackingServerName: 'yolops-mlflow' } })),
      InstallLatestAwsSdk: false,
    });
    app.shared.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    for (const fn of Object.values(app.shared.findResources('AWS::Lambda::Function'))) expect(fn.Properties.Runtime).toBe('nodejs24.x');
  });

  it('outputs the server\'s ARN as the tracking URI, and its URL', () => {
    app.shared.hasOutput('MlflowTrackingUri', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MlflowServer'), 'TrackingServerArn'] } });
    app.shared.hasOutput('MlflowTrackingServerUrl', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MlflowDescribeServer'), 'TrackingServerUrl'] } });
    app.shared.hasResourceProperties('AWS::SSM::Parameter', { Name: '/yolops/mlflow/tracking-uri', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MlflowServer'), 'TrackingServerArn'] } });
  });
});

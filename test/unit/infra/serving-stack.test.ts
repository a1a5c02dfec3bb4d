import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYER_ENV } from '../../../src/deployer/environment.ts';
import { ENDPOINT_STATE_CHANGE, MODEL_PACKAGE_STATE_CHANGE } from '../../../src/infra/constructs/deployer.ts';
import { actionsOf, logicalIdOf, resourceCounts, statementsOfRole, type SynthesizedApp, synthTestApp, SYNTH_TIMEOUT } from './helpers.ts';

const ACCOUNT = '123456789012';
const REGION = 'ap-southeast-2';
const TRAINING_BUCKET = `yolops-training-data-${ACCOUNT}`;
const ARTIFACTS_BUCKET = `arn:aws:s3:::yolops-model-artifacts-${ACCOUNT}`;
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:yolops-notifications`;
const sm = (resource: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${resource}`;
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

describe('ServingStack', () => {
  let app: SynthesizedApp;
  let repository: string;
  let endpointRole: string;
  beforeAll(() => {
    app = synthTestApp();
    repository = logicalIdOf(app.serving, 'AWS::ECR::Repository', { RepositoryName: 'yolops-inference' });
    endpointRole = logicalIdOf(app.serving, 'AWS::IAM::Role', { RoleName: 'yolops-endpoint-role' });
  }, SYNTH_TIMEOUT);

  it('is its own stack, deployed after the shared and pipeline stacks, with exactly the resources it should have', () => {
    expect(app.stacks.serving.stackName).toBe('yolops-ServingStack');
    expect(app.stacks.serving.dependencies.map((s) => s.stackName).sort()).toEqual(['yolops-SageMakerPipelineStack', 'yolops-SharedResourcesStack']);
    expect(resourceCounts(app.serving)).toEqual({
      'AWS::ECR::Repository': 1,
      'AWS::CodeBuild::Project': 1,
      'AWS::IAM::Role': 3,
      'AWS::IAM::Policy': 3,
      'AWS::Logs::LogGroup': 2,
      'AWS::Lambda::Function': 1,
      'AWS::Lambda::EventInvokeConfig': 1,
      'AWS::Lambda::Permission': 2,
      'AWS::Events::Rule': 2,
      'AWS::SQS::Queue': 1,
      'AWS::SQS::QueuePolicy': 1,
      'AWS::CloudWatch::Alarm': 4,
    });
    // Endpoints are the deployer's, not CloudFormation's: a blue/green update is a SageMaker deployment.
    expect(app.serving.findResources('AWS::SageMaker::Endpoint')).toEqual({});
    expect(JSON.stringify(app.serving.toJSON())).not.toContain('Fn::ImportValue');
  });

  describe('inference image', () => {
    it('is an ECR repository with immutable tags, scanned on push, encrypted, with a bounded number of untagged images', () => {
      const [repo] = Object.values(app.serving.findResources('AWS::ECR::Repository'));
      expect(repo?.Properties).toMatchObject({
        RepositoryName: 'yolops-inference',
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'AES256' },
        EmptyOnDelete: true,
      });
      expect(JSON.parse(repo?.Properties.LifecyclePolicy.LifecyclePolicyText as string)).toEqual({
        rules: [{ rulePriority: 1, description: 'Keep at most 5 untagged images', selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 5 }, action: { type: 'expire' } }],
      });
      expect(repo?.DeletionPolicy).toBe('Delete');
    });

    it('is built by a privileged CodeBuild project on a pinned standard image, from code/ of the training bucket, logging to its own group', () => {
      const logGroup = logicalIdOf(app.serving, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/codebuild/yolops-inference-image' });
      app.serving.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/codebuild/yolops-inference-image', RetentionInDays: 30 });
      app.serving.hasResourceProperties('AWS::CodeBuild::Project', {
        Name: 'yolops-inference-image',
        Source: { Type: 'S3', Location: `${TRAINING_BUCKET}/code/`, BuildSpec: Match.anyValue() },
        Environment: {
          Type: 'LINUX_CONTAINER',
          Image: 'aws/codebuild/standard:7.0',
          ComputeType: 'BUILD_GENERAL1_MEDIUM',
          PrivilegedMode: true,
          EnvironmentVariables: [
            { Name: 'REPOSITORY_URI', Type: 'PLAINTEXT', Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) },
            { Name: 'REPOSITORY_NAME', Type: 'PLAINTEXT', Value: 'yolops-inference' },
          ],
        },
        Artifacts: { Type: 'NO_ARTIFACTS' },
        TimeoutInMinutes: 60,
        LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: logGroup } } },
      });
    });

    it('has an inline buildspec that needs IMAGE_TAG, unpacks the bundle, builds for linux/amd64 and pushes {repo}:$IMAGE_TAG', () => {
      const [project] = Object.values(app.serving.findResources('AWS::CodeBuild::Project'));
      const buildspec = project?.Properties.Source.BuildSpec as string;
      expect(buildspec).toMatch(/^version: "0\.2"/);
      for (const step of ['if [ -z "${IMAGE_TAG:-}" ]', 'tar -xzf sourcedir.tar.gz -C context', 'docker login --username AWS', 'docker build --platform linux/amd64', 'docker push "$REPOSITORY_URI:$IMAGE_TAG"']) {
        expect(buildspec).toContain(step);
      }
    });

    it('lets the build read only code/ of the training bucket and push only to its repository', () => {
      const role = logicalIdOf(app.serving, 'AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codebuild.amazonaws.com' } })] } });
      const statements = statementsOfRole(app.serving, role);
      const s3 = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('s3:')));
      expect(s3).toEqual([
        {
          Action: ['s3:GetBucket*', 's3:GetObject*', 's3:List*'],
          Effect: 'Allow',
          Resource: [`arn:aws:s3:::${TRAINING_BUCKET}`, `arn:aws:s3:::${TRAINING_BUCKET}/code/`, `arn:aws:s3:::${TRAINING_BUCKET}/code/*`],
        },
      ]);
      expect(statements.find((s) => s.Sid === 'PushInferenceImages')).toEqual({
        Sid: 'PushInferenceImages',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:CompleteLayerUpload', 'ecr:DescribeImages', 'ecr:InitiateLayerUpload', 'ecr:PutImage', 'ecr:UploadLayerPart'],
        Effect: 'Allow',
        Resource: arnOf(repository),
      });
      // The login token is the only ECR action on "*"; nothing of the build deletes.
      const ecrEverywhere = statements.filter((s) => s.Resource === '*').flatMap(actionsOf);
      expect(ecrEverywhere).toEqual(['ecr:GetAuthorizationToken']);
      expect(JSON.stringify(statements)).not.toMatch(/Delete|s3:Put/);
    });
  });

  it('endpoint role: reads model archives, writes (never deletes) data capture, pulls the inference image, logs for its two endpoints', () => {
    app.serving.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'yolops-endpoint-role',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
      ManagedPolicyArns: Match.absent(),
    });
    const logs = (endpoint: string) => [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${endpoint}`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${endpoint}:*`];
    expect(statementsOfRole(app.serving, endpointRole)).toEqual([
      { Sid: 'ReadModelArchives', Action: 's3:GetObject', Effect: 'Allow', Resource: `${ARTIFACTS_BUCKET}/pipelines/*` },
      { Sid: 'WriteDataCapture', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Effect: 'Allow', Resource: `${ARTIFACTS_BUCKET}/data-capture/*` },
      { Sid: 'LogInToEcr', Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
      { Sid: 'PullInferenceImage', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Effect: 'Allow', Resource: arnOf(repository) },
      {
        Sid: 'WriteEndpointLogs',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: [...logs('yolops-production'), ...logs('yolops-staging')],
      },
      { Sid: 'PublishEndpointMetrics', Action: 'cloudwatch:PutMetricData', Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' } } },
    ]);
  });

  describe('deployer', () => {
    let deployerRole: string;
    beforeAll(() => {
      deployerRole = logicalIdOf(app.serving, 'AWS::IAM::Role', { RoleName: 'yolops-deployer-role' });
    });

    it('runs src/deployer/handler.ts on Node.js 24 as its own role, with the environment DEPLOYER_ENV names', () => {
      app.serving.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: 'yolops-deployer',
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Role: arnOf(deployerRole),
        Timeout: 300,
        Environment: {
          Variables: {
            [DEPLOYER_ENV.modelPackageGroup]: 'yolops-yolo-models',
            [DEPLOYER_ENV.stagingEndpoint]: 'yolops-staging',
            [DEPLOYER_ENV.endpointRoleArn]: arnOf(endpointRole),
            [DEPLOYER_ENV.trainingBucket]: TRAINING_BUCKET,
            [DEPLOYER_ENV.configKey]: 'config/training-config.json',
            [DEPLOYER_ENV.notificationsTopicArn]: TOPIC_ARN,
          },
        },
        DeadLetterConfig: { TargetArn: arnOf(logicalIdOf(app.serving, 'AWS::SQS::Queue', { QueueName: 'yolops-deployer-dlq' })) },
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(app.serving, 'AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/yolops-deployer' }) } },
      });
      const [fn] = Object.values(app.serving.findResources('AWS::Lambda::Function'));
      expect(Object.keys(fn?.Properties.Environment.Variables as object).sort()).toEqual(Object.values(DEPLOYER_ENV).sort());
      app.serving.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    });

    it('hears approvals of its model package group and state changes of the staging endpoint, with retries and a dead-letter queue', () => {
      const dlq = arnOf(logicalIdOf(app.serving, 'AWS::SQS::Queue', { QueueName: 'yolops-deployer-dlq' }));
      const target = [{ Arn: Match.anyValue(), Id: Match.anyValue(), DeadLetterConfig: { Arn: dlq }, RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 } }];
      app.serving.hasResourceProperties('AWS::Events::Rule', {
        Name: 'yolops-model-approved',
        EventPattern: {
          source: ['aws.sagemaker'],
          'detail-type': [MODEL_PACKAGE_STATE_CHANGE],
          detail: { ModelPackageGroupName: ['yolops-yolo-models'], ModelApprovalStatus: ['Approved'] },
        },
        Targets: target,
      });
      app.serving.hasResourceProperties('AWS::Events::Rule', {
        Name: 'yolops-staging-endpoint-state',
        EventPattern: { source: ['aws.sagemaker'], 'detail-type': [ENDPOINT_STATE_CHANGE], detail: { EndpointName: ['yolops-staging'] } },
        Targets: target,
      });
      expect(MODEL_PACKAGE_STATE_CHANGE).toBe('SageMaker Model Package State Change');
      expect(ENDPOINT_STATE_CHANGE).toBe('SageMaker Endpoint State Change');
    });

    it('may do exactly what deploying to staging needs, on its resources only (nothing of production), and pass only the endpoint role to SageMaker', () => {
      expect(statementsOfRole(app.serving, deployerRole)).toEqual([
        { Sid: 'ManageModels', Action: ['sagemaker:CreateModel', 'sagemaker:DeleteModel', 'sagemaker:DescribeModel'], Effect: 'Allow', Resource: sm('model/yolops-stg-*') },
        {
          Sid: 'ManageEndpointConfigs',
          Action: ['sagemaker:CreateEndpointConfig', 'sagemaker:DeleteEndpointConfig', 'sagemaker:DescribeEndpointConfig'],
          Effect: 'Allow',
          Resource: sm('endpoint-config/yolops-stg-*'),
        },
        { Sid: 'DeployStaging', Action: ['sagemaker:CreateEndpoint', 'sagemaker:DeleteEndpoint', 'sagemaker:UpdateEndpoint'], Effect: 'Allow', Resource: [sm('endpoint-config/yolops-stg-*'), sm('endpoint/yolops-staging')] },
        { Sid: 'FollowStaging', Action: 'sagemaker:DescribeEndpoint', Effect: 'Allow', Resource: sm('endpoint/yolops-staging') },
        { Sid: 'TagDeployedResources', Action: ['sagemaker:AddTags', 'sagemaker:ListTags'], Effect: 'Allow', Resource: [sm('endpoint-config/yolops-stg-*'), sm('endpoint/yolops-staging'), sm('model/yolops-stg-*')] },
        { Sid: 'ReadModelVersions', Action: 'sagemaker:DescribeModelPackage', Effect: 'Allow', Resource: sm('model-package/yolops-yolo-models/*') },
        { Sid: 'ListDeployedResources', Action: ['sagemaker:ListEndpointConfigs', 'sagemaker:ListModelPackages', 'sagemaker:ListModels'], Effect: 'Allow', Resource: '*' },
        { Sid: 'SmokeTestStaging', Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: sm('endpoint/yolops-staging') },
        { Sid: 'PassEndpointRole', Action: 'iam:PassRole', Effect: 'Allow', Resource: arnOf(endpointRole), Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } },
        { Sid: 'ReadServingConfig', Action: 's3:GetObject', Effect: 'Allow', Resource: `arn:aws:s3:::${TRAINING_BUCKET}/config/training-config.json` },
        { Sid: 'Notify', Action: 'sns:Publish', Effect: 'Allow', Resource: TOPIC_ARN },
        {
          Sid: 'EncryptNotifications',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          Effect: 'Allow',
          Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/*`,
          Condition: {
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/yolops-notifications' },
            StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', [`sns.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] } },
          },
        },
        { Sid: 'WriteFunctionLogs', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/yolops-deployer:*` },
        { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: arnOf(logicalIdOf(app.serving, 'AWS::SQS::Queue', { QueueName: 'yolops-deployer-dlq' })) },
      ]);
      // Nothing the deployer may do deletes an object or a model version, or touches production; the one endpoint it
      // may delete is a Failed staging endpoint, to create it again.
      const statements = statementsOfRole(app.serving, deployerRole);
      expect(statements.flatMap(actionsOf).filter((a) => /s3:Delete|DeleteModelPackage|UpdateModelPackage|application-autoscaling:/.test(a))).toEqual([]);
      expect(JSON.stringify(statements)).not.toMatch(/yolops-production|yolops-prd-/);
    });

    it('alarms on its errors and on dead letters, to the notifications topic', () => {
      app.serving.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'yolops-deployer-errors',
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^DeployerFunction') } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [TOPIC_ARN],
      });
      app.serving.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'yolops-deployer-dead-letters',
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeployerDeadLetterQueue'), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        AlarmActions: [TOPIC_ARN],
      });
    });
  });

  it('has the production rollback alarms under their fixed names: 5xx sum per minute and p99 model latency in microseconds', () => {
    const dimensions = [
      { Name: 'EndpointName', Value: 'yolops-production' },
      { Name: 'VariantName', Value: 'AllTraffic' },
    ];
    const serving = app.config.training.serving;
    app.serving.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'yolops-production-5xx',
      Namespace: 'AWS/SageMaker',
      MetricName: 'Invocation5XXErrors',
      Dimensions: dimensions,
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: serving.errors_alarm_count,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [TOPIC_ARN],
    });
    app.serving.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'yolops-production-latency',
      Namespace: 'AWS/SageMaker',
      MetricName: 'ModelLatency',
      Dimensions: dimensions,
      ExtendedStatistic: 'p99',
      Unit: 'Microseconds',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: serving.latency_alarm_ms * 1000,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [TOPIC_ARN],
    });
  });

  it('outputs the repository URI, the endpoint names, the deployer function and what to audit', () => {
    expect(Object.keys(app.serving.findOutputs('*')).sort()).toEqual([
      'DeployerFunctionName',
      'EndpointRoleArn',
      'InferenceImageProjectName',
      'InferenceImageRepositoryUri',
      'ProductionEndpointName',
      'StagingEndpointName',
    ]);
    app.serving.hasOutput('StagingEndpointName', { Value: 'yolops-staging' });
    app.serving.hasOutput('ProductionEndpointName', { Value: 'yolops-production' });
    // `{account}.dkr.ecr.{region}.{suffix}/{repository}`, built by CDK from the repository's ARN and name.
    const uri = JSON.stringify(app.serving.findOutputs('InferenceImageRepositoryUri').InferenceImageRepositoryUri?.Value);
    expect(uri).toContain('.dkr.ecr.');
    expect(uri).toContain(`"/",{"Ref":"${repository}"}`);
  });
});

describe('ServingStack with other settings', () => {
  it('sets the rollback thresholds from training-config.json, and keeps the repository and logs in prod', { timeout: SYNTH_TIMEOUT }, () => {
    const app = synthTestApp({ context: { environment: 'prod' }, training: { serving: { latency_alarm_ms: 750, errors_alarm_count: 12 } } });
    app.serving.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'yolops-production-latency', Threshold: 750_000 });
    app.serving.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'yolops-production-5xx', Threshold: 12 });
    app.serving.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ EmptyOnDelete: false }) });
    for (const group of Object.values(app.serving.findResources('AWS::Logs::LogGroup'))) {
      expect(group.DeletionPolicy).toBe('Retain');
      expect(group.Properties.RetentionInDays).toBe(365);
    }
  });
});

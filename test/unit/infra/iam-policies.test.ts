import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployAndTrainStatements } from './deploy-and-train-statements.ts';
import { actionsOf, logicalIdOf, statementsOfRole, type SynthesizedApp, synthTestApp, SYNTH_TIMEOUT } from './helpers.ts';

const ACCOUNT = '123456789012';
const REGION = 'ap-southeast-2';
const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const under = (logicalId: string, key: string) => ({ 'Fn::Join': ['', [arnOf(logicalId), `/${key}`]] });

const READ = ['s3:GetBucket*', 's3:GetObject*', 's3:List*'];
const WRITE = ['s3:AbortMultipartUpload', 's3:PutObject'];
/** What the jobs' MLflow client calls (training/yolops_training/mlflow_tracking.py), one by one. */
const MLFLOW_CLIENT = ['CreateExperiment', 'CreateRun', 'GetExperimentByName', 'GetMetricHistory', 'GetRun', 'LogBatch', 'SearchExperiments', 'UpdateRun'].map((a) => `sagemaker-mlflow:${a}`);
const READ_WRITE = ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging'];

function bucketId(template: Template, name: string): string {
  return logicalIdOf(template, 'AWS::S3::Bucket', { BucketName: name });
}
function roleId(template: Template, name: string): string {
  return logicalIdOf(template, 'AWS::IAM::Role', { RoleName: name });
}

describe('IAM policies are scoped to what each role needs', () => {
  let app: SynthesizedApp;
  let training: string;
  let artifacts: string;
  let mlflow: string;
  beforeAll(() => {
    app = synthTestApp({ context: { github_repository: 'acme/yolops' } });
    training = bucketId(app.shared, `yolops-training-data-${ACCOUNT}`);
    artifacts = bucketId(app.shared, `yolops-model-artifacts-${ACCOUNT}`);
    mlflow = bucketId(app.shared, `yolops-mlflow-artifacts-${ACCOUNT}`);
  }, SYNTH_TIMEOUT);

  it('SageMaker execution role: reads datasets, labelled exports and code, writes pipelines/ and checkpoints/ (deletes checkpoints only), tracks to its MLflow App', () => {
    const role = roleId(app.shared, 'yolops-sagemaker-execution-role');
    app.shared.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'yolops-sagemaker-execution-role',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
      ManagedPolicyArns: Match.absent(),
    });
    const mlflowApp = logicalIdOf(app.shared, 'AWS::SageMaker::MlflowApp', { Name: 'yolops-mlflow' });
    const logs = (kind: string) => [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/${kind}`, `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/${kind}:*`];
    expect(statementsOfRole(app.shared, role)).toEqual([
      {
        Action: READ,
        Effect: 'Allow',
        Resource: [
          arnOf(artifacts),
          arnOf(training),
          under(artifacts, 'checkpoints/*'),
          under(artifacts, 'pipelines/*'),
          under(training, 'code/*'),
          // The Preprocess job reads a labelled export to convert it.
          under(training, 'labeled-data/*'),
          under(training, 'sample_dataset/*'),
          under(training, 'split_dataset/*'),
        ],
      },
      { Sid: 'WriteRunOutputs', Action: WRITE, Effect: 'Allow', Resource: under(artifacts, 'pipelines/*') },
      // SageMaker's checkpoint sync mirrors a local delete; versioning keeps what it deletes.
      { Sid: 'SyncCheckpoints', Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:PutObject'], Effect: 'Allow', Resource: under(artifacts, 'checkpoints/*') },
      { Sid: 'UploadRunArtifacts', Action: WRITE, Effect: 'Allow', Resource: under(mlflow, 'artifacts/*') },
      { Sid: 'TrackExperiments', Action: [...MLFLOW_CLIENT, 'sagemaker:CallMlflowAppApi'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [mlflowApp, 'Arn'] } },
      {
        Sid: 'WriteJobLogs',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: [...logs('ProcessingJobs'), ...logs('TrainingJobs')].sort(),
      },
      { Sid: 'PublishJobMetrics', Action: 'cloudwatch:PutMetricData', Effect: 'Allow', Resource: '*', Condition: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } } },
      { Sid: 'LogInToEcr', Action: 'ecr:GetAuthorizationToken', Effect: 'Allow', Resource: '*' },
      {
        Sid: 'PullJobImages',
        Action: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Effect: 'Allow',
        Resource: `arn:aws:ecr:${REGION}:763104351884:repository/pytorch-training`,
      },
    ]);
  });

  it('trigger role: reads the datasets and the config, writes its own records without delete, starts the one pipeline, publishes, reads its queue', () => {
    const role = roleId(app.shared, 'yolops-lambda-execution-role');
    app.shared.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'yolops-lambda-execution-role',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }] },
      ManagedPolicyArns: Match.absent(),
    });
    expect(statementsOfRole(app.shared, role)).toEqual([
      {
        Action: READ,
        Effect: 'Allow',
        // labeled-data/*: the trigger lists an export and reads the first bytes of its .json files to tell its format.
        Resource: [arnOf(training), under(training, 'config/training-config.json'), under(training, 'labeled-data/*'), under(training, 'sample_dataset/*'), under(training, 'split_dataset/*'), under(training, 'triggers/*')],
      },
      { Sid: 'WriteTriggerRecords', Action: 's3:PutObject', Effect: 'Allow', Resource: under(training, 'triggers/*') },
      { Sid: 'SeeMultipartUploadsInProgress', Action: 's3:ListBucketMultipartUploads', Effect: 'Allow', Resource: arnOf(training) },
      {
        Sid: 'StartTrainingPipeline',
        Action: 'sagemaker:StartPipelineExecution',
        Effect: 'Allow',
        Resource: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:pipeline/yolops-yolo-training-pipeline`,
      },
      {
        Sid: 'ConsumeAndRecheckTriggerQueue',
        Action: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage', 'sqs:SendMessage'],
        Effect: 'Allow',
        Resource: `arn:aws:sqs:${REGION}:${ACCOUNT}:yolops-training-trigger-events`,
      },
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: expect.stringMatching(/^NotificationsTopic/) } },
      { Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NotificationsKey/), 'Arn'] } },
      {
        Sid: 'WriteFunctionLogs',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Effect: 'Allow',
        Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/yolops-training-trigger:*`,
      },
    ]);
    // Nothing the trigger may do deletes an object.
    expect(JSON.stringify(statementsOfRole(app.shared, role))).not.toMatch(/s3:Delete/);
  });

  it('SageMaker execution role: never deletes a model, an evaluation report or an MLflow artifact', () => {
    const role = roleId(app.shared, 'yolops-sagemaker-execution-role');
    const kept = [under(artifacts, 'pipelines/*'), under(mlflow, 'artifacts/*'), arnOf(artifacts), arnOf(mlflow)].map((r) => JSON.stringify(r));
    for (const statement of statementsOfRole(app.shared, role)) {
      const resources = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map((r) => JSON.stringify(r));
      if (!resources.some((r) => kept.includes(r))) continue;
      expect(actionsOf(statement).filter((a) => /^s3:(Delete|\*|PutObjectRetention|PutObjectLegalHold|PutBucket|PutLifecycle)/.test(a)), JSON.stringify(statement)).toEqual([]);
    }
  });

  it('MLflow App role: its own artifact bucket only', () => {
    const role = roleId(app.shared, 'yolops-mlflow-server-role');
    expect(statementsOfRole(app.shared, role)).toEqual([{ Action: READ_WRITE, Effect: 'Allow', Resource: [arnOf(mlflow), under(mlflow, '*')] }]);
    app.shared.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'yolops-mlflow-server-role',
      AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' } }] },
    });
  });

  it('pipeline role: runs pipelines-* jobs, registers into its group, passes only the job role to SageMaker, reads reports', () => {
    const role = roleId(app.pipeline, 'yolops-pipeline-role');
    const sm = (resource: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:${resource}`;
    expect(statementsOfRole(app.pipeline, role)).toEqual([
      {
        Sid: 'RunPipelineJobs',
        Action: [
          'sagemaker:AddTags',
          'sagemaker:CreateProcessingJob',
          'sagemaker:CreateTrainingJob',
          'sagemaker:DescribeProcessingJob',
          'sagemaker:DescribeTrainingJob',
          'sagemaker:StopProcessingJob',
          'sagemaker:StopTrainingJob',
        ],
        Effect: 'Allow',
        Resource: [sm('processing-job/pipelines-*'), sm('training-job/pipelines-*')],
      },
      {
        Sid: 'RegisterModels',
        Action: ['sagemaker:AddTags', 'sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
        Effect: 'Allow',
        Resource: [sm('model-package-group/yolops-yolo-models'), sm('model-package/yolops-yolo-models/*')],
      },
      {
        Sid: 'PassJobRole',
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: `arn:aws:iam::${ACCOUNT}:role/yolops-sagemaker-execution-role`,
        Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      },
      {
        Action: READ,
        Effect: 'Allow',
        Resource: [`arn:aws:s3:::yolops-model-artifacts-${ACCOUNT}`, `arn:aws:s3:::yolops-model-artifacts-${ACCOUNT}/pipelines/*`],
      },
    ]);
  });

  it('GitHub deploy role: the deploy-and-train policy (uploads code/ and the config, updates, starts and follows the one pipeline, passes only the pipeline role)', () => {
    const role = roleId(app.pipeline, 'yolops-github-deploy-role');
    expect(statementsOfRole(app.pipeline, role)).toEqual(deployAndTrainStatements(arnOf(roleId(app.pipeline, 'yolops-pipeline-role'))));
  });

  it('no *FullAccess or other AWS managed policy on our roles, no full wildcards, PassRole always conditioned', () => {
    for (const template of [app.shared, app.pipeline, app.trigger, app.serving]) {
      const text = JSON.stringify(template.toJSON());
      expect(text).not.toMatch(/FullAccess/);
      for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
        // Only the CDK's own auto-delete provider (a CfnResource-based Lambda) keeps AWSLambdaBasicExecutionRole.
        if (!id.startsWith('CustomS3AutoDeleteObjectsCustomResourceProvider')) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      }
      for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          const actions = actionsOf(statement);
          expect(actions).not.toContain('*');
          expect(actions.filter((a) => /^[a-z0-9-]+:\*$/.test(a))).toEqual([]);
          if (actions.includes('iam:PassRole')) {
            expect(actions).toEqual(['iam:PassRole']);
            expect(statement.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
            expect(statement.Resource).not.toContain('*');
          }
        }
      }
    }
  });

  it('trusts GitHub only for the main branch of the configured repository', () => {
    app.pipeline.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    app.pipeline.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'yolops-github-deploy-role',
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Effect: 'Allow',
            Principal: { Federated: { Ref: Match.stringLikeRegexp('^GithubDeployAccessProvider') } },
            Condition: {
              StringEquals: {
                'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
                'token.actions.githubusercontent.com:sub': 'repo:acme/yolops:ref:refs/heads/main',
              },
            },
          },
        ],
      },
    });
    app.pipeline.hasOutput('GithubDeployRoleArn', {});
  });
});

describe('with an MLflow tracking server (cdk.json "mlflow": "tracking-server")', () => {
  let app: SynthesizedApp;
  beforeAll(() => {
    app = synthTestApp({ context: { mlflow: 'tracking-server' } });
  }, SYNTH_TIMEOUT);

  it('lets the jobs make the MLflow client\'s calls on that server only, no sagemaker-mlflow:*', () => {
    const role = roleId(app.shared, 'yolops-sagemaker-execution-role');
    const server = logicalIdOf(app.shared, 'AWS::SageMaker::MlflowTrackingServer', { TrackingServerName: 'yolops-mlflow' });
    const track = statementsOfRole(app.shared, role).find((s) => s.Sid === 'TrackExperiments');
    expect(track).toEqual({ Sid: 'TrackExperiments', Action: MLFLOW_CLIENT, Effect: 'Allow', Resource: { 'Fn::GetAtt': [server, 'TrackingServerArn'] } });
  });

  it('MLflow URL lookup role: describes that one server and writes its own log group', () => {
    const [role] = Object.keys(app.shared.findResources('AWS::IAM::Role', { Properties: { Description: 'Looks up the URL of the yolops-mlflow MLflow tracking server for the stack outputs' } }));
    const server = logicalIdOf(app.shared, 'AWS::SageMaker::MlflowTrackingServer', { TrackingServerName: 'yolops-mlflow' });
    const statements = statementsOfRole(app.shared, role as string);
    expect(statements).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^MlflowDescribeServerLogs/), 'Arn'] } },
      { Action: 'sagemaker:DescribeMlflowTrackingServer', Effect: 'Allow', Resource: { 'Fn::GetAtt': [server, 'TrackingServerArn'] } },
    ]);
  });
});

describe('with a custom training image (training-config custom_image_uri)', () => {
  it('lets the SageMaker role pull from that repository and the evaluation image\'s, nothing else', { timeout: SYNTH_TIMEOUT }, () => {
    const app = synthTestApp({ training: { custom_image_uri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/yolops-training:1.0` } });
    const role = roleId(app.shared, 'yolops-sagemaker-execution-role');
    const pull = statementsOfRole(app.shared, role).find((s) => s.Sid === 'PullJobImages');
    expect(pull?.Resource).toEqual([`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/yolops-training`, `arn:aws:ecr:${REGION}:763104351884:repository/pytorch-training`]);
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_BUILD_BUILDSPEC } from '../../../src/infra/stacks/model-build-stack.ts';
import { deployAndTrainStatements } from './deploy-and-train-statements.ts';
import {
  logicalIdOf,
  MODEL_BUILD_CODECOMMIT,
  MODEL_BUILD_CONNECTION,
  REPO_ROOT,
  resourceCounts,
  statementsOfRole,
  type SynthesizedApp,
  synthTestApp,
  SYNTH_TIMEOUT,
} from './helpers.ts';

const ACCOUNT = '123456789012';
const ARTIFACTS_BUCKET = `yolops-build-artifacts-${ACCOUNT}`;

function modelBuildOf(app: SynthesizedApp): Template {
  if (app.modelBuild === undefined) throw new Error('the app has no ModelBuildStack');
  return app.modelBuild;
}

/** The stages of the one CodePipeline, as name and action type/configuration. */
function stagesOf(template: Template): { Name: string; Actions: { ActionTypeId: { Provider: string }; Configuration: Record<string, unknown> }[] }[] {
  const pipelines = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  expect(pipelines).toHaveLength(1);
  return pipelines[0]?.Properties.Stages;
}

describe('ModelBuildStack', () => {
  it('is absent unless cdk.json has model_build; the access-logs bucket then takes no logs for it', { timeout: SYNTH_TIMEOUT }, () => {
    const app = synthTestApp();
    expect(app.stacks.modelBuild).toBeUndefined();
    expect(JSON.stringify(app.shared.toJSON())).not.toContain('build-artifacts');
  });

  it('names a buildspec that exists at the repository root', () => {
    expect(existsSync(join(REPO_ROOT, MODEL_BUILD_BUILDSPEC))).toBe(true);
  });

  describe('with a CodeCommit repository (model_build.source "codecommit")', () => {
    let app: SynthesizedApp;
    let template: Template;
    beforeAll(() => {
      app = synthTestApp({ context: { model_build: MODEL_BUILD_CODECOMMIT } });
      template = modelBuildOf(app);
    }, SYNTH_TIMEOUT);

    it('is its own stack, deployed after the shared and pipeline stacks', () => {
      expect(app.stacks.modelBuild?.stackName).toBe('yolops-ModelBuildStack');
      expect(app.stacks.modelBuild?.dependencies.map((s) => s.stackName).sort()).toEqual(['yolops-SageMakerPipelineStack', 'yolops-SharedResourcesStack']);
    });

    it('creates the repository and a V2 pipeline: CodeCommit main, then the CodeBuild project', () => {
      template.hasResourceProperties('AWS::CodeCommit::Repository', { RepositoryName: 'yolops-model-build' });
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', { Name: 'yolops-model-build', PipelineType: 'V2' });
      const repository = logicalIdOf(template, 'AWS::CodeCommit::Repository', { RepositoryName: 'yolops-model-build' });
      const project = logicalIdOf(template, 'AWS::CodeBuild::Project', { Name: 'yolops-model-build' });
      expect(stagesOf(template).map((s) => ({ name: s.Name, provider: s.Actions.map((a) => a.ActionTypeId.Provider), configuration: s.Actions.map((a) => a.Configuration) }))).toEqual([
        { name: 'Source', provider: ['CodeCommit'], configuration: [{ RepositoryName: { 'Fn::GetAtt': [repository, 'Name'] }, BranchName: 'main', PollForSourceChanges: false }] },
        { name: 'DeployAndTrain', provider: ['CodeBuild'], configuration: [{ ProjectName: { Ref: project } }] },
      ]);
      // A push starts the pipeline through an EventBridge rule, not by polling.
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['aws.codecommit'], 'detail-type': ['CodeCommit Repository State Change'], detail: { referenceName: ['main'] } },
      });
    });

    it('runs buildspec.yml on a standard Linux image, one build at a time, logging to its own log group', () => {
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Name: 'yolops-model-build',
        Source: { Type: 'CODEPIPELINE', BuildSpec: 'buildspec.yml' },
        Environment: { Type: 'LINUX_CONTAINER', Image: Match.stringLikeRegexp('^aws/codebuild/standard:'), ComputeType: 'BUILD_GENERAL1_SMALL', PrivilegedMode: false },
        ConcurrentBuildLimit: 1,
        TimeoutInMinutes: 30,
        LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('^BuildLogs') } } },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/codebuild/yolops-model-build', RetentionInDays: 30 });
    });

    it('keeps its artifacts in a private, encrypted, TLS-only bucket that logs to the shared access-logs bucket', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: ARTIFACTS_BUCKET,
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LoggingConfiguration: { DestinationBucketName: `yolops-access-logs-${ACCOUNT}`, LogFilePrefix: `${ARTIFACTS_BUCKET}/` },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      template.hasResourceProperties('AWS::CodePipeline::Pipeline', { ArtifactStore: { Type: 'S3', Location: { Ref: logicalIdOf(template, 'AWS::S3::Bucket', { BucketName: ARTIFACTS_BUCKET }) } } });
      // The access-logs bucket (SharedResourcesStack) accepts that bucket's logs, under its name only.
      app.shared.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 's3:PutObject',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^AccessLogsBucket'), 'Arn'] }, `/${ARTIFACTS_BUCKET}/*`]] },
              Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${ARTIFACTS_BUCKET}` }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
            }),
          ]),
        },
      });
    });

    it('gives the CodeBuild role the deploy-and-train policy and the artifacts and logs CDK grants, nothing else', () => {
      const role = logicalIdOf(template, 'AWS::IAM::Role', { RoleName: 'yolops-model-build-role' });
      template.hasResourceProperties('AWS::IAM::Role', {
        RoleName: 'yolops-model-build-role',
        AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' } }] },
        ManagedPolicyArns: Match.absent(),
      });
      const statements = statementsOfRole(template, role);
      const own = statements.filter((s) => s.Sid !== undefined);
      expect(own).toEqual(deployAndTrainStatements(`arn:aws:iam::${ACCOUNT}:role/yolops-pipeline-role`));
      // The rest is CDK's: read the source revision, write the build's logs and reports.
      const cdkActions = statements.filter((s) => s.Sid === undefined).flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      expect(cdkActions.filter((a) => !/^(s3:(GetObject\*|GetBucket\*|List\*)|logs:(CreateLogGroup|CreateLogStream|PutLogEvents)|codebuild:(BatchPutCodeCoverages|BatchPutTestCases|CreateReport|CreateReportGroup|UpdateReport))$/.test(a))).toEqual([]);
    });

    it('outputs the clone URLs and the pipeline name', () => {
      for (const output of ['RepositoryCloneUrlHttp', 'RepositoryCloneUrlGrc', 'ModelBuildPipelineName', 'ModelBuildProjectName']) template.hasOutput(output, {});
    });
  });

  describe('through a CodeConnections connection (model_build.source "codeconnections")', () => {
    let template: Template;
    beforeAll(() => {
      template = modelBuildOf(synthTestApp({ context: { model_build: MODEL_BUILD_CONNECTION, github_repository: 'acme/yolops' } }));
    }, SYNTH_TIMEOUT);

    it('sources the given branch of the repository through the connection, and creates no repository', () => {
      expect(resourceCounts(template)['AWS::CodeCommit::Repository']).toBeUndefined();
      const [source] = stagesOf(template);
      expect(source?.Actions.map((a) => [a.ActionTypeId.Provider, a.Configuration])).toEqual([
        ['CodeStarSourceConnection', { ConnectionArn: MODEL_BUILD_CONNECTION.connection_arn, FullRepositoryId: 'acme/yolops', BranchName: 'release', DetectChanges: true }],
      ]);
    });

    it('lets only the source action use the connection', () => {
      const users = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('UseConnection'));
      expect(users).toHaveLength(1);
      expect(JSON.stringify(users[0])).toContain(MODEL_BUILD_CONNECTION.connection_arn);
    });

    it('outputs the pipeline name but no clone URL', () => {
      template.hasOutput('ModelBuildPipelineName', {});
      expect(Object.keys(template.toJSON().Outputs)).not.toContain('RepositoryCloneUrlHttp');
    });
  });
});

import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { BuildSpec, ComputeType, LinuxBuildImage, PipelineProject } from 'aws-cdk-lib/aws-codebuild';
import { Repository } from 'aws-cdk-lib/aws-codecommit';
import { Artifact, Pipeline, PipelineType } from 'aws-cdk-lib/aws-codepipeline';
import { CodeBuildAction, CodeCommitSourceAction, CodeCommitTrigger, CodeStarConnectionsSourceAction } from 'aws-cdk-lib/aws-codepipeline-actions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { ModelBuildConfig } from '../../core/config/cdk-context.ts';
import type { ResourceNames } from '../../core/naming.ts';
import { DeployAndTrainPolicy } from '../constructs/deploy-and-train-policy.ts';
import { SecureBucket } from '../constructs/secure-bucket.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import { acknowledge, acknowledgeBucketGrants, acknowledgeCodeBuildProjectGrants } from '../nag.ts';

/** The buildspec the CodeBuild project runs, at the root of the source revision (this repository's buildspec.yml). */
export const MODEL_BUILD_BUILDSPEC = 'buildspec.yml';

export interface ModelBuildStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly environmentPolicy: EnvironmentPolicy;
  /** cdk.json's `model_build`: where the source comes from. */
  readonly modelBuild: ModelBuildConfig;
}

/**
 * The model-build CI: a CodePipeline (V2) whose source is a CodeCommit repository this stack creates or a
 * repository reached through an AWS CodeConnections connection, and whose build runs buildspec.yml (upload the
 * training code and config, update the SageMaker pipeline, start a training) with the same least-privilege
 * policy as the GitHub deploy role. Resources of the other stacks are referenced by their deterministic names.
 */
export class ModelBuildStack extends Stack {
  readonly artifactsBucket: SecureBucket;
  readonly repository?: Repository;
  readonly project: PipelineProject;
  readonly pipeline: Pipeline;
  readonly projectRole: Role;

  constructor(scope: Construct, id: string, props: ModelBuildStackProps) {
    super(scope, id, props);
    const { names, environmentPolicy: environment, modelBuild } = props;
    const trainingDataBucket = Bucket.fromBucketName(this, 'TrainingDataBucket', names.trainingDataBucket);
    // SharedResourcesStack lets S3 deliver this bucket's access logs into its access-logs bucket.
    const accessLogsBucket = Bucket.fromBucketName(this, 'AccessLogsBucket', names.accessLogsBucket);
    const pipelineRole = Role.fromRoleName(this, 'PipelineRole', names.pipelineRole);

    this.artifactsBucket = new SecureBucket(this, 'ArtifactsBucket', {
      bucketName: names.modelBuildArtifactsBucket,
      accessLogsBucket,
      environment,
      // Source revisions and build outputs are kept by CodePipeline for its own use only; old ones are garbage.
      versioned: false,
      lifecycleRules: [{ id: 'expire-pipeline-artifacts', expiration: environment.noncurrentVersionExpiration }],
    });

    this.projectRole = new Role(this, 'ProjectRole', {
      roleName: names.modelBuildRole,
      assumedBy: new ServicePrincipal('codebuild.amazonaws.com'),
      description: `Runs ${names.modelBuildProject}: uploads the training code and config, updates and starts the ${names.pipeline} pipeline`,
    });
    new DeployAndTrainPolicy(this, 'DeployAndTrain', {
      holder: `the ${names.modelBuildProject} CodeBuild project`,
      role: this.projectRole,
      trainingDataBucket,
      pipelineName: names.pipeline,
      pipelineRole,
      mlflowTrackingUriParameter: names.mlflowTrackingUriParameter,
      inferenceImageProject: names.inferenceImageProject,
      inferenceImageRepository: names.inferenceImageRepository,
    });

    const logGroup = new LogGroup(this, 'BuildLogs', {
      logGroupName: names.modelBuildLogGroup,
      retention: environment.logRetention,
      removalPolicy: environment.removalPolicy,
    });
    this.project = new PipelineProject(this, 'Project', {
      projectName: names.modelBuildProject,
      description: 'Runs buildspec.yml: yolops code push, pipeline upsert and pipeline start against the deployed stacks',
      role: this.projectRole,
      buildSpec: BuildSpec.fromSourceFilename(MODEL_BUILD_BUILDSPEC),
      // The image's own Node.js installs the project; `npm ci` brings the Node.js 24 it runs on (bin/yolops.js).
      environment: { buildImage: LinuxBuildImage.STANDARD_7_0, computeType: ComputeType.SMALL },
      timeout: Duration.minutes(30),
      queuedTimeout: Duration.hours(1),
      // One build at a time: two commits in a row must not race on the pipeline definition.
      concurrentBuildLimit: 1,
      logging: { cloudWatch: { logGroup } },
    });

    const source = new Artifact('Source');
    const sourceAction =
      modelBuild.source === 'codecommit'
        ? new CodeCommitSourceAction({
            actionName: 'Source',
            repository: (this.repository = new Repository(this, 'Repository', {
              repositoryName: names.modelBuildRepository,
              description: `yolops ${names.pipeline}: commits to ${modelBuild.branch} upload the training code and start a training`,
            })),
            branch: modelBuild.branch,
            output: source,
            trigger: CodeCommitTrigger.EVENTS,
          })
        : new CodeStarConnectionsSourceAction({
            actionName: 'Source',
            connectionArn: modelBuild.connection_arn,
            owner: modelBuild.repository.split('/')[0] as string,
            repo: modelBuild.repository.split('/')[1] as string,
            branch: modelBuild.branch,
            output: source,
            triggerOnPush: true,
          });
    this.repository?.applyRemovalPolicy(environment.removalPolicy);

    this.pipeline = new Pipeline(this, 'Pipeline', {
      pipelineName: names.modelBuildPipeline,
      pipelineType: PipelineType.V2,
      artifactBucket: this.artifactsBucket,
      // The artifacts stay in this account: no KMS key for cross-account access is needed (or paid for).
      crossAccountKeys: false,
      restartExecutionOnUpdate: false,
      stages: [
        { stageName: 'Source', actions: [sourceAction] },
        { stageName: 'DeployAndTrain', actions: [new CodeBuildAction({ actionName: 'DeployAndTrain', project: this.project, input: source })] },
      ],
    });

    this.acknowledgeFindings(names);

    if (this.repository !== undefined) {
      new CfnOutput(this, 'RepositoryCloneUrlHttp', { value: this.repository.repositoryCloneUrlHttp, description: `git remote add aws <this>; git push aws ${modelBuild.branch} starts a build` });
      new CfnOutput(this, 'RepositoryCloneUrlGrc', { value: this.repository.repositoryCloneUrlGrc, description: 'The same repository through git-remote-codecommit (pip install git-remote-codecommit)' });
    }
    new CfnOutput(this, 'ModelBuildPipelineName', { value: this.pipeline.pipelineName, description: 'aws codepipeline start-pipeline-execution --name <this> rebuilds the last commit' });
    new CfnOutput(this, 'ModelBuildProjectName', { value: this.project.projectName, description: 'The CodeBuild project running buildspec.yml' });
  }

  private acknowledgeFindings(names: ResourceNames): void {
    acknowledge(
      this.project,
      'AwsSolutions-CB4',
      `The ${names.modelBuildProject} build writes no artifacts of its own: its input is the source revision in the SSE-S3 encrypted, TLS-only ${names.modelBuildArtifactsBucket} bucket, so a customer managed KMS key would protect nothing more.`,
    );
    Annotations.of(this.artifactsBucket).acknowledgeWarning(
      '@aws-cdk/aws-s3:accessLogsPolicyNotAdded',
      'SharedResourcesStack adds the log delivery statement for this bucket to the access-logs bucket (AccessLogsBucket.allowLogsFrom).',
    );
    const artifacts = [{ bucket: this.artifactsBucket, keys: ['*'] }];
    const projectPolicy = this.projectRole.node.findChild('DefaultPolicy');
    acknowledgeBucketGrants(projectPolicy, `the ${names.modelBuildProject} build, which reads the source revision CodePipeline stored for it,`, artifacts.map((a) => ({ ...a, access: 'read' as const })));
    acknowledgeCodeBuildProjectGrants(projectPolicy, this.project, names.modelBuildProject);
    const sourceActionRole = this.pipeline.node.findChild('Source').node.findChild('Source').node.findChild('CodePipelineActionRole');
    for (const [role, holder] of [
      [this.pipeline.role, `CodePipeline, which stores each source revision of ${names.modelBuildPipeline} and hands it to the build,`],
      [sourceActionRole, `the source action of ${names.modelBuildPipeline}, which writes the source revision it fetched,`],
    ] as const) {
      acknowledgeBucketGrants(role.node.findChild('DefaultPolicy'), holder, artifacts.map((a) => ({ ...a, access: 'read-write' as const })));
    }
  }
}

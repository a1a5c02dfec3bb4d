import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { GithubDeployAccess } from '../constructs/github-deploy-access.ts';
import { ModelRegistry } from '../constructs/model-registry.ts';
import { PipelineNotifications } from '../constructs/pipeline-notifications.ts';
import { PipelineRole } from '../constructs/pipeline-role.ts';
import { TrainingPipeline } from '../constructs/training-pipeline.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import type { ResourceNames } from '../../core/naming.ts';
import type { PipelineDefinitionSource } from '../compiled-pipeline-facts.ts';

export interface SageMakerPipelineStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly environmentPolicy: EnvironmentPolicy;
  /** The compiled definition (from `src/core/pipeline`); deployed unchanged. */
  readonly pipelineDefinition: PipelineDefinitionSource;
  /**
   * `owner/repo` whose GitHub Actions may deploy code and start trainings.
   * @default - no GitHub OIDC provider and no deploy role
   */
  readonly githubRepository?: string;
}

/**
 * The training pipeline, its role, the model registry, and the notifications of its executions.
 * Resources of SharedResourcesStack are referenced by their deterministic names (see resourceNames in core/naming.ts), not by
 * CloudFormation exports: the compiled definition names them in plain text anyway, and exports would pin the
 * shared stack (an export in use cannot change).
 */
export class SageMakerPipelineStack extends Stack {
  readonly registry: ModelRegistry;
  readonly pipelineRole: PipelineRole;
  readonly trainingPipeline: TrainingPipeline;
  readonly notifications: PipelineNotifications;
  readonly githubDeployAccess?: GithubDeployAccess;

  constructor(scope: Construct, id: string, props: SageMakerPipelineStackProps) {
    super(scope, id, props);
    const { names } = props;
    const jobRole = Role.fromRoleName(this, 'SageMakerExecutionRole', names.sagemakerExecutionRole);
    const modelArtifactsBucket = Bucket.fromBucketName(this, 'ModelArtifactsBucket', names.modelArtifactsBucket);
    const notificationsTopic = Topic.fromTopicArn(
      this,
      'NotificationsTopic',
      this.formatArn({ service: 'sns', resource: names.notificationsTopic, arnFormat: ArnFormat.NO_RESOURCE_NAME }),
    );

    this.registry = new ModelRegistry(this, 'ModelRegistry', {
      modelPackageGroupName: names.modelPackageGroup,
      removalPolicy: props.environmentPolicy.removalPolicy,
    });
    this.pipelineRole = new PipelineRole(this, 'PipelineRole', {
      roleName: names.pipelineRole,
      jobRole,
      modelArtifactsBucket,
      modelPackageGroupName: names.modelPackageGroup,
    });
    this.trainingPipeline = new TrainingPipeline(this, 'TrainingPipeline', {
      pipelineName: names.pipeline,
      definition: props.pipelineDefinition,
      role: this.pipelineRole,
    });
    // The Register step needs the group the moment an execution reaches it.
    this.trainingPipeline.pipeline.addResourceDependency(this.registry.group);

    this.notifications = new PipelineNotifications(this, 'Notifications', {
      pipelineName: names.pipeline,
      pipelineArn: this.trainingPipeline.pipelineArn,
      region: this.region,
      topic: notificationsTopic,
      statusRuleName: names.pipelineStatusRule,
      stepFailedRuleName: names.pipelineStepFailedRule,
    });

    if (props.githubRepository !== undefined) {
      this.githubDeployAccess = new GithubDeployAccess(this, 'GithubDeployAccess', {
        repository: props.githubRepository,
        roleName: names.githubDeployRole,
        trainingDataBucket: Bucket.fromBucketName(this, 'TrainingDataBucket', names.trainingDataBucket),
        pipelineName: names.pipeline,
        pipelineRole: this.pipelineRole,
      });
      new CfnOutput(this, 'GithubDeployRoleArn', {
        value: this.githubDeployAccess.role.roleArn,
        description: 'role-to-assume for aws-actions/configure-aws-credentials in the Deploy-and-Train workflow',
      });
    }

    new CfnOutput(this, 'PipelineName', { value: names.pipeline, description: 'aws sagemaker start-pipeline-execution --pipeline-name <this>' });
    new CfnOutput(this, 'PipelineArn', { value: this.trainingPipeline.pipelineArn, description: 'ARN of the training pipeline' });
    new CfnOutput(this, 'PipelineRoleArn', { value: this.pipelineRole.roleArn, description: 'Role SageMaker Pipelines assumes to run the steps (passed by UpdatePipeline)' });
    new CfnOutput(this, 'ModelPackageGroupName', { value: names.modelPackageGroup, description: 'Model Registry group; approve versions here' });
  }
}

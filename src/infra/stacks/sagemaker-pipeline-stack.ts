import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { StagedCodeBundle } from '../code-bundle.ts';
import { CodeBundleDeployment } from '../constructs/code-bundle-deployment.ts';
import { GithubDeployAccess } from '../constructs/github-deploy-access.ts';
import { ModelRegistry } from '../constructs/model-registry.ts';
import { PipelineNotifications, USE_SPOT_INSTANCES_PARAMETER } from '../constructs/pipeline-notifications.ts';
import { PipelineRole } from '../constructs/pipeline-role.ts';
import { TrainingPipeline } from '../constructs/training-pipeline.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import type { ResourceNames } from '../../core/naming.ts';
import type { PipelineDefinitionFacts, PipelineDefinitionSource } from '../compiled-pipeline-facts.ts';

export interface SageMakerPipelineStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly environmentPolicy: EnvironmentPolicy;
  /**
   * The compiled definition (from `src/core/pipeline`); deployed unchanged, but for the MLflow App's ARN put in
   * place of `mlflowAppArnPlaceholder`.
   */
  readonly pipelineDefinition: PipelineDefinitionSource;
  /** What the definition asks of the infrastructure (parameters, images, roles). */
  readonly pipelineFacts: PipelineDefinitionFacts;
  /** training/ packed; uploaded to `code/{version}/` of the training bucket, the definition's default CodeVersion. */
  readonly codeBundle: StagedCodeBundle;
  /**
   * Where the definition names the MLflow App (see mlflowAppArnPlaceholder in core/pipeline/aws/arns.ts); the
   * App's ARN is read from the SSM parameter `names.mlflowTrackingUriParameter` at deploy time.
   * @default - the definition names no MLflow App (a tracking server's ARN is known from cdk.json)
   */
  readonly mlflowAppArnPlaceholder?: string;
  /** The default instance types of training-config.json, for the quota names in notifications. */
  readonly instanceTypes: { readonly training: string; readonly evaluation: string };
  /**
   * `owner/repo` whose GitHub Actions may deploy code and start trainings.
   * @default - no GitHub OIDC provider and no deploy role
   */
  readonly githubRepository?: string;
}

/**
 * The training pipeline, the code bundle it runs by default, its role, the model registry, and the
 * notifications of its executions.
 * Resources of SharedResourcesStack are referenced by their deterministic names (see resourceNames in core/naming.ts), not by
 * CloudFormation exports: the compiled definition names them in plain text anyway, and exports would pin the
 * shared stack (an export in use cannot change).
 */
export class SageMakerPipelineStack extends Stack {
  readonly registry: ModelRegistry;
  readonly codeDeployment: CodeBundleDeployment;
  readonly pipelineRole: PipelineRole;
  readonly trainingPipeline: TrainingPipeline;
  readonly notifications: PipelineNotifications;
  readonly githubDeployAccess?: GithubDeployAccess;

  constructor(scope: Construct, id: string, props: SageMakerPipelineStackProps) {
    super(scope, id, props);
    const { names } = props;
    const jobRole = Role.fromRoleName(this, 'SageMakerExecutionRole', names.sagemakerExecutionRole);
    const modelArtifactsBucket = Bucket.fromBucketName(this, 'ModelArtifactsBucket', names.modelArtifactsBucket);
    const trainingDataBucket = Bucket.fromBucketName(this, 'TrainingDataBucket', names.trainingDataBucket);
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
    this.codeDeployment = new CodeBundleDeployment(this, 'CodeBundle', {
      bucket: trainingDataBucket,
      bundle: props.codeBundle,
      environment: props.environmentPolicy,
    });
    this.trainingPipeline = new TrainingPipeline(this, 'TrainingPipeline', {
      pipelineName: names.pipeline,
      definition: props.pipelineDefinition,
      role: this.pipelineRole,
      deployTimeValues:
        props.mlflowAppArnPlaceholder === undefined
          ? []
          : [{ placeholder: props.mlflowAppArnPlaceholder, value: StringParameter.valueForStringParameter(this, names.mlflowTrackingUriParameter) }],
    });
    // The Register step needs the group the moment an execution reaches it.
    this.trainingPipeline.pipeline.addResourceDependency(this.registry.group);
    // The definition's default CodeUri must hold the code before the first execution can start.
    this.trainingPipeline.pipeline.node.addDependency(this.codeDeployment.deployment);

    this.notifications = new PipelineNotifications(this, 'Notifications', {
      pipelineName: names.pipeline,
      pipelineArn: this.trainingPipeline.pipelineArn,
      region: this.region,
      topic: notificationsTopic,
      statusRuleName: names.pipelineStatusRule,
      stepFailedRuleName: names.pipelineStepFailedRule,
      noCapacityRuleName: names.pipelineNoCapacityRule,
      instanceTypes: props.instanceTypes,
      hasSpotParameter: props.pipelineFacts.parameterNames.includes(USE_SPOT_INSTANCES_PARAMETER),
    });

    if (props.githubRepository !== undefined) {
      this.githubDeployAccess = new GithubDeployAccess(this, 'GithubDeployAccess', {
        repository: props.githubRepository,
        roleName: names.githubDeployRole,
        trainingDataBucket,
        pipelineName: names.pipeline,
        pipelineRole: this.pipelineRole,
        mlflowTrackingUriParameter: names.mlflowTrackingUriParameter,
        inferenceImageProject: names.inferenceImageProject,
        inferenceImageRepository: names.inferenceImageRepository,
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
    new CfnOutput(this, 'CodeVersion', { value: props.codeBundle.version, description: 'Version of training/ deployed with the pipeline: the default of its CodeVersion parameter' });
    new CfnOutput(this, 'CodeUri', { value: trainingDataBucket.s3UrlForObject(this.codeDeployment.keyPrefix), description: 'Where that code is: the default of the CodeUri parameter' });
  }
}

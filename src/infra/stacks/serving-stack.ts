import { deploymentResourcePrefix } from '../../core/deploy/deploy-stage.ts';
import { ArnFormat, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { ServingConfig } from '../../core/config/training-config.ts';
import type { ResourceNames } from '../../core/naming.ts';
import { Deployer } from '../constructs/deployer.ts';
import { EndpointAlarms } from '../constructs/endpoint-alarms.ts';
import { EndpointExecutionRole } from '../constructs/endpoint-execution-role.ts';
import { InferenceImageBuild } from '../constructs/inference-image-build.ts';
import type { EnvironmentPolicy } from '../environment.ts';

export interface ServingStackProps extends StackProps {
  readonly names: ResourceNames;
  /** The project name: the prefix of the models and endpoint configs the deployer creates. */
  readonly projectName: string;
  readonly environmentPolicy: EnvironmentPolicy;
  /** training-config.json's `serving` section; the alarm thresholds are fixed at deploy time. */
  readonly serving: ServingConfig;
}

/**
 * Serving on SageMaker: the inference image (repository and the CodeBuild project that builds it per code
 * version), the role the endpoints run as, the deployer that turns approvals into endpoints, and the production
 * endpoint's rollback alarms. The endpoints themselves are not in the stack: the deployer creates and updates
 * them (a blue/green update is a SageMaker deployment, not a CloudFormation one), under the names resourceNames
 * gives, so that the alarms, the deployer's permissions and the CLI agree on them in advance. Shared resources
 * are referenced by name, as in the other stacks.
 */
export class ServingStack extends Stack {
  readonly image: InferenceImageBuild;
  readonly endpointRole: EndpointExecutionRole;
  readonly alarms: EndpointAlarms;
  readonly deployer: Deployer;

  constructor(scope: Construct, id: string, props: ServingStackProps) {
    super(scope, id, props);
    const { names, environmentPolicy: environment } = props;
    const trainingDataBucket = Bucket.fromBucketName(this, 'TrainingDataBucket', names.trainingDataBucket);
    const modelArtifactsBucket = Bucket.fromBucketName(this, 'ModelArtifactsBucket', names.modelArtifactsBucket);
    // Imported by ARN so that alarm actions leave the topic policy (written in the shared stack) as it is.
    const topic = Topic.fromTopicArn(this, 'NotificationsTopic', this.formatArn({ service: 'sns', resource: names.notificationsTopic, arnFormat: ArnFormat.NO_RESOURCE_NAME }));

    this.image = new InferenceImageBuild(this, 'InferenceImage', {
      repositoryName: names.inferenceImageRepository,
      projectName: names.inferenceImageProject,
      logGroupName: names.inferenceImageLogGroup,
      trainingDataBucket,
      environment,
    });
    this.endpointRole = new EndpointExecutionRole(this, 'EndpointRole', {
      roleName: names.endpointExecutionRole,
      modelArtifactsBucket,
      repository: this.image.repository,
      endpointNames: [names.stagingEndpoint, names.productionEndpoint],
    });
    this.alarms = new EndpointAlarms(this, 'ProductionAlarms', {
      endpointName: names.productionEndpoint,
      errorsAlarmName: names.productionErrorsAlarm,
      latencyAlarmName: names.productionLatencyAlarm,
      errorsPerMinute: props.serving.errors_alarm_count,
      latencyMs: props.serving.latency_alarm_ms,
      topic,
    });
    this.deployer = new Deployer(this, 'Deployer', {
      functionName: names.deployerFunction,
      roleName: names.deployerRole,
      logGroupName: names.deployerLogGroup,
      resourceNamePrefix: deploymentResourcePrefix(props.projectName, 'staging'),
      modelPackageGroupName: names.modelPackageGroup,
      stagingEndpointName: names.stagingEndpoint,
      endpointRole: this.endpointRole,
      trainingDataBucket,
      notificationsTopic: topic,
      notificationsKeyAlias: names.notificationsKeyAlias,
      modelApprovedRuleName: names.modelApprovedRule,
      stagingEndpointStateRuleName: names.stagingEndpointStateRule,
      deadLetterQueueName: names.deployerDeadLetterQueue,
      errorsAlarmName: names.deployerErrorsAlarm,
      deadLettersAlarmName: names.deployerDeadLetterAlarm,
      environment,
    });

    const outputs: Record<string, { value: string; description: string }> = {
      InferenceImageRepositoryUri: { value: this.image.repository.repositoryUri, description: 'The inference images, one tag per code version: <this>:<code version>' },
      InferenceImageProjectName: { value: names.inferenceImageProject, description: 'The CodeBuild project that builds an image per code version (yolops code push --target aws starts it)' },
      EndpointRoleArn: { value: this.endpointRole.roleArn, description: 'The role the SageMaker endpoints run as' },
      StagingEndpointName: { value: names.stagingEndpoint, description: 'Serverless endpoint: every approved version goes here first and is smoke-tested' },
      ProductionEndpointName: { value: names.productionEndpoint, description: 'Real-time endpoint with autoscaling: promoted versions, blue/green with canary and automatic rollback' },
      DeployerFunctionName: { value: this.deployer.function.functionName, description: 'The deployer Lambda (its logs: /aws/lambda/<this>)' },
    };
    for (const [outputId, output] of Object.entries(outputs)) new CfnOutput(this, outputId, output);
  }
}

import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEPLOYER_ENV, type DeployerEnvironment } from '../../deployer/environment.ts';
import { PREFIXES } from '../../core/naming.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import { acknowledge } from '../nag.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { LAMBDA_BUNDLING } from './lambda-bundling.ts';
import { notificationPublishing } from './notification-publishing.ts';

/** The handler source, bundled with esbuild at synth time (no Docker). */
export const DEPLOYER_HANDLER_ENTRY = fileURLToPath(new URL('../../deployer/handler.ts', import.meta.url));

/** SageMaker's event types the deployer reacts to (EventBridge `detail-type`). */
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';
export const ENDPOINT_STATE_CHANGE = 'SageMaker Endpoint State Change';

export interface DeployerProps {
  readonly functionName: string;
  readonly roleName: string;
  readonly logGroupName: string;
  /** Every model and endpoint config the deployer creates is named with this prefix (`{project}-stg-`). */
  readonly resourceNamePrefix: string;
  readonly modelPackageGroupName: string;
  readonly stagingEndpointName: string;
  /** The one role the deployer may pass: the endpoints' execution role. */
  readonly endpointRole: IRole;
  /** Where training-config.json's `serving` section is read at run time. */
  readonly trainingDataBucket: IBucket;
  readonly notificationsTopic: ITopic;
  /** The KMS alias of the topic's key (the key is in another stack, so its id is not known here). */
  readonly notificationsKeyAlias: string;
  readonly modelApprovedRuleName: string;
  readonly stagingEndpointStateRuleName: string;
  readonly deadLetterQueueName: string;
  readonly errorsAlarmName: string;
  readonly deadLettersAlarmName: string;
  readonly environment: EnvironmentPolicy;
}

/**
 * Approval in, endpoints out: an approved model version of the group goes to the serverless staging endpoint,
 * and the staging endpoint's state changes come back to the same function (to smoke-test it once it is in
 * service). Events the function keeps failing on, or that EventBridge cannot deliver, wait in a dead-letter
 * queue; both that and the function's errors raise an alarm on the notifications topic.
 */
export class Deployer extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly deadLetterQueue: Queue;
  readonly modelApprovedRule: Rule;
  readonly stagingEndpointStateRule: Rule;
  readonly errorsAlarm: Alarm;
  readonly deadLettersAlarm: Alarm;

  constructor(scope: Construct, id: string, props: DeployerProps) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.functionName} Lambda: deploys approved versions of ${props.modelPackageGroupName} to the ${props.stagingEndpointName} endpoint and smoke-tests them`,
    });
    this.addPermissions(props);

    this.deadLetterQueue = deadLetterQueue(this, props.deadLetterQueueName, props.environment);
    this.logGroup = new LogGroup(this, 'LogGroup', { logGroupName: props.logGroupName, retention: props.environment.logRetention, removalPolicy: props.environment.removalPolicy });

    const settings: DeployerEnvironment = {
      modelPackageGroup: props.modelPackageGroupName,
      stagingEndpoint: props.stagingEndpointName,
      endpointRoleArn: props.endpointRole.roleArn,
      trainingBucket: props.trainingDataBucket.bucketName,
      configKey: PREFIXES.trainingConfigKey,
      notificationsTopicArn: props.notificationsTopic.topicArn,
    };
    this.function = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: `yolops deployer: approved versions of ${props.modelPackageGroupName} to the SageMaker endpoints`,
      entry: DEPLOYER_HANDLER_ENTRY,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      // The smoke test invokes a serverless endpoint, whose cold start (image pull, model load) can take a minute.
      timeout: Duration.minutes(5),
      role: this.role,
      logGroup: this.logGroup,
      environment: Object.fromEntries((Object.keys(DEPLOYER_ENV) as (keyof DeployerEnvironment)[]).map((key) => [DEPLOYER_ENV[key], settings[key]])),
      // Lambda retries a failed event twice, then puts it here with the error in its attributes.
      retryAttempts: 2,
      deadLetterQueue: this.deadLetterQueue,
      bundling: LAMBDA_BUNDLING,
    });

    const target = new LambdaFunction(this.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(2) });
    this.modelApprovedRule = new Rule(this, 'ModelApprovedRule', {
      ruleName: props.modelApprovedRuleName,
      description: `Deploys a version of ${props.modelPackageGroupName} to ${props.stagingEndpointName} when it is approved`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: [MODEL_PACKAGE_STATE_CHANGE],
        detail: { ModelPackageGroupName: [props.modelPackageGroupName], ModelApprovalStatus: ['Approved'] },
      },
      targets: [target],
    });
    this.stagingEndpointStateRule = new Rule(this, 'StagingEndpointStateRule', {
      ruleName: props.stagingEndpointStateRuleName,
      description: `Tells the deployer when ${props.stagingEndpointName} changes state (in service: smoke test; failed: report)`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: [ENDPOINT_STATE_CHANGE],
        detail: { EndpointName: [props.stagingEndpointName] },
      },
      targets: [target],
    });

    const common = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No approvals means no invocations: silence, not an alarm.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };
    const period = Duration.minutes(5);
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      ...common,
      alarmName: props.errorsAlarmName,
      alarmDescription: `The deployer Lambda failed (Lambda retries it twice); see ${props.logGroupName}.`,
      metric: this.function.metricErrors({ period, statistic: 'Sum' }),
    });
    this.deadLettersAlarm = new Alarm(this, 'DeadLettersAlarm', {
      ...common,
      alarmName: props.deadLettersAlarmName,
      alarmDescription: `Approval or endpoint events the deployer could not handle are in ${props.deadLetterQueueName}: an approved version may not be deployed. The log group says why.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    });
    const action = new SnsAction(props.notificationsTopic);
    for (const alarm of [this.errorsAlarm, this.deadLettersAlarm]) alarm.addAlarmAction(action);
  }

  /**
   * What the deployer calls, each on this project's resources only: the staging models, endpoint configs and
   * endpoint; the one role it passes; its config, topic and logs. Production is not among them: promoting a version
   * is a person's decision, made with their own credentials (`yolops models promote --target aws`).
   */
  private addPermissions(props: DeployerProps): void {
    const stack = Stack.of(this);
    const sm = (resource: string, resourceName: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName });
    const models = sm('model', `${props.resourceNamePrefix}*`);
    const endpointConfigs = sm('endpoint-config', `${props.resourceNamePrefix}*`);
    const staging = sm('endpoint', props.stagingEndpointName);
    const modelPackages = sm('model-package', `${props.modelPackageGroupName}/*`);
    const logStreams = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${props.logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const notifications = notificationPublishing(stack, props.notificationsTopic, props.notificationsKeyAlias);

    const statements = [
      new PolicyStatement({ sid: 'ManageModels', actions: ['sagemaker:CreateModel', 'sagemaker:DeleteModel', 'sagemaker:DescribeModel'], resources: [models] }),
      new PolicyStatement({
        sid: 'ManageEndpointConfigs',
        actions: ['sagemaker:CreateEndpointConfig', 'sagemaker:DeleteEndpointConfig', 'sagemaker:DescribeEndpointConfig'],
        resources: [endpointConfigs],
      }),
      // CreateEndpoint and UpdateEndpoint authorize the endpoint config they name as well as the endpoint; a Failed
      // staging endpoint is deleted and created again.
      new PolicyStatement({ sid: 'DeployStaging', actions: ['sagemaker:CreateEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DeleteEndpoint'], resources: [staging, endpointConfigs] }),
      new PolicyStatement({ sid: 'FollowStaging', actions: ['sagemaker:DescribeEndpoint'], resources: [staging] }),
      new PolicyStatement({ sid: 'TagDeployedResources', actions: ['sagemaker:AddTags', 'sagemaker:ListTags'], resources: [models, endpointConfigs, staging] }),
      new PolicyStatement({ sid: 'ReadModelVersions', actions: ['sagemaker:DescribeModelPackage'], resources: [modelPackages] }),
      // The List actions take no resource; cleaning up filters their answers by the stage's prefix.
      new PolicyStatement({ sid: 'ListDeployedResources', actions: ['sagemaker:ListModels', 'sagemaker:ListEndpointConfigs', 'sagemaker:ListModelPackages'], resources: ['*'] }),
      new PolicyStatement({ sid: 'SmokeTestStaging', actions: ['sagemaker:InvokeEndpoint'], resources: [staging] }),
      new PolicyStatement({
        sid: 'PassEndpointRole',
        actions: ['iam:PassRole'],
        resources: [props.endpointRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
      new PolicyStatement({ sid: 'ReadServingConfig', actions: ['s3:GetObject'], resources: [props.trainingDataBucket.arnForObjects(PREFIXES.trainingConfigKey)] }),
      ...notifications.statements,
      new PolicyStatement({ sid: 'WriteFunctionLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logStreams] }),
    ];
    for (const statement of statements) this.role.addToPolicy(statement);

    const policy = this.role.node.findChild('DefaultPolicy');
    const why: [string, string][] = [
      [models, `The deployer creates one SageMaker model per deployed version, named at run time with this project's ${props.resourceNamePrefix} prefix; the pattern covers those only.`],
      [endpointConfigs, `The deployer creates one endpoint config per deployment, named at run time with this project's ${props.resourceNamePrefix} prefix; the pattern covers those only.`],
      [modelPackages, `A model package's ARN ends in its version number, assigned when the pipeline registers it; the pattern covers the versions of ${props.modelPackageGroupName} only.`],
      [logStreams, `Lambda creates a new log stream in ${props.logGroupName} for each execution environment, with a name that is not known in advance.`],
      [notifications.anyKey, notifications.why],
    ];
    for (const [resource, reason] of why) acknowledge(policy, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
    acknowledge(policy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Publishing to the KMS-encrypted notifications topic makes SNS ask for a data key of either kind on the publisher\'s behalf; the grant holds for that topic\'s one key only.');
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      'ListModels, ListEndpointConfigs and ListModelPackages take no resource (IAM has no resource type for them); the deployer reads only the names under its prefix from their answers.',
    );
  }
}

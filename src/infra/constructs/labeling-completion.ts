import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PREFIXES } from '../../core/naming.ts';
import { LABELING_COMPLETION_ENV, type LabelingCompletionEnvironment } from '../../labeling/environment.ts';
import { LABELING_JOB_STATE_CHANGE } from '../../labeling/events.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import { acknowledge, acknowledgeBucketGrants } from '../nag.ts';
import { deadLetterQueue } from './dead-letter-queue.ts';
import { LAMBDA_BUNDLING } from './lambda-bundling.ts';
import { notificationPublishing } from './notification-publishing.ts';

/** The handler source, bundled with esbuild at synth time (no Docker). */
export const LABELING_COMPLETION_HANDLER_ENTRY = fileURLToPath(new URL('../../labeling/handler.ts', import.meta.url));

/** The job states the rule sends: Completed becomes a labelled-data version, Failed and Stopped a message. */
export const LABELING_END_STATES = ['Completed', 'Failed', 'Stopped'] as const;

export interface LabelingCompletionProps {
  readonly projectName: string;
  readonly functionName: string;
  readonly roleName: string;
  readonly logGroupName: string;
  readonly trainingDataBucket: IBucket;
  readonly notificationsTopic: ITopic;
  /** The KMS alias of the topic's key (the key is in another stack, so its id is not known here). */
  readonly notificationsKeyAlias: string;
  readonly ruleName: string;
  readonly deadLetterQueueName: string;
  readonly errorsAlarmName: string;
  readonly environment: EnvironmentPolicy;
}

/**
 * Ground Truth in, labelled data out: EventBridge sends the end of this project's labeling jobs (jobs named
 * `<project>-...`) to a function that copies a completed job's output manifest and images into
 * `labeled-data/<job>/` and writes the upload marker last, so the S3 trigger starts one training. Events it keeps
 * failing on, or that EventBridge cannot deliver, wait in a dead-letter queue; one alarm on the notifications topic
 * fires for either.
 */
export class LabelingCompletion extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  readonly deadLetterQueue: Queue;
  readonly rule: Rule;
  readonly errorsAlarm: Alarm;

  constructor(scope: Construct, id: string, props: LabelingCompletionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.functionName} Lambda: copies completed Ground Truth jobs of ${props.projectName} to ${PREFIXES.labeledData}`,
    });
    this.deadLetterQueue = deadLetterQueue(this, props.deadLetterQueueName, props.environment);
    this.logGroup = new LogGroup(this, 'LogGroup', { logGroupName: props.logGroupName, retention: props.environment.logRetention, removalPolicy: props.environment.removalPolicy });
    this.addPermissions(props);

    const settings: LabelingCompletionEnvironment = {
      projectName: props.projectName,
      trainingBucket: props.trainingDataBucket.bucketName,
      notificationsTopicArn: props.notificationsTopic.topicArn,
    };
    this.function = new NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: `yolops labeling completion: completed Ground Truth jobs of ${props.projectName} to ${PREFIXES.labeledData}<job>/`,
      entry: LABELING_COMPLETION_HANDLER_ENTRY,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      // A job's output manifest is read whole: up to 100,000 lines of boxes.
      memorySize: 1024,
      // Up to 100,000 server-side copies, 16 at a time.
      timeout: Duration.minutes(15),
      role: this.role,
      logGroup: this.logGroup,
      environment: Object.fromEntries((Object.keys(LABELING_COMPLETION_ENV) as (keyof LabelingCompletionEnvironment)[]).map((key) => [LABELING_COMPLETION_ENV[key], settings[key]])),
      // Lambda retries a failed event twice, then puts it here with the error in its attributes.
      retryAttempts: 2,
      deadLetterQueue: this.deadLetterQueue,
      bundling: LAMBDA_BUNDLING,
    });

    this.rule = new Rule(this, 'StateRule', {
      ruleName: props.ruleName,
      description: `Sends the end (${LABELING_END_STATES.join(', ')}) of ${props.projectName}'s Ground Truth labeling jobs to ${props.functionName}`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: [LABELING_JOB_STATE_CHANGE],
        // The detail holds only the status; the job is the event's one resource, its ARN ending in the job name.
        resources: Match.prefix(stack.formatArn({ service: 'sagemaker', resource: 'labeling-job', resourceName: `${props.projectName}-` })),
        detail: { LabelingJobStatus: [...LABELING_END_STATES] },
      },
      targets: [new LambdaFunction(this.function, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(2) })],
    });

    const period = Duration.minutes(5);
    this.errorsAlarm = new Alarm(this, 'ErrorsAlarm', {
      alarmName: props.errorsAlarmName,
      alarmDescription: `The labeling completion failed (Lambda retries it twice), or events it could not handle wait in ${props.deadLetterQueueName}: a completed labeling job may not have started a training. See ${props.logGroupName}.`,
      metric: new MathExpression({
        expression: 'FILL(errors, 0) + FILL(deadLetters, 0)',
        usingMetrics: {
          errors: this.function.metricErrors({ period, statistic: 'Sum' }),
          deadLetters: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
        },
        period,
        label: 'failed invocations + dead letters',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No labeling job ending means no invocations: silence, not an alarm.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.errorsAlarm.addAlarmAction(new SnsAction(props.notificationsTopic));
  }

  /** What the completion calls: this project's labeling jobs, the three prefixes it reads or writes, its topic and logs. */
  private addPermissions(props: LabelingCompletionProps): void {
    const stack = Stack.of(this);
    const bucket = props.trainingDataBucket;
    const jobs = stack.formatArn({ service: 'sagemaker', resource: 'labeling-job', resourceName: `${props.projectName}-*` });
    const logStreams = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${props.logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const notifications = notificationPublishing(stack, props.notificationsTopic, props.notificationsKeyAlias);
    // raw-images/ and labeling/ are copy sources; labeled-data/ is read back (listing, the marker) and written.
    const reads = [`${PREFIXES.rawImages}*`, `${PREFIXES.labeling}*`, `${PREFIXES.labeledData}*`];
    for (const key of reads) bucket.grantRead(this.role, key);
    const statements = [
      new PolicyStatement({ sid: 'DescribeLabelingJobs', actions: ['sagemaker:DescribeLabelingJob'], resources: [jobs] }),
      new PolicyStatement({ sid: 'WriteLabeledData', actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${PREFIXES.labeledData}*`)] }),
      ...notifications.statements,
      new PolicyStatement({ sid: 'WriteFunctionLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logStreams] }),
    ];
    for (const statement of statements) this.role.addToPolicy(statement);

    const policy = this.role.node.findChild('DefaultPolicy');
    acknowledgeBucketGrants(policy, 'the labeling completion', [{ bucket, keys: reads, access: 'read' }]);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${jobs}]`, `Labeling jobs are named at run time by yolops label start, always starting with "${props.projectName}-"; the pattern covers this project's jobs only.`);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${logStreams}]`, `Lambda creates a new log stream in ${props.logGroupName} for each execution environment, with a name that is not known in advance.`);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${notifications.anyKey}]`, notifications.why);
    acknowledge(policy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Publishing to the KMS-encrypted notifications topic makes SNS ask for a data key of either kind on the publisher\'s behalf; the grant holds for that topic\'s one key only.');
  }
}

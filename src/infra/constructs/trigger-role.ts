import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { PREFIXES } from '../../core/naming.ts';
import { acknowledge, acknowledgeBucketGrants } from '../nag.ts';

export interface TriggerRoleProps {
  readonly roleName: string;
  /** The bucket whose dataset uploads the trigger receives; the role may read the datasets and the config there. */
  readonly trainingDataBucket: IBucket;
  /** The one pipeline the trigger may start (a name, so that this role does not depend on the pipeline stack). */
  readonly pipelineName: string;
  /** The trigger function's log group (created with this name by the trigger stack). */
  readonly logGroupName: string;
  /** Where the trigger tells people what it did (its KMS key is granted with it). */
  readonly notificationsTopic: ITopic;
  /** The trigger's queue, by name (created by the trigger stack): the function reads it and schedules rechecks on it. */
  readonly queueName: string;
}

/**
 * The role the S3 training trigger Lambda runs as: read the uploaded datasets and the config, write its own
 * claims and reports (write without delete), start the one pipeline, publish to the notifications topic,
 * consume its queue and write its logs. The trigger stack imports it immutable, so every permission the
 * function needs is here, including those CDK's event source would otherwise add to the role.
 */
export class TriggerRole extends Role {
  constructor(scope: Construct, id: string, props: TriggerRoleProps) {
    super(scope, id, {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the S3 training trigger Lambda: validates uploaded datasets, claims and starts the training pipeline, reports',
    });
    const stack = Stack.of(this);
    const logStreams = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${props.logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // labeled-data/: the listing and the first bytes of its .json files, to tell an export's format.
    const reads = [`${PREFIXES.splitDataset}*`, `${PREFIXES.sampleDataset}*`, `${PREFIXES.labeledData}*`, PREFIXES.trainingConfigKey, `${PREFIXES.trigger}*`];
    for (const key of reads) props.trainingDataBucket.grantRead(this, key);
    // Claims, reports and notices: small objects the trigger creates and updates, never deletes.
    this.addToPolicy(
      new PolicyStatement({
        sid: 'WriteTriggerRecords',
        actions: ['s3:PutObject'],
        resources: [props.trainingDataBucket.arnForObjects(`${PREFIXES.trigger}*`)],
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'SeeMultipartUploadsInProgress',
        actions: ['s3:ListBucketMultipartUploads'],
        resources: [props.trainingDataBucket.bucketArn],
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'StartTrainingPipeline',
        actions: ['sagemaker:StartPipelineExecution'],
        resources: [stack.formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: props.pipelineName })],
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'ConsumeAndRecheckTriggerQueue',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
        resources: [stack.formatArn({ service: 'sqs', resource: props.queueName, arnFormat: ArnFormat.NO_RESOURCE_NAME })],
      }),
    );
    props.notificationsTopic.grantPublish(this);
    this.addToPolicy(
      new PolicyStatement({
        sid: 'WriteFunctionLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logStreams],
      }),
    );

    const policy = this.node.findChild('DefaultPolicy');
    acknowledgeBucketGrants(policy, 'the training trigger, which validates an uploaded dataset and records what it did with it,', [
      { bucket: props.trainingDataBucket, keys: reads, access: 'read' },
      { bucket: props.trainingDataBucket, keys: [`${PREFIXES.trigger}*`], access: 'write' },
    ]);
    acknowledge(policy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', 'Publishing to the KMS-encrypted notifications topic makes SNS ask for a data key on the publisher\'s behalf; the grant (from Topic.grantPublish) is on that topic\'s one key only.');
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${logStreams}]`, `Lambda creates a new log stream in ${props.logGroupName} for each execution environment, with a name that is not known in advance.`);
  }
}

import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
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
}

/**
 * The role the S3 training trigger Lambda runs as: read the uploaded datasets and the config, start the one
 * pipeline, write its logs. The placeholder handler uses none of it yet; the permissions are those the trigger
 * needs, so that deploying its handler changes no IAM.
 */
export class TriggerRole extends Role {
  constructor(scope: Construct, id: string, props: TriggerRoleProps) {
    super(scope, id, {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the S3 training trigger Lambda: reads uploaded datasets and the config, starts the training pipeline',
    });
    const stack = Stack.of(this);
    const logStreams = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${props.logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const keys = [`${PREFIXES.splitDataset}*`, `${PREFIXES.sampleDataset}*`, PREFIXES.trainingConfigKey];
    for (const key of keys) props.trainingDataBucket.grantRead(this, key);
    this.addToPolicy(
      new PolicyStatement({
        sid: 'StartTrainingPipeline',
        actions: ['sagemaker:StartPipelineExecution'],
        resources: [stack.formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: props.pipelineName })],
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'WriteFunctionLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logStreams],
      }),
    );

    const policy = this.node.findChild('DefaultPolicy');
    acknowledgeBucketGrants(policy, 'the training trigger, which validates an uploaded dataset before it starts a training,', [
      { bucket: props.trainingDataBucket, keys, access: 'read' },
    ]);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${logStreams}]`, `Lambda creates a new log stream in ${props.logGroupName} for each execution environment, with a name that is not known in advance.`);
  }
}

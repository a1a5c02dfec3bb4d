import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PREFIXES } from '../../core/naming.ts';
import { acknowledge, acknowledgeBucketGrants } from '../nag.ts';

export interface LabelingJobRoleProps {
  readonly roleName: string;
  readonly trainingDataBucket: IBucket;
}

/**
 * The role Ground Truth labeling jobs run as (CreateLabelingJob's RoleArn), as the developer guide's "Built-In Task
 * Types (Non-streaming) Execution Role Requirements" describes it, narrowed to this project: it reads the images
 * under raw-images/ and the job's files under labeling/ (input manifest, label categories, worker template, and
 * its own output while it consolidates), writes the output under labeling/, and writes the job's logs and metrics.
 * The built-in PRE-/ACS-BoundingBox functions are AWS's own and need no invoke permission here. The training bucket
 * is SSE-S3 encrypted, so no KMS key is involved.
 */
export class LabelingJobRole extends Role {
  constructor(scope: Construct, id: string, props: LabelingJobRoleProps) {
    super(scope, id, {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Runs the Ground Truth labeling jobs of yolops label start: reads ${PREFIXES.rawImages} and ${PREFIXES.labeling}, writes ${PREFIXES.labeling}`,
    });
    const stack = Stack.of(this);
    const bucket = props.trainingDataBucket;
    const reads = [`${PREFIXES.rawImages}*`, `${PREFIXES.labeling}*`];
    const writes = `${PREFIXES.labeling}*`;
    for (const key of reads) bucket.grantRead(this, key);
    this.addToPolicy(new PolicyStatement({ sid: 'WriteLabelingOutput', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [bucket.arnForObjects(writes)] }));
    const logGroup = (streams: boolean) =>
      stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/sagemaker/LabelingJobs${streams ? ':*' : ''}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.addToPolicy(
      new PolicyStatement({
        sid: 'WriteLabelingLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [logGroup(false), logGroup(true)],
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'PublishLabelingMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
      }),
    );

    const policy = this.node.findChild('DefaultPolicy');
    acknowledgeBucketGrants(policy, 'the Ground Truth labeling jobs', [{ bucket, keys: reads, access: 'read' }]);
    acknowledge(policy, `AwsSolutions-IAM5[Resource::${logGroup(true)}]`, 'Ground Truth writes one log stream per labeling job into the /aws/sagemaker/LabelingJobs log group; the streams do not exist before the jobs run.');
    acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', 'The cloudwatch:PutMetricData action has no resource-level permissions; the labeling jobs\' metrics are limited to the /aws/sagemaker/* namespaces by condition.');
  }
}

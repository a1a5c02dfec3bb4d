import { ArnFormat, Stack } from 'aws-cdk-lib';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PREFIXES } from '../../core/naming.ts';
import { acknowledge, acknowledgeBucketGrants } from '../nag.ts';

/** The CloudWatch namespace of an endpoint's instance metrics (CPU, memory, disk), published with the role. */
const ENDPOINT_INSTANCE_METRICS_NAMESPACE = '/aws/sagemaker/Endpoints';

export interface EndpointExecutionRoleProps {
  readonly roleName: string;
  /** Model archives (`pipelines/{execution}/.../model.tar.gz`) are read and data capture written here. */
  readonly modelArtifactsBucket: IBucket;
  /** The repository of the inference image the endpoints run. */
  readonly repository: IRepository;
  /** The endpoints that run as this role (their log groups are `/aws/sagemaker/Endpoints/{name}`). */
  readonly endpointNames: readonly string[];
}

/**
 * The role every yolops SageMaker model (and so every endpoint) runs as: SageMaker downloads the model archive and
 * pulls the inference image with it, the container writes its logs and instance metrics, and data capture
 * writes sampled requests and responses. It can read models but never change or delete one, and add captures
 * but never delete one. The buckets are SSE-S3 encrypted (SecureBucket), so no KMS permission is needed.
 */
export class EndpointExecutionRole extends Role {
  constructor(scope: Construct, id: string, props: EndpointExecutionRoleProps) {
    super(scope, id, {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Runs the yolops SageMaker endpoints: reads model archives, pulls the inference image, writes logs and data capture',
    });
    const stack = Stack.of(this);
    const bucket = props.modelArtifactsBucket;
    const models = `${PREFIXES.pipelines}*`;
    const captures = `${PREFIXES.dataCapture}*`;
    const logGroups = props.endpointNames.flatMap((name) => {
      const group = `/aws/sagemaker/Endpoints/${name}`;
      return [group, `${group}:*`].map((resourceName) => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }));
    });

    this.addToPolicy(new PolicyStatement({ sid: 'ReadModelArchives', actions: ['s3:GetObject'], resources: [bucket.arnForObjects(models)] }));
    // Data capture adds objects; versioning keeps anything it would overwrite.
    this.addToPolicy(new PolicyStatement({ sid: 'WriteDataCapture', actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [bucket.arnForObjects(captures)] }));
    this.addToPolicy(new PolicyStatement({ sid: 'LogInToEcr', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    this.addToPolicy(
      new PolicyStatement({
        sid: 'PullInferenceImage',
        actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        resources: [props.repository.repositoryArn],
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'WriteEndpointLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: logGroups,
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'PublishEndpointMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': ENDPOINT_INSTANCE_METRICS_NAMESPACE } },
      }),
    );

    const policy = this.node.findChild('DefaultPolicy');
    acknowledgeBucketGrants(policy, 'the SageMaker endpoints, which load the model archive of the version they serve and capture requests,', [
      { bucket, keys: [models, captures], access: 'write' },
    ]);
    for (const streams of logGroups.filter((arn) => arn.endsWith(':*'))) {
      acknowledge(policy, `AwsSolutions-IAM5[Resource::${streams}]`, 'SageMaker writes one log stream per endpoint instance and variant, named after the instance, which is not known before the endpoint runs.');
    }
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      `Neither ecr:GetAuthorizationToken (the registry login before the image pull) nor cloudwatch:PutMetricData supports resource-level permissions; the metrics are limited to the ${ENDPOINT_INSTANCE_METRICS_NAMESPACE} namespace by condition.`,
    );
  }
}

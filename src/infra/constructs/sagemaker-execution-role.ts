import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PREFIXES } from '../../core/naming.ts';
import { acknowledge, acknowledgeBucketGrants } from '../nag.ts';
import type { EcrRepositoryReference } from '../compiled-pipeline-facts.ts';

export interface SageMakerExecutionRoleProps {
  readonly roleName: string;
  /** Datasets and the code bundle are read from here. */
  readonly trainingDataBucket: IBucket;
  /** Model artifacts, evaluation reports and spot checkpoints are written here. */
  readonly modelArtifactsBucket: IBucket;
  /** The MLflow client in the jobs uploads run artifacts straight to the artifact store. */
  readonly mlflowArtifactsBucket: IBucket;
  readonly mlflowTrackingServerArn: string;
  /** The repositories of the images the pipeline's jobs run (from the compiled definition). */
  readonly imageRepositories: readonly EcrRepositoryReference[];
}

/** The role SageMaker training and processing jobs run as: what train.py and evaluate.py may touch. */
export class SageMakerExecutionRole extends Role {
  constructor(scope: Construct, id: string, props: SageMakerExecutionRoleProps) {
    super(scope, id, {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Runs the training and evaluation jobs of the yolops pipeline',
    });
    const stack = Stack.of(this);
    const logGroupArn = (kind: string, streams = true) =>
      stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `/aws/sagemaker/${kind}${streams ? ':*' : ''}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });

    const reads = [PREFIXES.splitDataset, PREFIXES.sampleDataset, PREFIXES.code].map((p) => `${p}*`);
    const writes = [PREFIXES.pipelines, PREFIXES.checkpoints].map((p) => `${p}*`);
    const mlflowKeys = [`${PREFIXES.mlflowArtifacts}*`];
    for (const key of reads) props.trainingDataBucket.grantRead(this, key);
    for (const key of writes) props.modelArtifactsBucket.grantReadWrite(this, key);
    for (const key of mlflowKeys) props.mlflowArtifactsBucket.grantReadWrite(this, key);

    this.addToPolicy(
      new PolicyStatement({
        sid: 'TrackExperiments',
        actions: ['sagemaker-mlflow:*', 'sagemaker:DescribeMlflowTrackingServer'],
        resources: [props.mlflowTrackingServerArn],
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'WriteJobLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        // The group itself (CreateLogGroup on first use in the account) and its streams.
        resources: ['TrainingJobs', 'ProcessingJobs'].flatMap((kind) => [logGroupArn(kind, false), logGroupArn(kind)]),
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'PublishJobMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
      }),
    );
    this.addToPolicy(new PolicyStatement({ sid: 'LogInToEcr', actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    if (props.imageRepositories.length > 0) {
      this.addToPolicy(
        new PolicyStatement({
          sid: 'PullJobImages',
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          resources: props.imageRepositories.map((r) =>
            stack.formatArn({ service: 'ecr', account: r.account, region: r.region, resource: 'repository', resourceName: r.repositoryName }),
          ),
        }),
      );
    }

    const policy = this.node.findChild('DefaultPolicy');
    acknowledgeBucketGrants(policy, 'the training and evaluation jobs', [
      { bucket: props.trainingDataBucket, keys: reads, access: 'read' },
      { bucket: props.modelArtifactsBucket, keys: writes, access: 'read-write' },
      { bucket: props.mlflowArtifactsBucket, keys: mlflowKeys, access: 'read-write' },
    ]);
    for (const kind of ['TrainingJobs', 'ProcessingJobs']) {
      acknowledge(
        policy,
        `AwsSolutions-IAM5[Resource::${logGroupArn(kind)}]`,
        `SageMaker writes each job's log stream, named after the job, into the /aws/sagemaker/${kind} log group; the streams do not exist before the jobs run.`,
      );
    }
    acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', 'Neither ecr:GetAuthorizationToken (the registry login before an image pull) nor cloudwatch:PutMetricData supports resource-level permissions; the metrics are limited to the /aws/sagemaker/* namespaces by condition.');
    acknowledge(policy, 'AwsSolutions-IAM5[Action::sagemaker-mlflow:*]', 'The MLflow client calls many sagemaker-mlflow actions (runs, metrics, params, logged models) that change with MLflow releases; every one is limited to this project\'s single tracking server ARN.');
  }
}

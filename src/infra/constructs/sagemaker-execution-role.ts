import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { MlflowKind } from '../../core/config/cdk-context.ts';
import { PREFIXES } from '../../core/naming.ts';
import { acknowledge, acknowledgeBucketGrants } from '../nag.ts';
import type { EcrRepositoryReference } from '../compiled-pipeline-facts.ts';

export interface SageMakerExecutionRoleProps {
  readonly roleName: string;
  /** Datasets, labelled exports and the code bundle are read from here. */
  readonly trainingDataBucket: IBucket;
  /** Model artifacts, evaluation reports and spot checkpoints are written here. */
  readonly modelArtifactsBucket: IBucket;
  /** The MLflow client in the jobs uploads run artifacts straight to the artifact store. */
  readonly mlflowArtifactsBucket: IBucket;
  /** The MLflow the jobs log to: its kind and its ARN (their MLFLOW_TRACKING_URI). */
  readonly mlflow: { readonly kind: MlflowKind; readonly arn: string };
  /** The repositories of the images the pipeline's jobs run (from the compiled definition). */
  readonly imageRepositories: readonly EcrRepositoryReference[];
}

/**
 * The MLflow REST calls train.py and evaluate.py make (training/yolops_training/mlflow_tracking.py): find or
 * create the experiment, create or continue the run, log params and metrics in batches, read back the metric
 * history after a spot restart, end the run. Artifacts go straight to S3, not through these. The names are those
 * of the MLflow REST API, which sagemaker-mlflow authorizes one by one; AWS's managed policy
 * AmazonSageMakerModelCustomizationCoreAccess grants the same names on MLflow Apps ("AWS managed policies for
 * Amazon SageMaker AI model customization", SageMaker developer guide).
 */
export const MLFLOW_CLIENT_ACTIONS = [
  'SearchExperiments', 'GetExperimentByName', 'CreateExperiment', 'CreateRun', 'GetRun', 'UpdateRun', 'LogBatch', 'GetMetricHistory',
].map((action) => `sagemaker-mlflow:${action}`);

/**
 * What the MLflow client needs on the resource it logs to. A tracking server authorizes each call as its
 * sagemaker-mlflow action. For an MLflow App the sagemaker-mlflow plugin (0.5.0 in training/requirements.txt,
 * auth_provider.py since 0.2.0) signs the calls for the `sagemaker` service, which allows them with
 * sagemaker:CallMlflowAppApi on the App's ARN. Verified on 2 December 2026 against: the plugin's source
 * (github.com/aws/sagemaker-mlflow); "Set up IAM permissions for MLflow Apps" in the SageMaker developer guide
 * (docs.aws.amazon.com/sagemaker/latest/dg/mlflow-app-setup-prerequisites-iam.html), which asks for
 * authorization of the sagemaker-mlflow actions too; and the managed policy above, which grants
 * sagemaker:CallMlflowAppApi and the sagemaker-mlflow actions on mlflow-app ARNs. Both go to this one App.
 */
function mlflowClientActions(kind: MlflowKind): string[] {
  return kind === 'app' ? ['sagemaker:CallMlflowAppApi', ...MLFLOW_CLIENT_ACTIONS] : MLFLOW_CLIENT_ACTIONS;
}

/**
 * Object writes without the CDK grants' s3:DeleteObject* and object-lock actions. SageMaker uploads the
 * model, the evaluation report and checkpoints with PutObject (CreateMultipartUpload, UploadPart and
 * CompleteMultipartUpload of a large file are authorized as s3:PutObject) and gives up a failed multipart
 * upload with s3:AbortMultipartUpload. The buckets are versioned, so a write over an existing key keeps the
 * old version until the noncurrent-version lifecycle rule expires it.
 */
const WRITE_OBJECTS = ['s3:PutObject', 's3:AbortMultipartUpload'];

/**
 * The checkpoint sync also deletes: "If a checkpoint is deleted in the SageMaker AI container, it will also be
 * deleted in the S3 folder" ("Checkpoints in Amazon SageMaker AI", SageMaker developer guide), and the job
 * replaces its checkpoint files through temporary names. s3:DeleteObject alone on a versioned bucket only adds a
 * delete marker; s3:DeleteObjectVersion, which would destroy a version, is not granted.
 */
const SYNC_CHECKPOINTS = [...WRITE_OBJECTS, 's3:DeleteObject'];

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

    // labeled-data/: the Preprocess processing job reads a labelled export to convert it.
    const reads = [PREFIXES.splitDataset, PREFIXES.sampleDataset, PREFIXES.labeledData, PREFIXES.code].map((p) => `${p}*`);
    const runOutputs = `${PREFIXES.pipelines}*`;
    const checkpoints = `${PREFIXES.checkpoints}*`;
    const mlflowKeys = `${PREFIXES.mlflowArtifacts}*`;
    for (const key of reads) props.trainingDataBucket.grantRead(this, key);
    // The evaluation reads the trained model back, and a restarted spot job its checkpoints.
    for (const key of [runOutputs, checkpoints]) props.modelArtifactsBucket.grantRead(this, key);
    // A job can add a model or a report, never delete one of any execution: the registry points at them.
    this.addToPolicy(new PolicyStatement({ sid: 'WriteRunOutputs', actions: WRITE_OBJECTS, resources: [props.modelArtifactsBucket.arnForObjects(runOutputs)] }));
    this.addToPolicy(new PolicyStatement({ sid: 'SyncCheckpoints', actions: SYNC_CHECKPOINTS, resources: [props.modelArtifactsBucket.arnForObjects(checkpoints)] }));
    // The MLflow client only uploads run artifacts (mlflow_tracking.py logs, never downloads).
    this.addToPolicy(new PolicyStatement({ sid: 'UploadRunArtifacts', actions: WRITE_OBJECTS, resources: [props.mlflowArtifactsBucket.arnForObjects(mlflowKeys)] }));

    this.addToPolicy(new PolicyStatement({ sid: 'TrackExperiments', actions: mlflowClientActions(props.mlflow.kind), resources: [props.mlflow.arn] }));
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
      // Read and written (WriteRunOutputs, SyncCheckpoints): the same key patterns, the read families to acknowledge.
      { bucket: props.modelArtifactsBucket, keys: [runOutputs, checkpoints], access: 'read' },
      { bucket: props.mlflowArtifactsBucket, keys: [mlflowKeys], access: 'write' },
    ]);
    for (const kind of ['TrainingJobs', 'ProcessingJobs']) {
      acknowledge(
        policy,
        `AwsSolutions-IAM5[Resource::${logGroupArn(kind)}]`,
        `SageMaker writes each job's log stream, named after the job, into the /aws/sagemaker/${kind} log group; the streams do not exist before the jobs run.`,
      );
    }
    acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', 'Neither ecr:GetAuthorizationToken (the registry login before an image pull) nor cloudwatch:PutMetricData supports resource-level permissions; the metrics are limited to the /aws/sagemaker/* namespaces by condition.');
  }
}

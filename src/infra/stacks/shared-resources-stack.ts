import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpMethods } from 'aws-cdk-lib/aws-s3';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config.ts';
import { AccessLogsBucket } from '../constructs/access-logs-bucket.ts';
import { MlflowApp } from '../constructs/mlflow-app.ts';
import type { SageMakerMlflow } from '../constructs/mlflow-artifact-store-role.ts';
import { MlflowTrackingServer } from '../constructs/mlflow-tracking-server.ts';
import { NotificationsTopic } from '../constructs/notifications-topic.ts';
import { SageMakerExecutionRole } from '../constructs/sagemaker-execution-role.ts';
import { SecureBucket } from '../constructs/secure-bucket.ts';
import { TriggerRole } from '../constructs/trigger-role.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import { PREFIXES, type ResourceNames } from '../../core/naming.ts';
import type { EcrRepositoryReference } from '../compiled-pipeline-facts.ts';

export interface SharedResourcesStackProps extends StackProps {
  readonly config: InfraConfig;
  readonly names: ResourceNames;
  readonly environmentPolicy: EnvironmentPolicy;
  /** The repositories of the images the pipeline's jobs run; the SageMaker role may pull from these only. */
  readonly imageRepositories: readonly EcrRepositoryReference[];
}

/**
 * Buckets, the notifications topic, the roles and the MLflow (an App or a tracking server, as cdk.json's
 * `mlflow` says) the other stacks build on.
 */
export class SharedResourcesStack extends Stack {
  readonly accessLogsBucket: AccessLogsBucket;
  readonly trainingDataBucket: SecureBucket;
  readonly modelArtifactsBucket: SecureBucket;
  readonly mlflowArtifactsBucket: SecureBucket;
  readonly notifications: NotificationsTopic;
  readonly mlflow: MlflowApp | MlflowTrackingServer;
  readonly sagemakerExecutionRole: SageMakerExecutionRole;
  readonly triggerRole: TriggerRole;

  constructor(scope: Construct, id: string, props: SharedResourcesStackProps) {
    super(scope, id, props);
    const { names, environmentPolicy: environment } = props;
    const { context } = props.config;

    this.accessLogsBucket = new AccessLogsBucket(this, 'AccessLogsBucket', { bucketName: names.accessLogsBucket, environment });
    const accessLogsBucket = this.accessLogsBucket;
    // The model-build CI's artifacts bucket lives in ModelBuildStack and logs here.
    if (context.model_build !== undefined) accessLogsBucket.allowLogsFrom(names.modelBuildArtifactsBucket);
    this.trainingDataBucket = new SecureBucket(this, 'TrainingDataBucket', {
      bucketName: names.trainingDataBucket,
      accessLogsBucket,
      environment,
      eventBridgeEnabled: true,
    });
    // Ground Truth's worker UI loads the images to label (raw-images/) from the browser with presigned GETs; it
    // needs this CORS rule on the bucket or the labeling tasks fail ("CORS Permission Requirement", SageMaker
    // developer guide). GET only, and only a presigned URL reaches an object: the bucket blocks public access.
    this.trainingDataBucket.addCorsRule({ allowedMethods: [HttpMethods.GET], allowedOrigins: ['*'], exposedHeaders: ['Access-Control-Allow-Origin'] });
    this.modelArtifactsBucket = new SecureBucket(this, 'ModelArtifactsBucket', {
      bucketName: names.modelArtifactsBucket,
      accessLogsBucket,
      environment,
      // Spot checkpoints only matter until their training job ends; each epoch overwrites them.
      lifecycleRules: [{ id: 'expire-checkpoints', prefix: PREFIXES.checkpoints, expiration: environment.noncurrentVersionExpiration }],
    });
    this.mlflowArtifactsBucket = new SecureBucket(this, 'MlflowArtifactsBucket', {
      bucketName: names.mlflowArtifactsBucket,
      accessLogsBucket,
      environment,
    });

    this.notifications = new NotificationsTopic(this, 'Notifications', {
      topicName: names.notificationsTopic,
      keyAlias: names.notificationsKeyAlias,
      environment,
      email: context.notification_email,
    });

    const mlflowStore = { roleName: names.mlflowServerRole, artifactBucket: this.mlflowArtifactsBucket, artifactPrefix: PREFIXES.mlflowArtifacts, environment };
    // The same construct id for both kinds keeps the artifact store role when cdk.json's `mlflow` changes.
    this.mlflow =
      context.mlflow === 'app'
        ? new MlflowApp(this, 'Mlflow', { appName: names.mlflowApp, ...mlflowStore })
        : new MlflowTrackingServer(this, 'Mlflow', { trackingServerName: names.mlflowTrackingServer, ...mlflowStore });
    // Where the pipeline stack and people find the tracking URI by name: an App's ARN is only known once it exists.
    new StringParameter(this, 'MlflowTrackingUriParameter', {
      parameterName: names.mlflowTrackingUriParameter,
      stringValue: this.mlflow.trackingUri,
      description: `MLflow tracking URI (MLFLOW_TRACKING_URI) of the ${context.project_name} pipeline: the ARN of its MLflow ${mlflowNoun(this.mlflow)}`,
    });

    this.sagemakerExecutionRole = new SageMakerExecutionRole(this, 'SageMakerExecutionRole', {
      roleName: names.sagemakerExecutionRole,
      trainingDataBucket: this.trainingDataBucket,
      modelArtifactsBucket: this.modelArtifactsBucket,
      mlflowArtifactsBucket: this.mlflowArtifactsBucket,
      mlflow: { kind: this.mlflow.kind, arn: this.mlflow.trackingUri },
      imageRepositories: props.imageRepositories,
    });

    this.triggerRole = new TriggerRole(this, 'TriggerRole', {
      roleName: names.lambdaExecutionRole,
      trainingDataBucket: this.trainingDataBucket,
      pipelineName: names.pipeline,
      logGroupName: names.triggerLogGroup,
      notificationsTopic: this.notifications.topic,
      queueName: names.triggerQueue,
    });

    const outputs: Record<string, { value: string; description: string }> = {
      TrainingDataBucketName: { value: this.trainingDataBucket.bucketName, description: 'Upload datasets to split_dataset/<version>/ (or sample_dataset/); cdk deploy puts training/ in code/<version>/, the deploy workflow code/ and config/' },
      ModelArtifactsBucketName: { value: this.modelArtifactsBucket.bucketName, description: 'Trained models and evaluation reports under pipelines/<execution id>/' },
      MlflowArtifactsBucketName: { value: this.mlflowArtifactsBucket.bucketName, description: `Artifact store of the MLflow ${mlflowNoun(this.mlflow)}` },
      AccessLogsBucketName: { value: this.accessLogsBucket.bucketName, description: 'S3 server access logs of the other buckets' },
      NotificationsTopicArn: { value: this.notifications.topic.topicArn, description: 'Pipeline status and trigger alarms; subscribe to it (email, chat) to be told' },
      SageMakerExecutionRoleArn: { value: this.sagemakerExecutionRole.roleArn, description: 'Role the training and evaluation jobs run as' },
      TriggerRoleArn: { value: this.triggerRole.roleArn, description: 'Role of the S3 training trigger Lambda' },
      MlflowRoleArn: { value: this.mlflow.role.roleArn, description: `Role the MLflow ${mlflowNoun(this.mlflow)} uses for its artifact store` },
      MlflowTrackingUri: {
        value: this.mlflow.trackingUri,
        description:
          this.mlflow instanceof MlflowApp
            ? 'ARN of the MLflow App: MLFLOW_TRACKING_URI for the sagemaker-mlflow plugin; open the UI with aws sagemaker create-presigned-mlflow-app-url --arn <this>'
            : 'ARN of the MLflow tracking server: MLFLOW_TRACKING_URI for the sagemaker-mlflow plugin',
      },
      ...(this.mlflow instanceof MlflowTrackingServer
        ? { MlflowTrackingServerUrl: { value: this.mlflow.trackingServerUrl, description: 'MLflow server endpoint; open the UI with aws sagemaker create-presigned-mlflow-tracking-server-url' } }
        : {}),
    };
    for (const [outputId, output] of Object.entries(outputs)) new CfnOutput(this, outputId, output);
  }
}

function mlflowNoun(mlflow: SageMakerMlflow): string {
  return mlflow.kind === 'app' ? 'App' : 'tracking server';
}

import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnMlflowTrackingServer } from 'aws-cdk-lib/aws-sagemaker';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { EnvironmentPolicy } from '../environment.ts';
import { mlflowArtifactStoreRole, type SageMakerMlflow } from './mlflow-artifact-store-role.ts';

export type MlflowTrackingServerSize = 'Small' | 'Medium' | 'Large';

export interface MlflowTrackingServerProps {
  readonly trackingServerName: string;
  readonly roleName: string;
  readonly artifactBucket: IBucket;
  /** Key prefix of the artifact store inside the bucket, ending with `/`. */
  readonly artifactPrefix: string;
  readonly environment: EnvironmentPolicy;
  /**
   * Small is sized by AWS for teams of up to 25 users.
   * @default 'Small'
   */
  readonly size?: MlflowTrackingServerSize;
  /**
   * When SageMaker may patch the server (UTC, `Ddd:HH:MM`).
   * @default 'Sun:03:00'
   */
  readonly weeklyMaintenanceWindowStart?: string;
}

/**
 * A SageMaker managed MLflow tracking server whose artifact store is `artifactBucket`, with the role it uses
 * to reach that store, and a lookup of its URL (CloudFormation only returns the ARN). It is billed per hour
 * for as long as it exists, trainings or not; cdk.json's `"mlflow": "app"` chooses the serverless MLflowApp.
 */
export class MlflowTrackingServer extends Construct implements SageMakerMlflow {
  readonly kind = 'tracking-server';
  readonly server: CfnMlflowTrackingServer;
  readonly role: Role;
  readonly trackingServerArn: string;
  readonly trackingUri: string;
  /** The server's HTTPS endpoint; open its UI through `aws sagemaker create-presigned-mlflow-tracking-server-url`. */
  readonly trackingServerUrl: string;

  constructor(scope: Construct, id: string, props: MlflowTrackingServerProps) {
    super(scope, id);
    this.role = mlflowArtifactStoreRole(this, { roleName: props.roleName, artifactBucket: props.artifactBucket, user: `the ${props.trackingServerName} MLflow tracking server` });

    this.server = new CfnMlflowTrackingServer(this, 'Server', {
      trackingServerName: props.trackingServerName,
      artifactStoreUri: props.artifactBucket.s3UrlForObject(props.artifactPrefix),
      roleArn: this.role.roleArn,
      trackingServerSize: props.size ?? 'Small',
      // Models are registered by the pipeline's Register step (with the evaluation), not by MLflow.
      automaticModelRegistration: false,
      weeklyMaintenanceWindowStart: props.weeklyMaintenanceWindowStart ?? 'Sun:03:00',
      // MlflowVersion is left to SageMaker's current default: training/requirements.txt pins a recent
      // MLflow 3 client, which needs a recent server.
    });
    this.server.applyRemovalPolicy(props.environment.removalPolicy);
    // The server checks its artifact store when it starts, so the role's policy must exist first.
    this.server.node.addDependency(this.role.node.findChild('DefaultPolicy'));
    this.trackingServerArn = this.server.attrTrackingServerArn;
    this.trackingUri = this.trackingServerArn;

    // A role of our own keeps the lookup function off the AWS managed AWSLambdaBasicExecutionRole policy.
    const lookupLogs = new LogGroup(this, 'DescribeServerLogs', {
      retention: props.environment.logRetention,
      removalPolicy: props.environment.removalPolicy,
    });
    const lookupRole = new Role(this, 'DescribeServerRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Looks up the URL of the ${props.trackingServerName} MLflow tracking server for the stack outputs`,
    });
    lookupLogs.grantWrite(lookupRole);
    const describe = new AwsCustomResource(this, 'DescribeServer', {
      resourceType: 'Custom::MlflowTrackingServerUrl',
      onUpdate: {
        service: 'SageMaker',
        action: 'DescribeMlflowTrackingServer',
        parameters: { TrackingServerName: props.trackingServerName },
        physicalResourceId: PhysicalResourceId.of(props.trackingServerName),
        outputPaths: ['TrackingServerUrl'],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.trackingServerArn] }),
      installLatestAwsSdk: false,
      timeout: Duration.minutes(2),
      logGroup: lookupLogs,
      role: lookupRole,
    });
    this.trackingServerUrl = describe.getResponseField('TrackingServerUrl');
  }
}

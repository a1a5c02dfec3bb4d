import type { Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnMlflowApp } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import type { EnvironmentPolicy } from '../environment.ts';
import { mlflowArtifactStoreRole, type SageMakerMlflow } from './mlflow-artifact-store-role.ts';

export interface MlflowAppProps {
  readonly appName: string;
  readonly roleName: string;
  readonly artifactBucket: IBucket;
  /** Key prefix of the artifact store inside the bucket, ending with `/`. */
  readonly artifactPrefix: string;
  readonly environment: EnvironmentPolicy;
  /**
   * When SageMaker may patch the App (UTC, `Ddd:HH:MM`).
   * @default 'Sun:03:00'
   */
  readonly weeklyMaintenanceWindowStart?: string;
}

/**
 * A serverless SageMaker MLflow App whose artifact store is `artifactBucket`, with the role it uses to reach
 * that store. Unlike a tracking server it has no size and no hourly charge: it costs nothing while nobody
 * trains (docs/aws-deploy.md, "Costs"). Its ARN carries an id SageMaker generates, so the pipeline
 * stack reads it at deploy time (see mlflowAppArnPlaceholder in core/pipeline/aws/arns.ts).
 */
export class MlflowApp extends Construct implements SageMakerMlflow {
  readonly kind = 'app';
  readonly app: CfnMlflowApp;
  readonly role: Role;
  readonly trackingUri: string;

  constructor(scope: Construct, id: string, props: MlflowAppProps) {
    super(scope, id);
    this.role = mlflowArtifactStoreRole(this, { roleName: props.roleName, artifactBucket: props.artifactBucket, user: `the ${props.appName} MLflow App` });
    this.app = new CfnMlflowApp(this, 'App', {
      name: props.appName,
      artifactStoreUri: props.artifactBucket.s3UrlForObject(props.artifactPrefix),
      roleArn: this.role.roleArn,
      // Models are registered by the pipeline's Register step (with the evaluation), not by MLflow.
      modelRegistrationMode: 'AutoModelRegistrationDisabled',
      weeklyMaintenanceWindowStart: props.weeklyMaintenanceWindowStart ?? 'Sun:03:00',
    });
    this.app.applyRemovalPolicy(props.environment.removalPolicy);
    // SageMaker checks the artifact store when it creates the App, so the role's policy must exist first.
    this.app.node.addDependency(this.role.node.findChild('DefaultPolicy'));
    this.trackingUri = this.app.attrArn;
  }
}

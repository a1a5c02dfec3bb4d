import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { MlflowKind } from '../../core/config/cdk-context.ts';
import { acknowledgeBucketGrants } from '../nag.ts';

/** What the stacks need of SageMaker's managed MLflow, whichever kind cdk.json chose. */
export interface SageMakerMlflow {
  readonly kind: MlflowKind;
  /** The resource's ARN: the MLFLOW_TRACKING_URI of the sagemaker-mlflow plugin. */
  readonly trackingUri: string;
  /** The role MLflow uses for its artifact store. */
  readonly role: Role;
}

export interface MlflowArtifactStoreRoleProps {
  readonly roleName: string;
  readonly artifactBucket: IBucket;
  /** Who uses the role, for its description, e.g. `the yolops-mlflow MLflow App`. */
  readonly user: string;
}

/**
 * The role SageMaker's MLflow (tracking server or App) assumes to read and write its artifact store, the whole
 * dedicated bucket. Created as `Role` in `scope` by both kinds, so that switching cdk.json's `mlflow` keeps
 * the role (its name is fixed) instead of replacing it.
 */
export function mlflowArtifactStoreRole(scope: Construct, props: MlflowArtifactStoreRoleProps): Role {
  const role = new Role(scope, 'Role', {
    roleName: props.roleName,
    assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
    description: `Lets ${props.user} use its artifact store`,
  });
  props.artifactBucket.grantReadWrite(role);
  acknowledgeBucketGrants(role.node.findChild('DefaultPolicy'), `${props.user}, whose artifact store is this whole dedicated bucket,`, [
    { bucket: props.artifactBucket, keys: ['*'], access: 'read-write' },
  ]);
  return role;
}

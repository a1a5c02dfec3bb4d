import { Duration } from 'aws-cdk-lib';
import { type IRole, OidcProviderNative, OpenIdConnectPrincipal, Role } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DeployAndTrainPolicy } from './deploy-and-train-policy.ts';

const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

export interface GithubDeployAccessProps {
  /** `owner/repo`, as in cdk.json's `github_repository`. */
  readonly repository: string;
  readonly roleName: string;
  readonly trainingDataBucket: IBucket;
  readonly pipelineName: string;
  /** The pipeline's own role; UpdatePipeline passes it. */
  readonly pipelineRole: IRole;
  /** SSM parameter holding the MLflow tracking URI (`pipeline upsert` reads it). */
  readonly mlflowTrackingUriParameter: string;
  /** The inference image's CodeBuild project and ECR repository (`code push` starts a build of its version). */
  readonly inferenceImageProject: string;
  readonly inferenceImageRepository: string;
  /**
   * The branch whose runs may deploy. Pushes to it and `workflow_dispatch` runs started on it share the
   * token subject `repo:{repository}:ref:refs/heads/{branch}`; pull requests and other branches do not.
   * @default 'main'
   */
  readonly branch?: string;
}

/**
 * Lets the Deploy-and-Train GitHub Actions workflow of one repository assume a role with OIDC (no stored AWS
 * keys) that can upload the code bundle and config, update the pipeline definition, start an execution and follow it
 * (DeployAndTrainPolicy, the same policy as the model-build CodeBuild project's).
 */
export class GithubDeployAccess extends Construct {
  readonly provider: OidcProviderNative;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: GithubDeployAccessProps) {
    super(scope, id);
    const branch = props.branch ?? 'main';
    // An account has at most one provider per URL: deploying into an account that already trusts GitHub
    // fails here (see docs/aws-deploy.md).
    this.provider = new OidcProviderNative(this, 'Provider', {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIds: ['sts.amazonaws.com'],
    });
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      description: `Assumed by GitHub Actions runs of ${props.repository} on ${branch} to deploy code and start training`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new OpenIdConnectPrincipal(this.provider, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: `repo:${props.repository}:ref:refs/heads/${branch}`,
        },
      }),
    });
    new DeployAndTrainPolicy(this, 'DeployAndTrain', {
      holder: `the Deploy-and-Train workflow of ${props.repository}`,
      role: this.role,
      trainingDataBucket: props.trainingDataBucket,
      pipelineName: props.pipelineName,
      pipelineRole: props.pipelineRole,
      mlflowTrackingUriParameter: props.mlflowTrackingUriParameter,
      inferenceImageProject: props.inferenceImageProject,
      inferenceImageRepository: props.inferenceImageRepository,
    });
  }
}

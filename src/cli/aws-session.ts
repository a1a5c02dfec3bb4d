import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CodeBuildClient } from '@aws-sdk/client-codebuild';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import {
  createCloudFormationClient,
  createCodeBuildClient,
  createEcrClient,
  createS3Client,
  createSageMakerClient,
  createServiceQuotasClient,
  createSsmClient,
  createStsClient,
  S3ObjectStore,
  SageMakerModelRegistry,
  SageMakerPipelines,
  type AwsConnection,
} from '../aws/index.ts';
import type { CdkContext } from '../core/config/cdk-context.ts';
import { resourceNames, type ResourceNames } from '../core/naming.ts';
import { CliError } from './errors.ts';

/**
 * The AWS side of the CLI: clients for the account and region the stacks were deployed to, with credentials and
 * region found the way the AWS CLI finds them (environment, AWS_PROFILE and ~/.aws, SSO, a role), and every
 * resource name from cdk.json. `AWS_ENDPOINT_URL` points every client at another endpoint (moto in the tests).
 */
export interface AwsSession {
  context: CdkContext;
  names: ResourceNames;
  region: string;
  connection: AwsConnection;
  s3: S3Client;
  sagemaker: SageMakerClient;
  sts: STSClient;
  cloudFormation: CloudFormationClient;
  serviceQuotas: ServiceQuotasClient;
  ssm: SSMClient;
  /** The inference image: its ECR repository and the CodeBuild project that builds it. */
  ecr: ECRClient;
  codeBuild: CodeBuildClient;
  store: S3ObjectStore;
  pipelines: SageMakerPipelines;
  registry: SageMakerModelRegistry;
}

/** Where the region in use came from, for messages. */
export interface ResolvedRegion {
  region: string;
  source: string;
}

/**
 * The region the AWS CLI would use (AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`), or cdk.json's
 * `aws_region` when none is set. A region that differs from cdk.json's is refused: the stacks, the bucket and the
 * pipeline live in cdk.json's region, and a command pointed elsewhere would only find nothing.
 */
export async function resolveRegion(context: CdkContext, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedRegion> {
  const configured = await configuredRegion(env);
  if (configured === undefined) return { region: context.aws_region, source: 'cdk.json' };
  if (configured.region !== context.aws_region) {
    throw new CliError(
      `the AWS region is ${configured.region} (from ${configured.source}) but cdk.json deploys to ${context.aws_region}: ` +
        `set AWS_REGION=${context.aws_region}, or change aws_region in cdk.json if the stacks are in ${configured.region}`,
    );
  }
  return configured;
}

async function configuredRegion(env: NodeJS.ProcessEnv): Promise<ResolvedRegion | undefined> {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = env[name];
    if (value) return { region: value, source: name };
  }
  // The SDK's own chain also reads the profile's config file; a client built without a region resolves it.
  const profile = env['AWS_PROFILE'];
  const probe = new STSClient(profile ? { profile } : {});
  try {
    const region = await probe.config.region();
    return region ? { region, source: `the AWS profile ${env['AWS_PROFILE'] ?? 'default'}` } : undefined;
  } catch {
    return undefined; // "Region is missing": no profile names one either
  } finally {
    probe.destroy();
  }
}

/** The endpoint every client talks to instead of AWS's own, from AWS_ENDPOINT_URL (moto or LocalStack). */
export function endpointOverride(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env['AWS_ENDPOINT_URL'] || undefined;
}

/**
 * The connection of SageMaker Runtime (InvokeEndpoint): `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME`, the SDK's and the
 * AWS CLI's service-specific variable, wins over AWS_ENDPOINT_URL, so invocations can go to another place than
 * the control plane (an emulator of SageMaker's API cannot run a model).
 */
export function sageMakerRuntimeConnection(session: Pick<AwsSession, 'connection'>, env: NodeJS.ProcessEnv = process.env): AwsConnection {
  const endpoint = env['AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME'] || undefined;
  return endpoint === undefined ? session.connection : { ...session.connection, endpoint };
}

/**
 * Opens a session: resolves region and credentials up front, so that a missing profile or an expired token is
 * one line before anything is sent rather than an SDK stack in the middle of an upload.
 */
export async function openAwsSession(context: CdkContext, env: NodeJS.ProcessEnv = process.env): Promise<AwsSession> {
  const { region } = await resolveRegion(context, env);
  const endpoint = endpointOverride(env);
  const connection: AwsConnection = { region, ...(endpoint === undefined ? {} : { endpoint }) };
  const sts = createStsClient(connection);
  await requireCredentials(sts);
  const s3 = createS3Client(connection);
  const sagemaker = createSageMakerClient(connection);
  const store = new S3ObjectStore(s3);
  return {
    context,
    names: resourceNames(context),
    region,
    connection,
    s3,
    sagemaker,
    sts,
    cloudFormation: createCloudFormationClient(connection),
    serviceQuotas: createServiceQuotasClient(connection),
    ssm: createSsmClient(connection),
    ecr: createEcrClient(connection),
    codeBuild: createCodeBuildClient(connection),
    store,
    pipelines: new SageMakerPipelines(sagemaker),
    // With the store, each version's metrics come from its evaluation report, as the local registry keeps them.
    registry: new SageMakerModelRegistry(sagemaker, store),
  };
}

/** Closes the session's sockets so the process can exit at once. */
export function closeAwsSession(session: AwsSession): void {
  for (const client of [session.s3, session.sagemaker, session.sts, session.cloudFormation, session.serviceQuotas, session.ssm, session.ecr, session.codeBuild]) client.destroy();
}

async function requireCredentials(client: STSClient): Promise<void> {
  try {
    await client.config.credentials();
  } catch (error) {
    throw new CliError(NO_CREDENTIALS, { cause: error });
  }
}

export const NO_CREDENTIALS =
  'no AWS credentials found (looked where the AWS CLI looks: AWS_ACCESS_KEY_ID, AWS_PROFILE and ~/.aws, SSO, a role): ' +
  'run `aws configure` or `aws sso login --profile <name>` and set AWS_PROFILE, then try again';

import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ECRClient } from '@aws-sdk/client-ecr';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Where and as whom the AWS clients connect. Everything left out comes from the SDK's default chains (the
 * environment, ~/.aws, the Lambda or instance role), which is what a deployment wants; tests set all three to
 * talk to moto.
 */
export interface AwsConnection {
  region?: string;
  /** Another endpoint than AWS's own, such as moto or LocalStack on loopback. */
  endpoint?: string;
  credentials?: S3ClientConfig['credentials'];
}

/**
 * The dataset validator keeps 16 to 64 ranged GETs in flight; fewer sockets than that would queue its requests
 * inside the agent, where they count against the SDK's timeouts without having been sent.
 */
export const S3_MAX_SOCKETS = 64;

export function createS3Client(connection: AwsConnection = {}): S3Client {
  const agent = { keepAlive: true, maxSockets: S3_MAX_SOCKETS };
  return new S3Client({
    ...baseConfig(connection),
    // A local endpoint has no wildcard DNS for bucket subdomains (`<bucket>.127.0.0.1` resolves nowhere).
    ...(connection.endpoint === undefined ? {} : { forcePathStyle: true }),
    requestHandler: new NodeHttpHandler({ httpAgent: agent, httpsAgent: agent }),
  });
}

export function createSageMakerClient(connection: AwsConnection = {}): SageMakerClient {
  return new SageMakerClient(baseConfig(connection));
}

export function createSageMakerRuntimeClient(connection: AwsConnection = {}): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient(baseConfig(connection));
}

export function createApplicationAutoScalingClient(connection: AwsConnection = {}): ApplicationAutoScalingClient {
  return new ApplicationAutoScalingClient(baseConfig(connection));
}

export function createSnsClient(connection: AwsConnection = {}): SNSClient {
  return new SNSClient(baseConfig(connection));
}

export function createSqsClient(connection: AwsConnection = {}): SQSClient {
  return new SQSClient(baseConfig(connection));
}

export function createStsClient(connection: AwsConnection = {}): STSClient {
  return new STSClient(baseConfig(connection));
}

export function createCloudFormationClient(connection: AwsConnection = {}): CloudFormationClient {
  return new CloudFormationClient(baseConfig(connection));
}

export function createServiceQuotasClient(connection: AwsConnection = {}): ServiceQuotasClient {
  return new ServiceQuotasClient(baseConfig(connection));
}

export function createSsmClient(connection: AwsConnection = {}): SSMClient {
  return new SSMClient(baseConfig(connection));
}

export function createCodeBuildClient(connection: AwsConnection = {}): CodeBuildClient {
  return new CodeBuildClient(baseConfig(connection));
}

export function createEcrClient(connection: AwsConnection = {}): ECRClient {
  return new ECRClient(baseConfig(connection));
}

function baseConfig(connection: AwsConnection): Pick<S3ClientConfig, 'region' | 'endpoint' | 'credentials'> {
  return {
    ...(connection.region === undefined ? {} : { region: connection.region }),
    ...(connection.endpoint === undefined ? {} : { endpoint: connection.endpoint }),
    ...(connection.credentials === undefined ? {} : { credentials: connection.credentials }),
  };
}

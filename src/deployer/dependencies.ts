import { createApplicationAutoScalingClient, createS3Client, createSageMakerClient, createSageMakerRuntimeClient, createSnsClient, type AwsConnection } from '../aws/clients.ts';
import { SageMakerDeployments } from '../aws/deployment/sagemaker-deployments.ts';
import { S3ObjectStore } from '../aws/s3-object-store.ts';
import { SageMakerModelRegistry } from '../aws/sagemaker-model-registry.ts';
import { SnsNotifier } from '../aws/sns-notifier.ts';
import { readServingConfig } from '../core/deploy/serving-config-source.ts';
import { resourceNames, type ResourceNames } from '../core/naming.ts';
import { DeployerEnvironmentError, type DeployerEnvironment } from './environment.ts';
import type { DeployerDeps, DeployerLog } from './process-event.ts';

/**
 * Every resource name, from the environment: the project name is the staging endpoint's name without `-staging`
 * and the account the end of the training bucket's name (resourceNames' patterns), and the names they give must
 * be the ones the environment holds, or the function's configuration is refused at init.
 */
export function namesOfEnvironment(environment: DeployerEnvironment): { projectName: string; names: ResourceNames } {
  const suffix = resourceNames({ project_name: '', aws_account_id: '' }).stagingEndpoint;
  const projectName = environment.stagingEndpoint.endsWith(suffix) ? environment.stagingEndpoint.slice(0, -suffix.length) : '';
  const bucketPrefix = resourceNames({ project_name: projectName, aws_account_id: '' }).trainingDataBucket;
  const account = environment.trainingBucket.startsWith(bucketPrefix) ? environment.trainingBucket.slice(bucketPrefix.length) : '';
  const names = resourceNames({ project_name: projectName, aws_account_id: account });
  const mismatches = (
    [
      ['STAGING_ENDPOINT', environment.stagingEndpoint, names.stagingEndpoint],
      ['TRAINING_BUCKET', environment.trainingBucket, names.trainingDataBucket],
      ['MODEL_PACKAGE_GROUP', environment.modelPackageGroup, names.modelPackageGroup],
    ] as const
  ).filter(([, actual, expected]) => projectName === '' || !/^\d{12}$/.test(account) || actual !== expected);
  if (mismatches.length > 0) {
    throw new DeployerEnvironmentError(`the deployer's environment does not follow the project's names (resourceNames): ${mismatches.map(([name, actual, expected]) => `${name} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`).join('; ')}`);
  }
  return { projectName, names };
}

/** The deployer wired to SageMaker, Application Auto Scaling, SageMaker Runtime, S3 and SNS (`connection` points them at moto in the tests). */
export function createDeployerDeps(environment: DeployerEnvironment, log: DeployerLog, connection: AwsConnection = {}): DeployerDeps {
  const { projectName, names } = namesOfEnvironment(environment);
  const sagemaker = createSageMakerClient(connection);
  const store = new S3ObjectStore(createS3Client(connection));
  return {
    environment,
    deployments: new SageMakerDeployments(
      { sagemaker, autoscaling: createApplicationAutoScalingClient(connection), runtime: createSageMakerRuntimeClient(connection) },
      { projectName, names, endpointRoleArn: environment.endpointRoleArn },
    ),
    registry: new SageMakerModelRegistry(sagemaker),
    servingConfig: () => readServingConfig(store, environment.trainingBucket, environment.configKey),
    publisher: new SnsNotifier(createSnsClient(connection), environment.notificationsTopicArn),
    log,
  };
}

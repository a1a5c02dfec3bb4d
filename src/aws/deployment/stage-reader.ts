import { DescribeEndpointCommand, DescribeEndpointConfigCommand, DescribeModelCommand, ListTagsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { DeployStage } from '../../core/deploy/deploy-stage.ts';
import { deployedVersionOf, type DeployedVersion, type Tag } from '../../core/deploy/deployment-tags.ts';
import type { StageDeployment, StageState } from '../../core/deploy/stage-state.ts';
import { deploymentCallError, isNotFound } from './deployment-errors.ts';
import { describedEndpoint, describedEndpointConfig, describedModel, listedTags } from './endpoint-records.ts';

/**
 * What a stage's endpoint serves, read back from SageMaker alone: DescribeEndpoint, then the configuration in
 * service (and the one being deployed, during an update), then its model, then the model's deployment tags.
 */
export async function readStage(client: SageMakerClient, stage: DeployStage, endpointName: string): Promise<StageState> {
  const absent: StageState = { stage, endpointName, exists: false, status: undefined, failureReason: undefined, current: undefined, pending: undefined, lastModified: undefined };
  let endpoint;
  try {
    endpoint = describedEndpoint(await client.send(new DescribeEndpointCommand({ EndpointName: endpointName })));
  } catch (error) {
    if (isNotFound(error)) return absent;
    throw deploymentCallError(error, 'DescribeEndpoint', `endpoint ${endpointName}`);
  }
  const variant = endpoint.ProductionVariants[0];
  const current = await readDeployment(client, endpoint.EndpointConfigName, variant?.CurrentInstanceCount ?? variant?.DesiredInstanceCount);
  const pendingName = endpoint.PendingDeploymentSummary?.EndpointConfigName;
  const pending = pendingName !== undefined && pendingName !== endpoint.EndpointConfigName ? await readDeployment(client, pendingName, undefined) : undefined;
  return {
    stage,
    endpointName,
    exists: true,
    status: endpoint.EndpointStatus,
    failureReason: endpoint.FailureReason,
    current,
    pending,
    lastModified: endpoint.LastModifiedTime,
  };
}

async function readDeployment(client: SageMakerClient, endpointConfigName: string, liveInstanceCount: number | undefined): Promise<StageDeployment> {
  let config;
  try {
    config = describedEndpointConfig(await client.send(new DescribeEndpointConfigCommand({ EndpointConfigName: endpointConfigName })));
  } catch (error) {
    if (!isNotFound(error)) throw deploymentCallError(error, 'DescribeEndpointConfig', `endpoint configuration ${endpointConfigName}`);
    return { endpointConfigName, modelName: undefined, createdAt: undefined, version: undefined, instanceType: undefined, instanceCount: liveInstanceCount, serverless: undefined, dataCapturePercent: undefined };
  }
  const [variant] = config.ProductionVariants;
  const modelName = variant?.ModelName;
  const serverless = variant?.ServerlessConfig;
  const capture = config.DataCaptureConfig;
  return {
    endpointConfigName,
    modelName,
    createdAt: config.CreationTime,
    version: modelName === undefined ? undefined : await readVersion(client, modelName),
    instanceType: variant?.InstanceType,
    instanceCount: liveInstanceCount ?? variant?.InitialInstanceCount,
    serverless: serverless ? { memoryMb: serverless.MemorySizeInMB, maxConcurrency: serverless.MaxConcurrency } : undefined,
    dataCapturePercent: capture && capture.EnableCapture !== false ? capture.InitialSamplingPercentage : undefined,
  };
}

async function readVersion(client: SageMakerClient, modelName: string): Promise<DeployedVersion | undefined> {
  let arn: string;
  try {
    arn = describedModel(await client.send(new DescribeModelCommand({ ModelName: modelName }))).ModelArn;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw deploymentCallError(error, 'DescribeModel', `model ${modelName}`);
  }
  const tags: Tag[] = [];
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = listedTags(await client.send(new ListTagsCommand({ ResourceArn: arn, ...(nextToken ? { NextToken: nextToken } : {}) })));
    } catch (error) {
      throw deploymentCallError(error, 'ListTags', `model ${modelName}`);
    }
    tags.push(...(page.Tags ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return deployedVersionOf(tags);
}

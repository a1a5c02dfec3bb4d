export { SageMakerDeployments, type DeploymentClients, type DeploymentSettings, type DeploymentStart, type AutoscalingOutcome } from './sagemaker-deployments.ts';
export { EndpointBusyError } from './deployment-errors.ts';
export type { CleanupResult } from './deployment-cleanup.ts';

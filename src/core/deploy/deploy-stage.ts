import type { ResourceNames } from '../naming.ts';

/** Where a version is served: staging (serverless, deployed on approval) and production (instances, promoted by hand). */
export const DEPLOY_STAGES = ['staging', 'production'] as const;
export type DeployStage = (typeof DEPLOY_STAGES)[number];

/** The endpoint of a stage. */
export function stageEndpointName(names: Pick<ResourceNames, 'stagingEndpoint' | 'productionEndpoint'>, stage: DeployStage): string {
  return stage === 'staging' ? names.stagingEndpoint : names.productionEndpoint;
}

/** Short, so that the project name, the version and the time fit SageMaker's 63 characters. */
const STAGE_ABBREVIATIONS = { staging: 'stg', production: 'prd' } as const satisfies Record<DeployStage, string>;

/**
 * The prefix of every model and endpoint configuration the deployer creates for a stage: `{project}-stg-` or
 * `{project}-prd-`. Cleaning up only ever touches names under it, and IAM scopes the deployer to it
 * (`arn:aws:sagemaker:{region}:{account}:model/{prefix}*`, `.../endpoint-config/{prefix}*`).
 */
export function deploymentResourcePrefix(projectName: string, stage: DeployStage): string {
  return `${projectName}-${STAGE_ABBREVIATIONS[stage]}-`;
}

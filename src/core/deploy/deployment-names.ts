import { deploymentResourcePrefix, type DeployStage } from './deploy-stage.ts';
import { DeploymentPlanError } from './errors.ts';

/** SageMaker's ModelName and EndpointConfigName: at most 63 letters, digits and "-", starting and ending with a letter or digit. */
const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** `yyMMddHHmmss` in UTC: sortable, second precision, 12 characters. */
function shortTime(at: Date): string {
  return at.toISOString().replace(/[-:T]/g, '').slice(2, 14);
}

/**
 * The name of the model and of the endpoint configuration of one deployment: `{project}-stg-v{version}-{time}`.
 * Unique per version and deployment time, and the same for the same (stage, version, time): the deployer names a
 * deployment after the approval event's time, so a second delivery of that event finds its model already there
 * instead of creating another. With the longest project name (33) a version up to 10^9 fits in 63.
 */
export function deploymentName(projectName: string, stage: DeployStage, version: number, at: Date): string {
  const name = `${deploymentResourcePrefix(projectName, stage)}v${version}-${shortTime(at)}`;
  if (!SAGEMAKER_NAME.test(name)) {
    throw new DeploymentPlanError(`the deployment name ${JSON.stringify(name)} is not a valid SageMaker name (at most 63 letters, digits and "-"): shorten project_name in cdk.json`);
  }
  return name;
}

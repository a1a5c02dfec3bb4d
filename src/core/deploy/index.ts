/**
 * Deploying a registered version to a SageMaker endpoint, planned without calling anything: names and tags, the
 * model, the endpoint configuration of each stage, production's blue/green update and autoscaling, the smoke test.
 * src/aws/deployment carries the plans out.
 */
export { DEPLOY_STAGES, stageEndpointName, deploymentResourcePrefix, type DeployStage } from './deploy-stage.ts';
export { deploymentName } from './deployment-names.ts';
export { DEPLOYMENT_TAG_KEYS, deploymentTags, deployedVersionOf, type DeployedVersion, type Tag } from './deployment-tags.ts';
export { deploymentRefusal, isDeployable, type DeployableRecord } from './deployability.ts';
export {
  planDeployment,
  type DeploymentPlan,
  type PlanInput,
  type CurrentEndpoint,
  type ModelPlan,
  type EndpointConfigPlan,
  type ServerlessVariantPlan,
  type InstanceVariantPlan,
  type DataCapturePlan,
} from './deployment-plan.ts';
export { productionDeploymentConfig, BLUE_GREEN_LIMITS, type DeploymentConfigPlan } from './blue-green.ts';
export { autoscalingPlan, variantResourceId, SCALE_IN_COOLDOWN_SECONDS, SCALE_OUT_COOLDOWN_SECONDS, type AutoscalingPlan } from './autoscaling-plan.ts';
export { smokeImage, SMOKE_IMAGE_SIZE, SMOKE_IMAGE_CONTENT_TYPE } from './smoke-image.ts';
export { judgeSmokeAnswer, type SmokeAnswer, type SmokeVerdict } from './smoke-check.ts';
export { ENDPOINT_STATUSES, SETTLED_STATUSES, endpointStatusOf, judgeRollout, servesVersion, type EndpointStatus, type StageState, type StageDeployment, type RolloutOutcome } from './stage-state.ts';
export { readServingConfig, type ServingConfigSource } from './serving-config-source.ts';
export { DeploymentRefusedError, DeploymentPlanError } from './errors.ts';

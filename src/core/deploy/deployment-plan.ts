import type { ServingConfig } from '../config/training-config.ts';
import { ENDPOINT_VARIANT_NAME, PREFIXES, type ResourceNames } from '../naming.ts';
import type { ModelVersionRecord } from '../registry/model-version.ts';
import { formatS3Uri } from '../storage/s3-uri.ts';
import { autoscalingPlan, type AutoscalingPlan } from './autoscaling-plan.ts';
import { productionDeploymentConfig, type DeploymentConfigPlan } from './blue-green.ts';
import { stageEndpointName, type DeployStage } from './deploy-stage.ts';
import { deploymentRefusal } from './deployability.ts';
import { deploymentName } from './deployment-names.ts';
import { deploymentTags, type DeployedVersion, type Tag } from './deployment-tags.ts';
import { DeploymentRefusedError } from './errors.ts';

/** CreateModel's input (field names as SageMaker's API has them, so the AWS adapter passes it as it is). */
export interface ModelPlan {
  ModelName: string;
  ExecutionRoleArn: string;
  PrimaryContainer: { Image: string; ModelDataUrl: string; Environment: Record<string, string> };
  Tags: Tag[];
}

export interface ServerlessVariantPlan {
  VariantName: string;
  ModelName: string;
  ServerlessConfig: { MemorySizeInMB: number; MaxConcurrency: number };
}

export interface InstanceVariantPlan {
  VariantName: string;
  ModelName: string;
  InstanceType: ServingConfig['instance_type'];
  InitialInstanceCount: number;
  InitialVariantWeight: number;
}

export interface DataCapturePlan {
  EnableCapture: boolean;
  InitialSamplingPercentage: number;
  DestinationS3Uri: string;
  CaptureOptions: { CaptureMode: 'Input' | 'Output' }[];
  CaptureContentTypeHeader?: { JsonContentTypes: string[] };
}

/** CreateEndpointConfig's input. */
export interface EndpointConfigPlan {
  EndpointConfigName: string;
  ProductionVariants: [ServerlessVariantPlan | InstanceVariantPlan];
  DataCaptureConfig?: DataCapturePlan;
  Tags: Tag[];
}

/** What the stage's endpoint is now, as far as the plan needs it; undefined when there is no endpoint. */
export interface CurrentEndpoint {
  /** Undefined for a serverless endpoint. */
  instanceType?: string;
  instanceCount?: number;
}

export interface DeploymentPlan {
  stage: DeployStage;
  endpointName: string;
  deployed: DeployedVersion;
  model: ModelPlan;
  endpointConfig: EndpointConfigPlan;
  /** CreateEndpoint when the stage has no endpoint yet, UpdateEndpoint otherwise. */
  action: 'create' | 'update';
  /** Production's blue/green update of an instance-based endpoint; absent for staging and for a first creation. */
  deploymentConfig?: DeploymentConfigPlan;
  /** Production's scalable target and policy, registered once the endpoint is InService. */
  autoscaling?: AutoscalingPlan;
  /**
   * The update changes the instance type of an autoscaled variant, which UpdateEndpoint refuses: the variant is
   * deregistered first and registered again once the endpoint is InService (endpoint-scaling-update.html).
   */
  pauseAutoscaling: boolean;
}

export interface PlanInput {
  record: ModelVersionRecord;
  serving: ServingConfig;
  stage: DeployStage;
  projectName: string;
  names: Pick<ResourceNames, 'stagingEndpoint' | 'productionEndpoint' | 'modelArtifactsBucket' | 'productionErrorsAlarm' | 'productionLatencyAlarm'>;
  endpointRoleArn: string;
  /** Names the deployment: the approval event's time in the deployer, the moment of `promote` in the CLI. */
  at: Date;
  current: CurrentEndpoint | undefined;
}

/**
 * Everything one deployment of `record` to `stage` creates and calls, without calling anything. Throws
 * DeploymentRefusedError (the reason) for a version that cannot go there.
 */
export function planDeployment(input: PlanInput): DeploymentPlan {
  const { record, serving, stage, current } = input;
  const refusal = deploymentRefusal(record, serving, stage);
  if (refusal !== undefined || record.inference === undefined) throw new DeploymentRefusedError(refusal ?? 'no inference specification');
  const spec = record.inference;
  const name = deploymentName(input.projectName, stage, record.version, input.at);
  const endpointName = stageEndpointName(input.names, stage);
  const tags = deploymentTags(record, stage);
  const model: ModelPlan = {
    ModelName: name,
    ExecutionRoleArn: input.endpointRoleArn,
    // The container's environment as the version was registered (its runtime, YOLOPS_INFERENCE_RUNTIME, included).
    PrimaryContainer: { Image: spec.image, ModelDataUrl: spec.modelDataUrl, Environment: { ...spec.environment } },
    Tags: tags,
  };
  const action = current === undefined ? 'create' : 'update';
  if (stage === 'staging') {
    // Serverless: no data capture (not supported by serverless endpoints, serverless-endpoints.html, "Feature
    // exclusions"), no autoscaling of ours (SageMaker scales it up to MaxConcurrency and down to zero).
    const variant: ServerlessVariantPlan = {
      VariantName: ENDPOINT_VARIANT_NAME,
      ModelName: name,
      ServerlessConfig: { MemorySizeInMB: serving.staging_memory_mb, MaxConcurrency: serving.staging_max_concurrency },
    };
    return { stage, endpointName, deployed: deployedOf(record), model, endpointConfig: { EndpointConfigName: name, ProductionVariants: [variant], Tags: tags }, action, pauseAutoscaling: false };
  }
  const instanceBased = current?.instanceType !== undefined;
  // A new fleet as large as the one it replaces (within the bounds): starting it at min_instances would drop an
  // endpoint that autoscaling has grown back to the minimum as soon as the traffic moves.
  const count = Math.min(serving.max_instances, Math.max(serving.min_instances, current?.instanceCount ?? serving.min_instances));
  const variant: InstanceVariantPlan = { VariantName: ENDPOINT_VARIANT_NAME, ModelName: name, InstanceType: serving.instance_type, InitialInstanceCount: count, InitialVariantWeight: 1 };
  const json = spec.responseMimeTypes.filter((t) => /[/+]json$/.test(t));
  const capture: DataCapturePlan = {
    EnableCapture: serving.data_capture_percent > 0,
    InitialSamplingPercentage: serving.data_capture_percent,
    DestinationS3Uri: formatS3Uri(input.names.modelArtifactsBucket, PREFIXES.dataCapture),
    CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
    // Bodies of these types are captured as text; anything else (the images) is base64-encoded.
    ...(json.length > 0 ? { CaptureContentTypeHeader: { JsonContentTypes: json } } : {}),
  };
  return {
    stage,
    endpointName,
    deployed: deployedOf(record),
    model,
    endpointConfig: { EndpointConfigName: name, ProductionVariants: [variant], DataCaptureConfig: capture, Tags: tags },
    action,
    ...(action === 'update' && instanceBased ? { deploymentConfig: productionDeploymentConfig(serving, input.names) } : {}),
    autoscaling: autoscalingPlan(endpointName, serving),
    pauseAutoscaling: instanceBased && current.instanceType !== serving.instance_type,
  };
}

function deployedOf(record: ModelVersionRecord): DeployedVersion {
  return { modelPackageArn: record.modelPackageArn, modelPackageGroupName: record.modelPackageGroupName, version: record.version };
}

import type { ServingConfig } from '../config/training-config.ts';
import { ENDPOINT_VARIANT_NAME } from '../naming.ts';

/**
 * Seconds between two scale-outs (short: a burst of images must get instances soon) and two scale-ins (long: an
 * instance takes minutes to start, so one is not given back at the first quiet minute).
 */
export const SCALE_OUT_COOLDOWN_SECONDS = 60;
export const SCALE_IN_COOLDOWN_SECONDS = 300;

export interface AutoscalingPlan {
  target: { ServiceNamespace: 'sagemaker'; ResourceId: string; ScalableDimension: 'sagemaker:variant:DesiredInstanceCount'; MinCapacity: number; MaxCapacity: number };
  policy: {
    PolicyName: string;
    ServiceNamespace: 'sagemaker';
    ResourceId: string;
    ScalableDimension: 'sagemaker:variant:DesiredInstanceCount';
    PolicyType: 'TargetTrackingScaling';
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: number;
      PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' };
      ScaleInCooldown: number;
      ScaleOutCooldown: number;
    };
  };
}

/** Application Auto Scaling's name for the one variant of an endpoint. */
export function variantResourceId(endpointName: string): string {
  return `endpoint/${endpointName}/variant/${ENDPOINT_VARIANT_NAME}`;
}

/**
 * Production's autoscaling: the variant's instance count between min_instances and max_instances, tracking
 * target_invocations_per_instance invocations per instance per minute.
 */
export function autoscalingPlan(endpointName: string, serving: ServingConfig): AutoscalingPlan {
  const ResourceId = variantResourceId(endpointName);
  const common = { ServiceNamespace: 'sagemaker', ResourceId, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' } as const;
  return {
    target: { ...common, MinCapacity: serving.min_instances, MaxCapacity: serving.max_instances },
    policy: {
      ...common,
      PolicyName: `${endpointName}-invocations-per-instance`,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: serving.target_invocations_per_instance,
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        ScaleInCooldown: SCALE_IN_COOLDOWN_SECONDS,
        ScaleOutCooldown: SCALE_OUT_COOLDOWN_SECONDS,
      },
    },
  };
}

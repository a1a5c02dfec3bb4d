import {
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ApplicationAutoScalingClient,
} from '@aws-sdk/client-application-auto-scaling';
import type { AutoscalingPlan } from '../../core/deploy/autoscaling-plan.ts';
import { serviceErrorInfo } from '../sdk-errors.ts';
import { deploymentCallError } from './deployment-errors.ts';

/** Registers the variant as a scalable target and puts its target-tracking policy (both calls replace what is there). */
export async function applyAutoscaling(client: ApplicationAutoScalingClient, plan: AutoscalingPlan): Promise<void> {
  const subject = `scalable target ${plan.target.ResourceId}`;
  try {
    await client.send(new RegisterScalableTargetCommand(plan.target));
  } catch (error) {
    throw deploymentCallError(error, 'RegisterScalableTarget', subject);
  }
  try {
    await client.send(new PutScalingPolicyCommand(plan.policy));
  } catch (error) {
    throw deploymentCallError(error, 'PutScalingPolicy', subject);
  }
}

/** The variant's registration, or undefined when it is not a scalable target. */
export async function scalableTarget(client: ApplicationAutoScalingClient, plan: AutoscalingPlan): Promise<{ min: number; max: number } | undefined> {
  try {
    const answer = await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker', ResourceIds: [plan.target.ResourceId], ScalableDimension: plan.target.ScalableDimension }));
    const target = answer.ScalableTargets?.[0];
    return target?.MinCapacity === undefined || target.MaxCapacity === undefined ? undefined : { min: target.MinCapacity, max: target.MaxCapacity };
  } catch (error) {
    throw deploymentCallError(error, 'DescribeScalableTargets', `scalable target ${plan.target.ResourceId}`);
  }
}

/**
 * Deletes the policy and deregisters the variant, before an update that changes its instance type (which
 * UpdateEndpoint refuses for an autoscaled variant). Either one missing already is fine.
 */
export async function removeAutoscaling(client: ApplicationAutoScalingClient, plan: AutoscalingPlan): Promise<void> {
  const { ServiceNamespace, ResourceId, ScalableDimension } = plan.target;
  // Application Auto Scaling answers ObjectNotFoundException for what is not there; moto a ValidationException
  // "No scalable target found ...".
  const gone = (error: unknown): boolean => {
    const info = serviceErrorInfo(error);
    return info?.name === 'ObjectNotFoundException' || (info?.name === 'ValidationException' && /^No scalable target found/.test(info.message));
  };
  try {
    await client.send(new DeleteScalingPolicyCommand({ PolicyName: plan.policy.PolicyName, ServiceNamespace, ResourceId, ScalableDimension }));
  } catch (error) {
    if (!gone(error)) throw deploymentCallError(error, 'DeleteScalingPolicy', `scalable target ${ResourceId}`);
  }
  try {
    await client.send(new DeregisterScalableTargetCommand({ ServiceNamespace, ResourceId, ScalableDimension }));
  } catch (error) {
    if (!gone(error)) throw deploymentCallError(error, 'DeregisterScalableTarget', `scalable target ${ResourceId}`);
  }
}

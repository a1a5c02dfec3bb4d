import type { ServingConfig } from '../config/training-config.ts';
import type { ResourceNames } from '../naming.ts';
import { DeploymentPlanError } from './errors.ts';

/**
 * SageMaker's limits on a blue/green update (API reference, BlueGreenUpdatePolicy and TrafficRoutingConfig,
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_BlueGreenUpdatePolicy.html): the final baking
 * period (TerminationWaitInSeconds) 0-3600 s, the canary's baking period (WaitIntervalInSeconds) 0-3600 s, the
 * whole update (MaximumExecutionTimeoutInSeconds) 600-28800 s and longer than both waits together; and the
 * canary at most 50% of the new fleet's capacity (deployment-guardrails-blue-green-canary.html).
 */
export const BLUE_GREEN_LIMITS = {
  maxCanaryPercent: 50,
  maxWaitSeconds: 3600,
  maxTerminationWaitSeconds: 3600,
  minExecutionTimeoutSeconds: 600,
  maxExecutionTimeoutSeconds: 28_800,
} as const;

/** Time allowed for SageMaker to start the new (green) fleet, on top of the baking periods. */
const PROVISIONING_ALLOWANCE_SECONDS = 1800;

export interface DeploymentConfigPlan {
  BlueGreenUpdatePolicy: {
    TrafficRoutingConfiguration: { Type: 'CANARY'; CanarySize: { Type: 'CAPACITY_PERCENT'; Value: number }; WaitIntervalInSeconds: number };
    TerminationWaitInSeconds: number;
    MaximumExecutionTimeoutInSeconds: number;
  };
  AutoRollbackConfiguration: { Alarms: { AlarmName: string }[] };
}

/**
 * Production's UpdateEndpoint DeploymentConfig: blue/green with a canary of `canary_percent` of the new fleet's
 * capacity watched for `canary_wait_seconds`, then the rest of the traffic, then the old fleet kept as long again
 * (the final baking period, during which an alarm still rolls back) before it is terminated. Either alarm of the
 * ServingStack (5xx count, model latency) rolls the update back. Guardrails need an instance-based endpoint:
 * they are for "traffic shifting" between fleets of instances, and a serverless endpoint has no fleet to shift
 * (staging updates all at once, with no DeploymentConfig). Inf1 instances and Marketplace containers would fall
 * back to all-at-once (deployment-guardrails-exclusions.html); yolops uses neither.
 */
export function productionDeploymentConfig(serving: ServingConfig, names: Pick<ResourceNames, 'productionErrorsAlarm' | 'productionLatencyAlarm'>): DeploymentConfigPlan {
  const wait = serving.canary_wait_seconds;
  const termination = wait;
  if (serving.canary_percent > BLUE_GREEN_LIMITS.maxCanaryPercent) throw new DeploymentPlanError(`canary_percent ${serving.canary_percent} is over SageMaker's ${BLUE_GREEN_LIMITS.maxCanaryPercent}%`);
  if (wait > BLUE_GREEN_LIMITS.maxWaitSeconds) throw new DeploymentPlanError(`canary_wait_seconds ${wait} is over SageMaker's ${BLUE_GREEN_LIMITS.maxWaitSeconds} s`);
  const timeout = Math.min(BLUE_GREEN_LIMITS.maxExecutionTimeoutSeconds, Math.max(BLUE_GREEN_LIMITS.minExecutionTimeoutSeconds, wait + termination + PROVISIONING_ALLOWANCE_SECONDS));
  return {
    BlueGreenUpdatePolicy: {
      TrafficRoutingConfiguration: { Type: 'CANARY', CanarySize: { Type: 'CAPACITY_PERCENT', Value: serving.canary_percent }, WaitIntervalInSeconds: wait },
      TerminationWaitInSeconds: termination,
      MaximumExecutionTimeoutInSeconds: timeout,
    },
    AutoRollbackConfiguration: { Alarms: [{ AlarmName: names.productionErrorsAlarm }, { AlarmName: names.productionLatencyAlarm }] },
  };
}

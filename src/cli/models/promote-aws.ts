import { createApplicationAutoScalingClient, createSageMakerRuntimeClient, SageMakerDeployments, type AutoscalingOutcome, type CleanupResult } from '../../aws/index.ts';
import { deploymentRefusal } from '../../core/deploy/deployability.ts';
import { readServingConfig } from '../../core/deploy/serving-config-source.ts';
import { judgeRollout, type RolloutOutcome, type StageState } from '../../core/deploy/stage-state.ts';
import { PREFIXES } from '../../core/naming.ts';
import { endpointExecutionRoleArn } from '../../core/pipeline/index.ts';
import { sageMakerRuntimeConnection, type AwsSession } from '../aws-session.ts';
import { CliError, EXIT } from '../errors.ts';
import { formatSeconds, type info } from '../output.ts';
import { withVersion } from './registry-access.ts';

export interface PromoteOptions {
  /** Follow the endpoint until the rollout ends (InService on the version, rolled back, or failed). */
  wait: boolean;
  /** Where progress lines go: the CLI's `info` (stderr). */
  out: typeof info;
  /** @default 15000 */
  pollIntervalMs?: number;
  /** How long to follow a rollout. @default the blue/green update's own timeout plus 30 minutes */
  timeoutMs?: number;
}

export interface PromotionResult {
  version: number;
  endpoint: string;
  /** `started` without --wait; `already-serving` when production served (or was being updated to) it. */
  outcome: 'started' | 'already-serving' | 'deployed';
  status: string | undefined;
  autoscaling?: AutoscalingOutcome;
  cleanedUp?: CleanupResult;
}

/** A rollout lasts its baking periods; following one polls DescribeEndpoint this often. */
const DEFAULT_POLL_MS = 15_000;
const FOLLOW_MARGIN_SECONDS = 1800;

/**
 * `yolops models promote <version> --target aws`: deploys an Approved version to the production endpoint (created
 * on first use; then a blue/green update with a canary and the rollback alarms), with the serving settings of the
 * uploaded training-config.json. With `wait`, follows the endpoint until the version serves (then registers
 * autoscaling and removes production's unused models and configurations), was rolled back or failed: those two
 * end in a CliError with exit 1 and SageMaker's reason. A version that is not Approved, or cannot be served there,
 * is a CliError with exit 2 before anything is created. Running it again for the version production serves
 * registers autoscaling if that is missing, and changes nothing else.
 */
export async function promoteOnAws(session: AwsSession, version: number, options: PromoteOptions): Promise<PromotionResult> {
  const { names } = session;
  const group = names.modelPackageGroup;
  const record = await withVersion({ target: 'aws', registry: session.registry, store: session.store, group }, version, () => session.registry.get(group, version));
  if (record.approvalStatus !== 'Approved') {
    throw new CliError(`model ${group} version ${version} is ${record.approvalStatus}; only Approved versions are promoted to production: approve it first with \`yolops models approve ${version} --target aws\``);
  }
  const source = await readServingConfig(session.store, names.trainingDataBucket, PREFIXES.trainingConfigKey);
  options.out(source.uri ? `serving settings from ${source.uri}` : `no training-config.json in s3://${names.trainingDataBucket}/${PREFIXES.config}: the default serving settings apply (\`yolops code push --target aws\` uploads yours)`);
  const refusal = deploymentRefusal(record, source.serving, 'production');
  if (refusal !== undefined) throw new CliError(refusal);

  const { deployments, autoscaling, runtime } = openDeployments(session);
  try {
    const endpoint = deployments.endpointName('production');
    const start = await deployments.deployVersion('production', record, source.serving, { at: new Date() });
    if (start.kind === 'already-deployed') {
      const state = start.state;
      options.out(`${endpoint} ${state.current?.version?.modelPackageArn === record.modelPackageArn ? 'serves' : 'is being updated to'} ${group} version ${version} already (${state.status ?? 'unknown status'})`);
      if (!options.wait) return { version, endpoint, outcome: 'already-serving', status: state.status, ...(state.status === 'InService' ? { autoscaling: await deployments.ensureAutoscaling(source.serving) } : {}) };
      if (state.status !== 'InService') await follow(deployments, record.modelPackageArn, endpoint, { ...options, timeoutMs: options.timeoutMs ?? FOLLOW_MARGIN_SECONDS * 1000 });
    } else {
      const { plan } = start;
      const policy = plan.deploymentConfig?.BlueGreenUpdatePolicy;
      const how = policy
        ? `blue/green: ${policy.TrafficRoutingConfiguration.CanarySize.Value}% canary watched ${formatSeconds(policy.TrafficRoutingConfiguration.WaitIntervalInSeconds)}, rolled back by ${plan.deploymentConfig?.AutoRollbackConfiguration.Alarms.map((a) => a.AlarmName).join(' or ')}`
        : plan.action === 'create'
          ? 'a new endpoint'
          : 'all at once';
      const variant = plan.endpointConfig.ProductionVariants[0];
      options.out(`${endpoint}: deploying ${group} version ${version} as ${plan.model.ModelName} on ${'InstanceType' in variant ? `${variant.InitialInstanceCount} x ${variant.InstanceType}` : 'serverless'} (${how})`);
      if (!options.wait) {
        options.out(`follow it with \`yolops models promote ${version} --target aws --wait\`${plan.action === 'create' ? ', which also registers autoscaling once the endpoint is InService' : ''}`);
        return { version, endpoint, outcome: 'started', status: start.before.exists ? 'Updating' : 'Creating' };
      }
      const limitSeconds = (policy?.MaximumExecutionTimeoutInSeconds ?? 0) + FOLLOW_MARGIN_SECONDS;
      await follow(deployments, record.modelPackageArn, endpoint, { ...options, timeoutMs: options.timeoutMs ?? limitSeconds * 1000 });
    }
    const scaling = await deployments.ensureAutoscaling(source.serving);
    if (scaling.kind === 'registered') options.out(`${endpoint}: autoscaling ${scaling.min}-${scaling.max} instances (${scaling.policy})`);
    const cleanedUp = await deployments.cleanUp('production');
    if (cleanedUp.models.length + cleanedUp.endpointConfigs.length > 0) options.out(`${endpoint}: removed ${cleanedUp.models.length} unused models and ${cleanedUp.endpointConfigs.length} unused endpoint configurations`);
    options.out(`${endpoint} serves ${group} version ${version}`);
    return { version, endpoint, outcome: start.kind === 'already-deployed' ? 'already-serving' : 'deployed', status: 'InService', autoscaling: scaling, cleanedUp };
  } finally {
    autoscaling.destroy();
    runtime.destroy();
  }
}

/** The deployments of this project with the session's credentials; the caller destroys the two extra clients. */
export function openDeployments(session: AwsSession) {
  const autoscaling = createApplicationAutoScalingClient(session.connection);
  const runtime = createSageMakerRuntimeClient(sageMakerRuntimeConnection(session));
  const deployments = new SageMakerDeployments(
    { sagemaker: session.sagemaker, autoscaling, runtime },
    { projectName: session.context.project_name, names: session.names, endpointRoleArn: endpointExecutionRoleArn(session.context) },
  );
  return { deployments, autoscaling, runtime };
}

/** Polls the production stage until the rollout of `modelPackageArn` ends; throws a CliError (exit 1) unless it serves. */
async function follow(deployments: SageMakerDeployments, modelPackageArn: string, endpoint: string, options: PromoteOptions & { timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    const state: StageState = await deployments.describeStage('production');
    const outcome: RolloutOutcome = judgeRollout(state, modelPackageArn);
    const line = `${endpoint}: ${state.status ?? 'absent'}`;
    if (line !== last) options.out(line);
    last = line;
    if (outcome.kind === 'deployed') return;
    if (outcome.kind === 'rolled-back') {
      const serving = outcome.serving ? `version ${outcome.serving.version}` : 'its previous model';
      throw new CliError(`${endpoint} rolled the update back and still serves ${serving}: ${outcome.reason}`, { exitCode: EXIT.failed });
    }
    if (outcome.kind === 'failed') throw new CliError(`${endpoint} failed: ${outcome.reason}`, { exitCode: EXIT.failed });
    if (Date.now() >= deadline) {
      throw new CliError(`${endpoint} is still ${state.status ?? 'changing'} after ${formatSeconds(options.timeoutMs / 1000)}; the update goes on: run \`yolops models promote <version> --target aws --wait\` again to follow it`, { exitCode: EXIT.failed });
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? DEFAULT_POLL_MS));
  }
}

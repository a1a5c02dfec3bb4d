import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  UpdateEndpointCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import type { ServingConfig } from '../../core/config/training-config.ts';
import { autoscalingPlan } from '../../core/deploy/autoscaling-plan.ts';
import { deploymentResourcePrefix, stageEndpointName, type DeployStage } from '../../core/deploy/deploy-stage.ts';
import { planDeployment, type DeploymentPlan } from '../../core/deploy/deployment-plan.ts';
import type { SmokeVerdict } from '../../core/deploy/smoke-check.ts';
import { servesVersion, SETTLED_STATUSES, type StageState } from '../../core/deploy/stage-state.ts';
import type { ResourceNames } from '../../core/naming.ts';
import type { ModelVersionRecord } from '../../core/registry/model-version.ts';
import { cleanUpStage, type CleanupResult } from './deployment-cleanup.ts';
import { deploymentCallError, EndpointBusyError, isAlreadyExists, isNotFound } from './deployment-errors.ts';
import { applyAutoscaling, removeAutoscaling } from './endpoint-autoscaling.ts';
import { smokeTestEndpoint } from './endpoint-smoke-test.ts';
import { readStage } from './stage-reader.ts';

export interface DeploymentClients {
  sagemaker: SageMakerClient;
  autoscaling: ApplicationAutoScalingClient;
  runtime: SageMakerRuntimeClient;
}

export interface DeploymentSettings {
  /** cdk.json's project_name: the prefix of every model and endpoint configuration. */
  projectName: string;
  names: ResourceNames;
  /** The role the endpoints' models run as (the ServingStack's endpoint execution role). */
  endpointRoleArn: string;
  /** How long to wait for a Failed endpoint to be deleted before it is created again. @default 120000 */
  deleteWaitMs?: number;
  /** @default 5000 */
  pollIntervalMs?: number;
}

export type DeploymentStart =
  /** CreateEndpoint or UpdateEndpoint was called; the endpoint is now Creating or Updating. */
  | { kind: 'started'; plan: DeploymentPlan; before: StageState }
  /** The stage serves the version already, or is being updated to it: nothing was created. */
  | { kind: 'already-deployed'; state: StageState };

export type AutoscalingOutcome = { kind: 'registered'; min: number; max: number; policy: string } | { kind: 'waiting'; reason: string };

/**
 * Deploys registered versions to the stages' SageMaker endpoints (plans from src/core/deploy), reads back what each
 * stage serves, smoke-tests an endpoint and removes what a stage no longer uses. The deployer Lambda uses it for
 * staging, `yolops models promote --target aws` for production.
 */
export class SageMakerDeployments {
  private readonly clients: DeploymentClients;
  private readonly settings: DeploymentSettings;

  constructor(clients: DeploymentClients, settings: DeploymentSettings) {
    this.clients = clients;
    this.settings = settings;
  }

  endpointName(stage: DeployStage): string {
    return stageEndpointName(this.settings.names, stage);
  }

  /** What the stage serves now, what it is being updated to, and its status. */
  describeStage(stage: DeployStage): Promise<StageState> {
    return readStage(this.clients.sagemaker, stage, this.endpointName(stage));
  }

  /**
   * Deploys `record` to `stage`: CreateModel (tagged with the version), CreateEndpointConfig, then CreateEndpoint,
   * or UpdateEndpoint (production's blue/green with canary and rollback alarms when the endpoint runs on
   * instances). Idempotent: a stage that serves the version, or is being updated to it, is left alone, and the same
   * `at` names the same model, so a second delivery of one approval event creates nothing. A stage busy with
   * another deployment is an EndpointBusyError; a version that cannot go there a DeploymentRefusedError (before
   * anything is created). What this call created is deleted again when a later step of it fails.
   */
  async deployVersion(stage: DeployStage, record: ModelVersionRecord, serving: ServingConfig, options: { at: Date }): Promise<DeploymentStart> {
    const before = await this.describeStage(stage);
    const failed = before.status === 'Failed';
    if (before.exists && !failed) {
      if (servesVersion(before.current, record.modelPackageArn) || servesVersion(before.pending, record.modelPackageArn)) return { kind: 'already-deployed', state: before };
      if (before.status === undefined || !SETTLED_STATUSES.has(before.status)) throw busy(before);
    }
    const plan = planDeployment({
      record,
      serving,
      stage,
      projectName: this.settings.projectName,
      names: this.settings.names,
      endpointRoleArn: this.settings.endpointRoleArn,
      at: options.at,
      current: before.exists && !failed ? { ...(before.current?.instanceType ? { instanceType: before.current.instanceType } : {}), ...(before.current?.instanceCount ? { instanceCount: before.current.instanceCount } : {}) } : undefined,
    });
    // A Failed endpoint cannot be updated: it is deleted and created again (it served nothing).
    if (failed) await this.deleteFailedEndpoint(plan.endpointName);

    const created = { model: false, config: false };
    try {
      created.model = await this.create('CreateModel', `model ${plan.model.ModelName}`, () => this.clients.sagemaker.send(new CreateModelCommand(plan.model)));
      created.config = await this.create('CreateEndpointConfig', `endpoint configuration ${plan.endpointConfig.EndpointConfigName}`, () =>
        this.clients.sagemaker.send(new CreateEndpointConfigCommand(plan.endpointConfig)),
      );
      if (plan.pauseAutoscaling && plan.autoscaling) await removeAutoscaling(this.clients.autoscaling, plan.autoscaling);
      await this.switchEndpoint(plan);
    } catch (error) {
      // Another invocation may have started the same deployment meanwhile (the endpoint is then busy with it).
      const after = await this.describeStage(stage).catch(() => undefined);
      if (after && servesVersion(after.pending ?? after.current, record.modelPackageArn)) return { kind: 'already-deployed', state: after };
      await this.discard(plan, created);
      throw error;
    }
    return { kind: 'started', plan, before: failed ? { ...before, exists: false } : before };
  }

  /**
   * Production's autoscaling, once its endpoint is InService (Application Auto Scaling registers a variant of an
   * endpoint in service; after an update that changed the instance type it was deregistered and comes back here).
   */
  async ensureAutoscaling(serving: ServingConfig): Promise<AutoscalingOutcome> {
    const state = await this.describeStage('production');
    if (!state.exists || state.status !== 'InService') return { kind: 'waiting', reason: `the endpoint ${state.endpointName} is ${state.exists ? state.status : 'absent'}` };
    if (state.current?.instanceType === undefined) return { kind: 'waiting', reason: `the endpoint ${state.endpointName} does not run on instances` };
    const plan = autoscalingPlan(state.endpointName, serving);
    await applyAutoscaling(this.clients.autoscaling, plan);
    return { kind: 'registered', min: plan.target.MinCapacity, max: plan.target.MaxCapacity, policy: plan.policy.PolicyName };
  }

  /** Sends the smoke image to the stage's endpoint and judges the answer. */
  smokeTest(stage: DeployStage): Promise<SmokeVerdict> {
    return smokeTestEndpoint(this.clients.runtime, this.endpointName(stage));
  }

  /** Deletes the stage's models and endpoint configurations that are not in use (see cleanUpStage). */
  async cleanUp(stage: DeployStage): Promise<CleanupResult> {
    return cleanUpStage(this.clients.sagemaker, await this.describeStage(stage), deploymentResourcePrefix(this.settings.projectName, stage));
  }

  private async switchEndpoint(plan: DeploymentPlan): Promise<void> {
    const EndpointName = plan.endpointName;
    const EndpointConfigName = plan.endpointConfig.EndpointConfigName;
    if (plan.action === 'create') {
      try {
        await this.clients.sagemaker.send(new CreateEndpointCommand({ EndpointName, EndpointConfigName, Tags: plan.model.Tags.filter((t) => t.Key === 'yolops:stage') }));
      } catch (error) {
        throw deploymentCallError(error, 'CreateEndpoint', `endpoint ${EndpointName}`);
      }
      return;
    }
    try {
      await this.clients.sagemaker.send(new UpdateEndpointCommand({ EndpointName, EndpointConfigName, ...(plan.deploymentConfig ? { DeploymentConfig: plan.deploymentConfig } : {}) }));
    } catch (error) {
      throw deploymentCallError(error, 'UpdateEndpoint', `endpoint ${EndpointName}`);
    }
  }

  /** Runs a Create call; true when it created the thing, false when it existed already (a repeated deployment). */
  private async create(operation: string, subject: string, send: () => Promise<unknown>): Promise<boolean> {
    try {
      await send();
      return true;
    } catch (error) {
      if (isAlreadyExists(error)) return false;
      throw deploymentCallError(error, operation, subject);
    }
  }

  /** Best effort: the failure being reported matters more than one of these. */
  private async discard(plan: DeploymentPlan, created: { model: boolean; config: boolean }): Promise<void> {
    if (created.config) await this.clients.sagemaker.send(new DeleteEndpointConfigCommand({ EndpointConfigName: plan.endpointConfig.EndpointConfigName })).catch(() => undefined);
    if (created.model) await this.clients.sagemaker.send(new DeleteModelCommand({ ModelName: plan.model.ModelName })).catch(() => undefined);
  }

  private async deleteFailedEndpoint(endpointName: string): Promise<void> {
    try {
      await this.clients.sagemaker.send(new DeleteEndpointCommand({ EndpointName: endpointName }));
    } catch (error) {
      if (!isNotFound(error)) throw deploymentCallError(error, 'DeleteEndpoint', `endpoint ${endpointName}`);
    }
    const deadline = Date.now() + (this.settings.deleteWaitMs ?? 120_000);
    for (;;) {
      const state = await readStage(this.clients.sagemaker, 'staging', endpointName);
      if (!state.exists) return;
      if (Date.now() >= deadline) throw new EndpointBusyError(endpointName, state.status ?? 'Deleting', ' (the Failed endpoint is being deleted to be created again)');
      await new Promise((resolve) => setTimeout(resolve, this.settings.pollIntervalMs ?? 5000));
    }
  }
}

function busy(state: StageState): EndpointBusyError {
  const target = state.pending?.version ? ` (deploying version ${state.pending.version.version})` : '';
  return new EndpointBusyError(state.endpointName, state.status ?? 'in an unknown state', target);
}

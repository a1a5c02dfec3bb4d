import {
  AwsProbeError,
  bucketState,
  CDK_BOOTSTRAP,
  cdkBootstrapState,
  describeStack,
  findQuotasByName,
  mlflowAppStatus,
  mlflowTrackingServerState,
  modelPackageGroupStatus,
  pipelineStatus,
  quotaIncreaseUrl,
  ssmParameterValue,
  trainingQuotaNames,
  type BucketState,
  type CdkBootstrapState,
  type QuotaValue,
  type StackState,
  type TrackingServerState,
} from '../../aws/index.ts';
import type { TrainingConfig } from '../../core/config/training-config.ts';
import type { AwsSession } from '../aws-session.ts';
import { explainAwsFailure } from '../aws-errors.ts';
import { fail, ok, oneLine, warn, type Finding } from './finding.ts';

/** Run from the folder of cdk.json; creates or updates all three stacks. */
const DEPLOY = 'deploy the stacks: npx cdk deploy --all';
const QUOTA_SERVICE = 'sagemaker';

/**
 * Runs `run`; when it throws (the identity may not call the API, the endpoint does not implement it, the network
 * failed), each of `checks` becomes a warning "could not check (...)" with the way to look by hand, so one
 * unanswerable question never hides the other findings.
 */
export async function guarded(checks: readonly string[], byHand: string, run: () => Promise<Finding[]>): Promise<Finding[]> {
  try {
    return await run();
  } catch (error) {
    return checks.map((check) => warn(check, `could not check (${checkFailureReason(error)})`, byHand));
  }
}

function checkFailureReason(error: unknown): string {
  if (error instanceof AwsProbeError) return `${error.operation}: ${error.reason}`;
  const explained = explainAwsFailure(error);
  return oneLine(explained instanceof Error ? explained.message : String(explained));
}

// --- the CDK bootstrap -------------------------------------------------------------------------------------------

export function bootstrapFinding(state: CdkBootstrapState, account: string, region: string): Finding {
  const check = 'cdk bootstrap';
  const bootstrap = `bootstrap it: npx cdk bootstrap aws://${account}/${region}`;
  const { stack, parameterVersion } = state;
  if (!stack && parameterVersion === undefined) {
    return fail(check, `${account}/${region} is not bootstrapped for the CDK (no ${CDK_BOOTSTRAP.stackName} stack, no SSM parameter ${CDK_BOOTSTRAP.versionParameter})`, bootstrap);
  }
  if (stack && stackHealth(stack.status) === 'broken') {
    return fail(check, `the ${stack.name} stack is ${stack.status}`, `see its events in the CloudFormation console, delete it if it never finished, then ${bootstrap}`);
  }
  const fromOutput = Number(stack?.outputs[CDK_BOOTSTRAP.versionOutput]);
  const version = parameterVersion ?? (Number.isInteger(fromOutput) ? fromOutput : undefined);
  const source = parameterVersion !== undefined ? CDK_BOOTSTRAP.versionParameter : `the ${CDK_BOOTSTRAP.versionOutput} output of ${CDK_BOOTSTRAP.stackName}`;
  if (version === undefined) return warn(check, `the ${CDK_BOOTSTRAP.stackName} stack exists but shows no bootstrap version`, bootstrap);
  if (version < CDK_BOOTSTRAP.minimumVersion) {
    return fail(check, `bootstrap version ${version} (${source}) is older than ${CDK_BOOTSTRAP.minimumVersion}, the oldest the stacks deploy with`, bootstrap);
  }
  return ok(check, `bootstrapped, version ${version} (${source})`);
}

export async function checkBootstrap(session: AwsSession, account: string): Promise<Finding[]> {
  return guarded(['cdk bootstrap'], `look by hand: aws cloudformation describe-stacks --stack-name ${CDK_BOOTSTRAP.stackName}`, async () => [
    bootstrapFinding(await cdkBootstrapState(session.cloudFormation, session.ssm), account, session.region),
  ]);
}

// --- the three stacks --------------------------------------------------------------------------------------------

type StackHealth = 'ready' | 'busy' | 'degraded' | 'broken';

/**
 * ROLLBACK_COMPLETE is a stack whose creation failed (it must be deleted before a deploy); a rolled-back update
 * leaves the previous, working version, so it only warns.
 */
function stackHealth(status: string): StackHealth {
  if (status === 'ROLLBACK_COMPLETE' || status === 'DELETE_COMPLETE' || status.endsWith('_FAILED')) return 'broken';
  if (status.endsWith('ROLLBACK_COMPLETE')) return 'degraded';
  if (status.endsWith('_COMPLETE')) return 'ready';
  return 'busy';
}

export function stackFinding(check: string, stackName: string, state: StackState | undefined): Finding {
  if (!state) return fail(check, `stack ${stackName} does not exist`, DEPLOY);
  switch (stackHealth(state.status)) {
    case 'ready':
      return ok(check, `stack ${stackName}: ${state.status}`);
    case 'degraded':
      return warn(check, `stack ${stackName} is ${state.status}: its last change was rolled back`, `see its events in the CloudFormation console, fix the cause, then ${DEPLOY}`);
    case 'busy':
      return warn(check, `stack ${stackName} is ${state.status}`, 'wait for it to finish (CloudFormation console), then run yolops doctor again');
    case 'broken':
      return fail(
        check,
        `stack ${stackName} is ${state.status}`,
        state.status === 'ROLLBACK_COMPLETE' ? `its creation failed: see its events, delete it (aws cloudformation delete-stack --stack-name ${stackName}), then ${DEPLOY}` : `see its events in the CloudFormation console, fix the cause, then ${DEPLOY}`,
      );
  }
}

export async function checkStacks(session: AwsSession): Promise<Finding[]> {
  const { names } = session;
  const stacks: [string, string][] = [
    ['shared stack', names.sharedResourcesStack],
    ['pipeline stack', names.pipelineStack],
    ['trigger stack', names.triggerStack],
    ['serving stack', names.servingStack],
    // Deployed only when cdk.json asks for the model-build CI.
    ...(session.context.model_build === undefined ? [] : [['model-build stack', names.modelBuildStack] as [string, string]]),
  ];
  const findings = await Promise.all(
    stacks.map(([check, name]) =>
      guarded([check], `look by hand: aws cloudformation describe-stacks --stack-name ${name}`, async () => [stackFinding(check, name, await describeStack(session.cloudFormation, name))]),
    ),
  );
  return findings.flat();
}

// --- what the stacks create --------------------------------------------------------------------------------------

export function pipelineFinding(pipelineName: string, status: string | undefined): Finding {
  if (status === undefined) return fail('pipeline', `pipeline ${pipelineName} does not exist`, DEPLOY);
  if (status === 'Active') return ok('pipeline', `pipeline ${pipelineName}: ${status}`);
  return fail('pipeline', `pipeline ${pipelineName} is ${status}`, DEPLOY);
}

export async function checkPipeline(session: AwsSession): Promise<Finding[]> {
  const name = session.names.pipeline;
  return guarded(['pipeline'], `look by hand: aws sagemaker describe-pipeline --pipeline-name ${name}`, async () => [pipelineFinding(name, await pipelineStatus(session.sagemaker, name))]);
}

export function bucketFinding(check: string, bucket: string, state: BucketState): Finding {
  if (state === 'exists') return ok(check, `s3://${bucket} exists`);
  if (state === 'missing') return fail(check, `s3://${bucket} does not exist`, DEPLOY);
  return fail(
    check,
    `s3://${bucket} exists but these credentials may not use it (HTTP 403)`,
    'use a profile or role of the account that deployed it; if another account owns the name, change project_name in cdk.json',
  );
}

export async function checkTrainingBucket(session: AwsSession): Promise<Finding[]> {
  const bucket = session.names.trainingDataBucket;
  return guarded(['training bucket'], `look by hand: aws s3api head-bucket --bucket ${bucket}`, async () => [bucketFinding('training bucket', bucket, await bucketState(session.s3, bucket))]);
}

export function modelPackageGroupFinding(groupName: string, status: string | undefined): Finding {
  const check = 'model package group';
  if (status === undefined) return fail(check, `model package group ${groupName} does not exist`, DEPLOY);
  if (status === 'Completed') return ok(check, `model package group ${groupName}: ${status}`);
  if (status === 'Pending' || status === 'InProgress') return warn(check, `model package group ${groupName} is ${status}`, 'wait a minute and run yolops doctor again');
  return fail(check, `model package group ${groupName} is ${status}`, DEPLOY);
}

export async function checkModelPackageGroup(session: AwsSession): Promise<Finding[]> {
  const name = session.names.modelPackageGroup;
  return guarded(['model package group'], `look by hand: aws sagemaker describe-model-package-group --model-package-group-name ${name}`, async () => [
    modelPackageGroupFinding(name, await modelPackageGroupStatus(session.sagemaker, name)),
  ]);
}

// --- training capacity -------------------------------------------------------------------------------------------

export interface QuotaCheck {
  check: string;
  quotaName: string;
  /** Whether executions use this capacity unless they choose otherwise (training-config.json's use_spot_instances). */
  isDefault: boolean;
}

/**
 * A quota of 0 means no training job can start on that capacity. For the capacity executions use by default
 * that is a failure; for the other one (UseSpotInstances chosen per execution) a warning.
 */
export function quotaFinding(quota: QuotaCheck, value: QuotaValue | undefined, instanceType: string, region: string): Finding {
  const { check, quotaName } = quota;
  if (value === undefined) {
    return warn(check, `Service Quotas lists no quota "${quotaName}" in ${region}`, `check that ${instanceType} is offered for SageMaker training in ${region}, or pick another instance_type in training-config.json`);
  }
  if (value.value >= 1) return ok(check, `"${quotaName}": ${value.value} (${value.source === 'applied' ? 'applied to the account' : 'AWS default'})`);
  const detail = `"${quotaName}" is 0 in ${region}: no training job can start on ${instanceType}${quota.isDefault ? '' : ' with this capacity'}`;
  const fix = `request an increase: ${quotaIncreaseUrl(region, QUOTA_SERVICE, value.code)}`;
  return quota.isDefault ? fail(check, detail, fix) : warn(check, detail, fix);
}

export function trainingQuotaChecks(training: Pick<TrainingConfig, 'instance_type' | 'use_spot_instances'>): QuotaCheck[] {
  const names = trainingQuotaNames(training.instance_type);
  return [
    { check: 'training quota', quotaName: names.onDemand, isDefault: !training.use_spot_instances },
    { check: 'spot training quota', quotaName: names.spot, isDefault: training.use_spot_instances },
  ];
}

export async function checkTrainingQuotas(session: AwsSession, training: Pick<TrainingConfig, 'instance_type' | 'use_spot_instances'>): Promise<Finding[]> {
  const checks = trainingQuotaChecks(training);
  const byHand = `look by hand: aws service-quotas list-service-quotas --service-code ${QUOTA_SERVICE} --query "Quotas[?starts_with(QuotaName, '${training.instance_type} ')]"`;
  return guarded(
    checks.map((c) => c.check),
    byHand,
    async () => {
      const found = await findQuotasByName(session.serviceQuotas, QUOTA_SERVICE, checks.map((c) => c.quotaName));
      return checks.map((c) => quotaFinding(c, found.get(c.quotaName), training.instance_type, session.region));
    },
  );
}

// --- MLflow ------------------------------------------------------------------------------------------------------

const MLFLOW_READY = new Set(['Created', 'Updated', 'Started', 'MaintenanceComplete']);
const MLFLOW_BUSY = new Set(['Creating', 'Updating', 'Starting', 'Stopping', 'Deleting', 'MaintenanceInProgress']);

export function mlflowAppFinding(appArn: string, parameter: string, status: string | undefined): Finding {
  if (status === undefined) return fail('mlflow', `the MLflow App ${appArn} (from ${parameter}) does not exist`, DEPLOY);
  if (MLFLOW_READY.has(status)) return ok('mlflow', `MLflow App ${appArn}: ${status}`);
  if (MLFLOW_BUSY.has(status)) return warn('mlflow', `MLflow App ${appArn} is ${status}`, 'wait for it to finish and run yolops doctor again');
  return fail('mlflow', `MLflow App ${appArn} is ${status}`, `see the App in the SageMaker console (MLflow), then ${DEPLOY}`);
}

export function trackingServerFinding(serverName: string, state: TrackingServerState | undefined): Finding {
  if (state === undefined) return fail('mlflow', `MLflow tracking server ${serverName} does not exist`, DEPLOY);
  const start = `start it: aws sagemaker start-mlflow-tracking-server --tracking-server-name ${serverName}`;
  if (state.status === 'Stopped' || state.isActive === 'Inactive') return warn('mlflow', `MLflow tracking server ${serverName} is ${state.status} (${state.isActive ?? 'activity unknown'})`, start);
  if (MLFLOW_READY.has(state.status)) return ok('mlflow', `MLflow tracking server ${serverName}: ${state.status}, ${state.isActive ?? 'activity unknown'}`);
  if (MLFLOW_BUSY.has(state.status)) return warn('mlflow', `MLflow tracking server ${serverName} is ${state.status}`, 'wait for it to finish and run yolops doctor again');
  return fail('mlflow', `MLflow tracking server ${serverName} is ${state.status}`, `see it in the SageMaker console (MLflow); ${state.status === 'StartFailed' ? start : DEPLOY}`);
}

/**
 * cdk.json `mlflow`: an App is found through the SSM parameter the shared stack writes (its ARN carries an id
 * SageMaker generates); a tracking server by its name.
 */
export async function checkMlflow(session: AwsSession): Promise<Finding[]> {
  const { names } = session;
  if (session.context.mlflow === 'tracking-server') {
    const name = names.mlflowTrackingServer;
    return guarded(['mlflow'], `look by hand: aws sagemaker describe-mlflow-tracking-server --tracking-server-name ${name}`, async () => [
      trackingServerFinding(name, await mlflowTrackingServerState(session.sagemaker, name)),
    ]);
  }
  const parameter = names.mlflowTrackingUriParameter;
  return guarded(['mlflow'], `look by hand: aws ssm get-parameter --name ${parameter}`, async () => {
    const appArn = await ssmParameterValue(session.ssm, parameter);
    if (appArn === undefined) return [fail('mlflow', `no SSM parameter ${parameter}: the MLflow App is not deployed`, DEPLOY)];
    let status: string | undefined;
    try {
      status = await mlflowAppStatus(session.sagemaker, appArn);
    } catch (error) {
      // The parameter is there, so the App was deployed; only its state is unknown.
      return [warn('mlflow', `could not check (${checkFailureReason(error)}): ${parameter} holds ${appArn}`, `look by hand: aws sagemaker describe-mlflow-app --arn ${appArn}`)];
    }
    return [mlflowAppFinding(appArn, parameter, status)];
  });
}

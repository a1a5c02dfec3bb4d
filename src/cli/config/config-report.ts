import { CDK_CONTEXT_KEYS, type CdkContext } from '../../core/config/cdk-context.ts';
import { localTrainingConfig, type TrainingConfig } from '../../core/config/training-config.ts';
import { resourceNames, type ResourceNames } from '../../core/naming.ts';
import { loadMetricDefinitions, synthesizeTrainingPipeline, type ParameterJson } from '../../core/pipeline/index.ts';
import { callerIdentity } from '../../aws/index.ts';
import { explainAwsFailure } from '../aws-errors.ts';
import { endpointOverride, resolveRegion, type AwsSession } from '../aws-session.ts';
import { loadProjectConfig, type Project } from '../project.ts';
import type { Target } from '../target.ts';
import { join } from 'node:path';

/** A part of the report that needs a call to AWS, or why it could not be made. */
export type NeedsCredentials<T> = { available: true; value: T } | { available: false; reason: string };

export interface AwsConfigReport {
  region: { value: string; source: string } | { problem: string };
  /** AWS_ENDPOINT_URL, when the clients talk to another endpoint than AWS's. */
  endpoint?: string;
  /** The account cdk.json deploys to. */
  configuredAccount: string;
  /** Whose credentials are in use (STS GetCallerIdentity): the one part that needs credentials. */
  caller: NeedsCredentials<{ account: string; arn: string; matchesCdkJson: boolean }>;
}

export interface ConfigReport {
  target: Target;
  files: { project: string; cdkJson: string; trainingConfigJson: string; localRoot: string };
  /** cdk.json's yolops keys, validated, defaults filled in. */
  cdkContext: CdkContext;
  /** training-config.json, validated, defaults filled in. */
  trainingConfig: TrainingConfig;
  /** What the runs of this target use: with `local_overrides` applied on the local target. */
  effectiveTrainingConfig: TrainingConfig;
  resourceNames: ResourceNames;
  /** The compiled definition's parameters with the defaults this target's runs get. */
  pipelineParameters: ParameterJson[];
  aws?: AwsConfigReport;
}

export interface ConfigReportInputs {
  project: Project;
  target: Target;
  env: NodeJS.ProcessEnv;
  openSession: () => Promise<AwsSession>;
}

/** Everything the configuration resolves to; only `aws.caller` calls AWS. */
export async function buildConfigReport(inputs: ConfigReportInputs): Promise<ConfigReport> {
  const { project, target } = inputs;
  const config = loadProjectConfig(project);
  const effective = target === 'local' ? localTrainingConfig(config.training) : config.training;
  const { definition } = synthesizeTrainingPipeline({
    context: config.context,
    training: effective,
    metricDefinitions: loadMetricDefinitions(join(project.trainingCodeDir, 'metric_definitions.json')),
  });
  const cdkContext = Object.fromEntries(CDK_CONTEXT_KEYS.filter((key) => config.context[key] !== undefined).map((key) => [key, config.context[key]])) as CdkContext;
  return {
    target,
    files: { project: project.dir, cdkJson: project.cdkJson, trainingConfigJson: project.trainingConfigJson, localRoot: project.localRoot },
    cdkContext,
    trainingConfig: config.training,
    effectiveTrainingConfig: effective,
    resourceNames: resourceNames(config.context),
    pipelineParameters: definition.Parameters,
    ...(target === 'aws' ? { aws: await awsPart(config.context, inputs) } : {}),
  };
}

async function awsPart(context: CdkContext, inputs: ConfigReportInputs): Promise<AwsConfigReport> {
  const endpoint = endpointOverride(inputs.env);
  const base = { configuredAccount: context.aws_account_id, ...(endpoint === undefined ? {} : { endpoint }) };
  let region: AwsConfigReport['region'];
  try {
    const resolved = await resolveRegion(context, inputs.env);
    region = { value: resolved.region, source: resolved.source };
  } catch (error) {
    const reason = messageOf(error);
    return { ...base, region: { problem: reason }, caller: { available: false, reason: `not asked: ${reason}` } };
  }
  try {
    const session = await inputs.openSession();
    const identity = await callerIdentity(session.sts);
    return { ...base, region, caller: { available: true, value: { ...identity, matchesCdkJson: identity.account === context.aws_account_id } } };
  } catch (error) {
    return { ...base, region, caller: { available: false, reason: messageOf(error) } };
  }
}

function messageOf(error: unknown): string {
  const explained = explainAwsFailure(error);
  return explained instanceof Error ? explained.message : String(explained);
}

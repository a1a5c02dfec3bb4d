import { callerIdentity, type CallerIdentity } from '../../aws/index.ts';
import type { CdkContext } from '../../core/config/cdk-context.ts';
import type { TrainingConfig } from '../../core/config/training-config.ts';
import { explainAwsFailure } from '../aws-errors.ts';
import { resolveRegion, type AwsSession } from '../aws-session.ts';
import { checkBootstrap, checkMlflow, checkModelPackageGroup, checkPipeline, checkStacks, checkTrainingBucket, checkTrainingQuotas } from './aws-checks.ts';
import { fail, ok, oneLine, warn, type Finding } from './finding.ts';

/** The checks that need credentials of cdk.json's account, in the order they are printed. */
const DEPLOYMENT_CHECKS = ['cdk bootstrap', 'shared stack', 'pipeline stack', 'trigger stack', 'pipeline', 'training bucket', 'model package group', 'training quota', 'spot training quota', 'mlflow'] as const;

export interface AwsDoctorInputs {
  context: CdkContext;
  training: TrainingConfig;
  env: NodeJS.ProcessEnv;
  /** The CLI's AWS session (CliContext.aws): region and credentials resolved, clients built. */
  openSession: () => Promise<AwsSession>;
}

/**
 * The AWS target's checks: region, then credentials and their account, then (only when those hold, since every
 * other answer would be about the wrong place) the deployment, its checks run side by side.
 */
export async function awsDoctor(inputs: AwsDoctorInputs): Promise<Finding[]> {
  const { context } = inputs;
  const findings: Finding[] = [];
  // One line for all that was skipped: the same reason ten times over would bury the finding that matters.
  const notChecked = (why: string, after: string): Finding[] => [warn('deployment', `not checked (${DEPLOYMENT_CHECKS.join(', ')}): ${why}`, `fix the ${after} finding first`)];

  try {
    const region = await resolveRegion(context, inputs.env);
    findings.push(ok('region', `${region.region} (from ${region.source})`));
  } catch (error) {
    findings.push(fail('region', messageOf(error), `set AWS_REGION=${context.aws_region}, or change aws_region in cdk.json`));
    return [...findings, ...notChecked('the region is not cdk.json\'s', 'region')];
  }

  let session: AwsSession;
  let identity: CallerIdentity;
  try {
    session = await inputs.openSession();
    identity = await callerIdentity(session.sts);
  } catch (error) {
    findings.push(fail('credentials', messageOf(error), `sign in to account ${context.aws_account_id}: aws configure, or aws sso login --profile <name> and AWS_PROFILE=<name>`));
    return [...findings, ...notChecked('no working credentials', 'credentials')];
  }
  if (identity.account !== context.aws_account_id) {
    findings.push(
      fail(
        'credentials',
        `the credentials are for account ${identity.account} (${identity.arn}) but cdk.json deploys to account ${context.aws_account_id}`,
        `use a profile or role of account ${context.aws_account_id} (AWS_PROFILE), or set aws_account_id to ${identity.account} in cdk.json if that is the account to deploy to`,
      ),
    );
    return [...findings, ...notChecked(`the credentials are for account ${identity.account}`, 'credentials')];
  }
  findings.push(ok('credentials', `${identity.arn} (account ${identity.account}, as in cdk.json)`));

  const deployment = await Promise.all([
    checkBootstrap(session, identity.account),
    checkStacks(session),
    checkPipeline(session),
    checkTrainingBucket(session),
    checkModelPackageGroup(session),
    checkTrainingQuotas(session, inputs.training),
    checkMlflow(session),
  ]);
  return [...findings, ...deployment.flat()];
}

function messageOf(error: unknown): string {
  const explained = explainAwsFailure(error);
  return oneLine(explained instanceof Error ? explained.message : String(explained));
}

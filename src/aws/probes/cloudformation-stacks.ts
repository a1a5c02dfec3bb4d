import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { SSMClient } from '@aws-sdk/client-ssm';
import * as z from 'zod';
import { probeAnswer, probeCall } from './probe-call.ts';
import { ssmParameterValue } from './ssm-parameter.ts';

export interface StackState {
  name: string;
  /** CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, ... */
  status: string;
  outputs: Record<string, string>;
}

const describeStacksSchema = z.object({
  Stacks: z
    .array(
      z.object({
        StackName: z.string(),
        StackStatus: z.string().min(1),
        Outputs: z.array(z.object({ OutputKey: z.string().optional(), OutputValue: z.string().optional() })).nullish(),
      }),
    )
    .min(1),
});

/** A stack's status and outputs; undefined when no stack has that name (CloudFormation: "Stack with id X does not exist"). */
export async function describeStack(cloudFormation: CloudFormationClient, stackName: string): Promise<StackState | undefined> {
  const answer = await probeCall(
    'DescribeStacks',
    () => cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })),
    (info) => info.name === 'ValidationError' && /does not exist/.test(info.message),
  );
  if (answer === undefined) return undefined;
  const stack = probeAnswer('DescribeStacks', describeStacksSchema, answer).Stacks[0];
  if (stack === undefined) return undefined;
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) if (output.OutputKey !== undefined && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  return { name: stack.StackName, status: stack.StackStatus, outputs };
}

/** What `cdk bootstrap` leaves with the default qualifier (DefaultStackSynthesizer.DEFAULT_QUALIFIER). */
export const CDK_BOOTSTRAP = {
  stackName: 'CDKToolkit',
  qualifier: 'hnb659fds',
  versionOutput: 'BootstrapVersion',
  versionParameter: '/cdk-bootstrap/hnb659fds/version',
  /** The oldest bootstrap version the default synthesizer deploys with (its MIN_BOOTSTRAP_STACK_VERSION). */
  minimumVersion: 6,
} as const;

export interface CdkBootstrapState {
  /** The CDKToolkit stack, when it exists under that name. */
  stack?: StackState;
  /** The version the SSM parameter holds: what `cdk deploy` checks before deploying. */
  parameterVersion?: number;
}

/** The CDK bootstrap of the account and region, looked up both ways (a renamed toolkit stack still writes the parameter). */
export async function cdkBootstrapState(cloudFormation: CloudFormationClient, ssm: SSMClient): Promise<CdkBootstrapState> {
  const [stack, parameter] = await Promise.all([describeStack(cloudFormation, CDK_BOOTSTRAP.stackName), ssmParameterValue(ssm, CDK_BOOTSTRAP.versionParameter)]);
  const parameterVersion = parameter === undefined ? undefined : Number(parameter);
  return { ...(stack ? { stack } : {}), ...(parameterVersion !== undefined && Number.isInteger(parameterVersion) ? { parameterVersion } : {}) };
}

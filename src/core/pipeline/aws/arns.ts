import type { CdkContext } from '../../config/cdk-context.ts';
import { resourceNames } from '../../naming.ts';
import { partitionOf } from './partition.ts';

type ArnContext = Pick<CdkContext, 'aws_account_id' | 'aws_region' | 'project_name'>;

/**
 * ARNs of resources the stacks create, written out from cdk.json alone so that the pipeline definition is a
 * plain string (no CloudFormation tokens) that the CLI, the local runner and CDK all see identically.
 */
export function sagemakerExecutionRoleArn(context: ArnContext): string {
  return `arn:${partitionOf(context.aws_region)}:iam::${context.aws_account_id}:role/${resourceNames(context).sagemakerExecutionRole}`;
}

export function mlflowTrackingServerArn(context: ArnContext): string {
  const { aws_region: region, aws_account_id: account } = context;
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:mlflow-tracking-server/${resourceNames(context).mlflowTrackingServer}`;
}

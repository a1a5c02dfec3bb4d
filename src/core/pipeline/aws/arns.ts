import { DEFAULT_MLFLOW_KIND, type CdkContext } from '../../config/cdk-context.ts';
import { resourceNames } from '../../naming.ts';
import { partitionOf } from './partition.ts';

type ArnContext = Pick<CdkContext, 'aws_account_id' | 'aws_region' | 'project_name'>;
/** `mlflow` is optional so that callers holding only the ARN keys get the default kind. */
type MlflowArnContext = ArnContext & Partial<Pick<CdkContext, 'mlflow'>>;

/**
 * ARNs of resources the stacks create, written out from cdk.json alone so that the pipeline definition is a
 * plain string (no CloudFormation tokens) that the CLI, the local runner and CDK all see identically.
 */
export function sagemakerExecutionRoleArn(context: ArnContext): string {
  return `arn:${partitionOf(context.aws_region)}:iam::${context.aws_account_id}:role/${resourceNames(context).sagemakerExecutionRole}`;
}

/** The role the endpoints' models run as (ServingStack): the one role a deployment passes. */
export function endpointExecutionRoleArn(context: ArnContext): string {
  return `arn:${partitionOf(context.aws_region)}:iam::${context.aws_account_id}:role/${resourceNames(context).endpointExecutionRole}`;
}

/**
 * Stands for the ARN of the MLflow App in the compiled definition. SageMaker names an App's ARN after an id it
 * generates at creation (`mlflow-app/app-...`; the App's name is not part of it), so cdk.json cannot spell it
 * out. The pipeline stack puts the deployed App's ARN in its place (read at deploy time from the SSM parameter
 * `resourceNames(context).mlflowTrackingUriParameter`); elsewhere (`yolops pipeline synth`) it stays as it is,
 * and the local runner always passes its own MlflowTrackingUri.
 */
export function mlflowAppArnPlaceholder(context: ArnContext): string {
  const { aws_region: region, aws_account_id: account } = context;
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:mlflow-app/{id-of-${resourceNames(context).mlflowApp}-set-at-deploy}`;
}

/**
 * The MLflow tracking URI the jobs default to (the MlflowTrackingUri parameter): the ARN of the MLflow resource
 * cdk.json's `mlflow` chooses. SageMaker's API calls both an MLflow App's ARN and a tracking server's "the
 * tracking server ARN", and the sagemaker-mlflow plugin takes either; for an App it is
 * {@link mlflowAppArnPlaceholder} until the pipeline stack deploys.
 */
export function mlflowTrackingServerArn(context: MlflowArnContext): string {
  if ((context.mlflow ?? DEFAULT_MLFLOW_KIND) === 'app') return mlflowAppArnPlaceholder(context);
  const { aws_region: region, aws_account_id: account } = context;
  return `arn:${partitionOf(region)}:sagemaker:${region}:${account}:mlflow-tracking-server/${resourceNames(context).mlflowTrackingServer}`;
}

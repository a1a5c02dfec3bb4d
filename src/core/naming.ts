import type { CdkContext } from './config/cdk-context.ts';

/**
 * Every resource name, from one place: `{project}-{resource-type}-{account}` for globally unique names
 * (S3 buckets), `{project}-{resource-type}` otherwise, as in the main seed's naming convention.
 */
export function resourceNames(context: Pick<CdkContext, 'project_name' | 'aws_account_id'>) {
  const p = context.project_name;
  const account = context.aws_account_id;
  return {
    trainingDataBucket: `${p}-training-data-${account}`,
    modelArtifactsBucket: `${p}-model-artifacts-${account}`,
    mlflowArtifactsBucket: `${p}-mlflow-artifacts-${account}`,
    accessLogsBucket: `${p}-access-logs-${account}`,
    sagemakerExecutionRole: `${p}-sagemaker-execution-role`,
    pipelineRole: `${p}-pipeline-role`,
    lambdaExecutionRole: `${p}-lambda-execution-role`,
    mlflowServerRole: `${p}-mlflow-server-role`,
    githubDeployRole: `${p}-github-deploy-role`,
    pipeline: `${p}-yolo-training-pipeline`,
    modelPackageGroup: `${p}-yolo-models`,
    triggerFunction: `${p}-training-trigger`,
    notificationsTopic: `${p}-notifications`,
    mlflowTrackingServer: `${p}-mlflow`,
  } as const;
}

export type ResourceNames = ReturnType<typeof resourceNames>;

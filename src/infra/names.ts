import type { CdkContext } from '../core/config/cdk-context.ts';
import { resourceNames } from '../core/naming.ts';

/**
 * `resourceNames()` plus the names only the infrastructure needs (stacks, EventBridge rules, alarms, log
 * groups). The seed's naming convention applies to these too; they live here until core/naming.ts takes them.
 */
export function infraNames(context: Pick<CdkContext, 'project_name' | 'aws_account_id'>) {
  const names = resourceNames(context);
  const p = context.project_name;
  return {
    ...names,
    sharedResourcesStack: `${p}-SharedResourcesStack`,
    pipelineStack: `${p}-SageMakerPipelineStack`,
    triggerStack: `${p}-S3TriggerStack`,
    datasetUploadRule: `${p}-dataset-upload-trigger`,
    sampleDatasetRule: `${p}-sample-dataset-trigger`,
    pipelineStatusRule: `${p}-pipeline-status`,
    pipelineStepFailedRule: `${p}-pipeline-step-failed`,
    triggerErrorsAlarm: `${p}-training-trigger-errors`,
    triggerFailedInvocationsAlarm: `${p}-training-trigger-failed-invocations`,
    triggerLogGroup: `/aws/lambda/${names.triggerFunction}`,
    notificationsKeyAlias: `alias/${p}-notifications`,
  } as const;
}

export type InfraNames = ReturnType<typeof infraNames>;

/** S3 prefixes with a meaning (main seed: bucket layout; docs/contracts.md: the pipeline). */
export const PREFIXES = {
  splitDataset: 'split_dataset/',
  sampleDataset: 'sample_dataset/',
  code: 'code/',
  config: 'config/',
  trainingConfigKey: 'config/training-config.json',
  pipelines: 'pipelines/',
  checkpoints: 'checkpoints/',
  mlflowArtifacts: 'artifacts/',
} as const;

import type { StepType } from '../../core/pipeline/compiled.ts';

/**
 * The top-level properties each step type publishes on this runner (a subset of the Describe* response SageMaker
 * exposes as `Steps.<name>.<property>`). A reference to any other property is refused before the run, since on
 * this runner it would never have a value.
 */
export const STEP_PROPERTY_ROOTS: Readonly<Record<StepType, readonly string[]>> = {
  Training: [
    'TrainingJobName',
    'TrainingJobArn',
    'TrainingJobStatus',
    'ModelArtifacts',
    'FinalMetricDataList',
    'HyperParameters',
    'OutputDataConfig',
    'CheckpointConfig',
    'AlgorithmSpecification',
    'InputDataConfig',
    'TrainingStartTime',
    'TrainingEndTime',
  ],
  Processing: ['ProcessingJobName', 'ProcessingJobArn', 'ProcessingJobStatus', 'ProcessingInputs', 'ProcessingOutputConfig', 'AppSpecification', 'Environment', 'ProcessingStartTime', 'ProcessingEndTime'],
  Condition: ['Outcome'],
  RegisterModel: ['ModelPackageArn', 'ModelPackageName', 'ModelPackageGroupName', 'ModelPackageVersion', 'ModelApprovalStatus'],
  Fail: [],
};

/** The step types this runner executes; anything else in a definition is refused before the run starts. */
export const SUPPORTED_STEP_TYPES = ['Training', 'Processing', 'Condition', 'RegisterModel', 'Fail'] as const;
export type StepType = (typeof SUPPORTED_STEP_TYPES)[number];

export function isSupportedStepType(type: string): type is StepType {
  return (SUPPORTED_STEP_TYPES as readonly string[]).includes(type);
}

/**
 * The top-level properties each step type publishes (a subset of the Describe* response SageMaker exposes as
 * `Steps.<name>.<property>`). A reference to any other property is refused up front, since on this runner it
 * would never have a value.
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

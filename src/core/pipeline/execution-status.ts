/** SageMaker's PipelineExecutionStatus. The local runner reaches all but Stopping (it stops synchronously). */
export const PIPELINE_EXECUTION_STATUSES = ['Executing', 'Stopping', 'Stopped', 'Failed', 'Succeeded'] as const;
export type PipelineExecutionStatus = (typeof PIPELINE_EXECUTION_STATUSES)[number];

/** SageMaker's StepStatus of a pipeline execution step. */
export const PIPELINE_STEP_STATUSES = ['Starting', 'Executing', 'Stopping', 'Stopped', 'Failed', 'Succeeded'] as const;
export type PipelineStepStatus = (typeof PIPELINE_STEP_STATUSES)[number];

import { Execution, type StringValue } from './values.ts';

/** SageMaker Experiments names for the jobs of an execution (the SDK's PipelineExperimentConfig). */
export interface ExperimentConfig {
  experimentName: StringValue;
  trialName: StringValue;
}

/** What the SageMaker SDK uses unless told otherwise: one experiment per pipeline, one trial per execution. */
export const DEFAULT_EXPERIMENT_CONFIG: ExperimentConfig = {
  experimentName: Execution.PipelineName,
  trialName: Execution.PipelineExecutionId,
};

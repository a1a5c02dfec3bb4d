import type { PipelineExecution, PipelineStep, TrainingJob } from '../../aws/index.ts';
import type { AwsRegion } from '../../core/config/regions.ts';
import { partitionOf } from '../../core/pipeline/index.ts';
import { modelPackageVersion, secondsBetween, type RunStepView, type RunView } from './run-view.ts';

const ENDED = new Set(['Succeeded', 'Failed', 'Stopped']);

/**
 * The execution's page in the SageMaker console (which opens it in SageMaker Studio's pipeline view when the
 * account has a Studio domain). China's and GovCloud's partitions have their own console hosts.
 */
export function executionConsoleUrl(region: string, pipelineName: string, executionId: string): string {
  const consoleDomain = { aws: 'console.aws.amazon.com', 'aws-cn': 'console.amazonaws.cn', 'aws-us-gov': 'console.amazonaws-us-gov.com' }[partitionOf(region as AwsRegion)];
  const host = `${region}.${consoleDomain}`;
  return `https://${host}/sagemaker/home?region=${region}#/pipelines/${encodeURIComponent(pipelineName)}/executions/${encodeURIComponent(executionId)}`;
}

/** What a step ran, told by the metadata ListPipelineExecutionSteps gives it. */
function stepType(step: PipelineStep): string | undefined {
  if (step.jobArn?.includes(':training-job/')) return 'Training';
  if (step.jobArn?.includes(':processing-job/')) return 'Processing';
  if (step.jobArn?.includes(':transform-job/')) return 'Transform';
  if (step.modelPackageArn) return 'RegisterModel';
  if (step.conditionOutcome !== undefined) return 'Condition';
  if (step.failMessage !== undefined) return 'Fail';
  return undefined;
}

function iso(date: Date | undefined): string | undefined {
  return date?.toISOString();
}

export function awsStepView(step: PipelineStep, trainingJob?: TrainingJob): RunStepView {
  const startedAt = iso(step.startedAt);
  const endedAt = iso(step.endedAt);
  const duration = secondsBetween(startedAt, endedAt);
  const type = stepType(step);
  const metrics = trainingJob && trainingJob.finalMetrics.length > 0 ? Object.fromEntries(trainingJob.finalMetrics.map((m) => [m.name, m.value])) : undefined;
  const failure = step.failureReason ?? step.failMessage;
  return {
    name: step.name,
    ...(type ? { type } : {}),
    status: step.status,
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt ? { endedAt } : {}),
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    ...(failure ? { failureReason: failure } : {}),
    ...(step.cachedFrom ? { note: `cached from ${step.cachedFrom}` } : {}),
    ...(step.jobArn ? { job: step.jobArn } : {}),
    ...(metrics ? { metrics } : {}),
  };
}

export interface AwsRunInput {
  execution: PipelineExecution;
  region: string;
  /** Absent for a listing (ListPipelineExecutionSteps is one more call per execution). */
  steps?: readonly PipelineStep[];
  /** DescribeTrainingJob of the training steps' jobs, by job ARN. */
  trainingJobs?: ReadonlyMap<string, TrainingJob>;
}

/** A SageMaker execution (DescribePipelineExecution, its parameters and, for `show`, its steps) as a run view. */
export function awsRunView({ execution, region, steps = [], trainingJobs = new Map() }: AwsRunInput): RunView {
  const startedAt = iso(execution.createdAt);
  // SageMaker has no end time: an execution that has ended was last modified when it ended.
  const endedAt = ENDED.has(execution.status) ? iso(execution.lastModifiedAt) : undefined;
  const duration = secondsBetween(startedAt, endedAt);
  const { parameters } = execution;
  const registered = steps.flatMap((s) => {
    const parsed = s.modelPackageArn ? modelPackageVersion(s.modelPackageArn) : undefined;
    return parsed && s.modelPackageArn ? [{ ...parsed, modelPackageArn: s.modelPackageArn }] : [];
  })[0];
  return {
    target: 'aws',
    id: execution.executionId,
    executionArn: execution.executionArn,
    pipelineName: execution.pipelineName,
    ...(execution.displayName ? { displayName: execution.displayName } : {}),
    status: execution.status,
    ...(execution.failureReason ? { failureReason: execution.failureReason } : {}),
    ...(startedAt ? { startedAt } : {}),
    ...(endedAt ? { endedAt } : {}),
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
    parameters: { ...parameters },
    ...(parameters['InputDataUri'] ? { dataset: parameters['InputDataUri'] } : {}),
    ...(parameters['CodeVersion'] ? { codeVersion: parameters['CodeVersion'] } : {}),
    ...(registered ? { registeredModel: registered } : {}),
    conditions: steps.flatMap((s) => (s.conditionOutcome === undefined ? [] : [{ step: s.name, outcome: s.conditionOutcome }])),
    locations: { console: executionConsoleUrl(region, execution.pipelineName, execution.executionId) },
    steps: steps.map((s) => awsStepView(s, s.jobArn ? trainingJobs.get(s.jobArn) : undefined)),
  };
}

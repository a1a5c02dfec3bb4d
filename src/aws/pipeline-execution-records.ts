import * as z from 'zod';
import { PIPELINE_EXECUTION_STATUSES, PIPELINE_STEP_STATUSES, type PipelineExecutionStatus, type PipelineStepStatus } from '../core/pipeline/execution-status.ts';
import { AwsError } from './errors.ts';

/**
 * What the SageMaker Pipelines adapter returns: small records of the project's own, with the status unions of
 * core and Dates, built from SageMaker's answers after checking the fields this code relies on.
 */

/** One execution, as DescribePipelineExecution and ListPipelineParametersForExecution tell it. */
export interface PipelineExecution {
  executionArn: string;
  pipelineName: string;
  /** The last part of the ARN: what `Execution.PipelineExecutionId` resolves to inside the pipeline. */
  executionId: string;
  status: PipelineExecutionStatus;
  displayName?: string;
  description?: string;
  /** Only for a Failed execution. */
  failureReason?: string;
  createdAt?: Date;
  lastModifiedAt?: Date;
  /** The parameters the execution was started with (defaults it did not override are not listed). */
  parameters: Record<string, string>;
}

/** One line of ListPipelineExecutions. */
export interface PipelineExecutionSummary {
  executionArn: string;
  executionId: string;
  status: PipelineExecutionStatus;
  startedAt?: Date;
  displayName?: string;
  description?: string;
  /** Only for a Failed execution. */
  failureReason?: string;
}

/** One step of an execution (ListPipelineExecutionSteps), with what it ran or made. */
export interface PipelineStep {
  name: string;
  displayName?: string;
  status: PipelineStepStatus;
  startedAt?: Date;
  endedAt?: Date;
  failureReason?: string;
  attemptCount?: number;
  /** The execution whose result this step reused (step caching). */
  cachedFrom?: string;
  /** The training, processing or transform job the step ran. */
  jobArn?: string;
  /** The model package a RegisterModel step created. */
  modelPackageArn?: string;
  /** Which branch a Condition step took. */
  conditionOutcome?: boolean;
  /** The message of a Fail step. */
  failMessage?: string;
}

/** A pipeline as DescribePipeline tells it. */
export interface DeployedPipeline {
  pipelineArn: string;
  pipelineName: string;
  /** The role SageMaker assumes to run the pipeline (UpdatePipeline passes it again). */
  roleArn: string;
  /** The definition JSON as deployed. */
  definition: string;
  lastModifiedAt?: Date;
}

/** An answer of SageMaker's that lacks what this code relies on (a new status, a missing ARN). */
export class UnexpectedSageMakerAnswerError extends AwsError {
  constructor(operation: string, problems: string) {
    super(`SageMaker's answer to ${operation} is not what yolops expects: ${problems}`);
  }
}

/** Absent, null (moto sends some) and '' all mean "not given". */
const optionalText = z.string().nullish().transform((value) => (value ? value : undefined));
const optionalDate = z.date().nullish().transform((value) => value ?? undefined);
const executionStatus = z.enum(PIPELINE_EXECUTION_STATUSES);

const describedExecutionSchema = z.object({
  PipelineExecutionArn: z.string().min(1),
  PipelineExecutionStatus: executionStatus,
  PipelineExecutionDisplayName: optionalText,
  PipelineExecutionDescription: optionalText,
  FailureReason: optionalText,
  CreationTime: optionalDate,
  LastModifiedTime: optionalDate,
});

const parametersSchema = z.array(z.object({ Name: z.string().min(1), Value: z.string() })).nullish();

const executionSummarySchema = z.object({
  PipelineExecutionArn: z.string().min(1),
  PipelineExecutionStatus: executionStatus,
  StartTime: optionalDate,
  PipelineExecutionDisplayName: optionalText,
  PipelineExecutionDescription: optionalText,
  PipelineExecutionFailureReason: optionalText,
});

const arnOnly = z.object({ Arn: optionalText }).nullish();
const stepSchema = z.object({
  StepName: z.string().min(1),
  StepDisplayName: optionalText,
  StepStatus: z.enum(PIPELINE_STEP_STATUSES),
  StartTime: optionalDate,
  EndTime: optionalDate,
  FailureReason: optionalText,
  AttemptCount: z.number().int().nullish(),
  CacheHitResult: z.object({ SourcePipelineExecutionArn: optionalText }).nullish(),
  Metadata: z
    .object({
      TrainingJob: arnOnly,
      ProcessingJob: arnOnly,
      TransformJob: arnOnly,
      RegisterModel: arnOnly,
      Condition: z.object({ Outcome: optionalText }).nullish(),
      Fail: z.object({ ErrorMessage: optionalText }).nullish(),
    })
    .nullish(),
});

const describedPipelineSchema = z.object({
  PipelineArn: z.string().min(1),
  PipelineName: z.string().min(1),
  RoleArn: z.string().min(1),
  PipelineDefinition: z.string().min(1),
  LastModifiedTime: optionalDate,
});

function checked<S extends z.ZodType>(schema: S, value: unknown, operation: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new UnexpectedSageMakerAnswerError(operation, result.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; '));
  return result.data;
}

const EXECUTION_ARN = /^arn:[^:]+:sagemaker:[^:]*:\d*:pipeline\/([^/]+)\/execution\/([^/]+)$/;

/** The pipeline name and execution id in a pipeline execution ARN; undefined for anything else. */
export function parseExecutionArn(arn: string): { pipelineName: string; executionId: string } | undefined {
  const match = EXECUTION_ARN.exec(arn);
  return match ? { pipelineName: match[1] as string, executionId: match[2] as string } : undefined;
}

function idOf(arn: string): string {
  return parseExecutionArn(arn)?.executionId ?? arn.slice(arn.lastIndexOf('/') + 1);
}

/** A reason only explains a failure: SageMaker (and moto, as the text "None") may fill it for other statuses. */
function failureOf(status: PipelineExecutionStatus, reason: string | undefined): { failureReason?: string } {
  return status === 'Failed' && reason !== undefined ? { failureReason: reason } : {};
}

export function deployedPipelineFromAnswer(described: unknown): DeployedPipeline {
  const d = checked(describedPipelineSchema, described, 'DescribePipeline');
  return {
    pipelineArn: d.PipelineArn,
    pipelineName: d.PipelineName,
    roleArn: d.RoleArn,
    definition: d.PipelineDefinition,
    ...(d.LastModifiedTime ? { lastModifiedAt: d.LastModifiedTime } : {}),
  };
}

export function executionFromAnswers(described: unknown, parameterPages: readonly unknown[], fallbackPipelineName: string): PipelineExecution {
  const d = checked(describedExecutionSchema, described, 'DescribePipelineExecution');
  const parameters: Record<string, string> = {};
  for (const page of parameterPages) for (const p of checked(parametersSchema, page, 'ListPipelineParametersForExecution') ?? []) parameters[p.Name] = p.Value;
  return {
    executionArn: d.PipelineExecutionArn,
    pipelineName: parseExecutionArn(d.PipelineExecutionArn)?.pipelineName ?? fallbackPipelineName,
    executionId: idOf(d.PipelineExecutionArn),
    status: d.PipelineExecutionStatus,
    ...(d.PipelineExecutionDisplayName !== undefined ? { displayName: d.PipelineExecutionDisplayName } : {}),
    ...(d.PipelineExecutionDescription !== undefined ? { description: d.PipelineExecutionDescription } : {}),
    ...failureOf(d.PipelineExecutionStatus, d.FailureReason),
    ...(d.CreationTime ? { createdAt: d.CreationTime } : {}),
    ...(d.LastModifiedTime ? { lastModifiedAt: d.LastModifiedTime } : {}),
    parameters,
  };
}

export function executionSummaryFromAnswer(summary: unknown): PipelineExecutionSummary {
  const s = checked(executionSummarySchema, summary, 'ListPipelineExecutions');
  return {
    executionArn: s.PipelineExecutionArn,
    executionId: idOf(s.PipelineExecutionArn),
    status: s.PipelineExecutionStatus,
    ...(s.StartTime ? { startedAt: s.StartTime } : {}),
    ...(s.PipelineExecutionDisplayName !== undefined ? { displayName: s.PipelineExecutionDisplayName } : {}),
    ...(s.PipelineExecutionDescription !== undefined ? { description: s.PipelineExecutionDescription } : {}),
    ...failureOf(s.PipelineExecutionStatus, s.PipelineExecutionFailureReason),
  };
}

export function stepFromAnswer(step: unknown): PipelineStep {
  const s = checked(stepSchema, step, 'ListPipelineExecutionSteps');
  const m = s.Metadata;
  const jobArn = m?.TrainingJob?.Arn ?? m?.ProcessingJob?.Arn ?? m?.TransformJob?.Arn;
  const outcome = m?.Condition?.Outcome;
  return {
    name: s.StepName,
    ...(s.StepDisplayName !== undefined ? { displayName: s.StepDisplayName } : {}),
    status: s.StepStatus,
    ...(s.StartTime ? { startedAt: s.StartTime } : {}),
    ...(s.EndTime ? { endedAt: s.EndTime } : {}),
    ...(s.FailureReason !== undefined ? { failureReason: s.FailureReason } : {}),
    ...(typeof s.AttemptCount === 'number' ? { attemptCount: s.AttemptCount } : {}),
    ...(s.CacheHitResult?.SourcePipelineExecutionArn ? { cachedFrom: s.CacheHitResult.SourcePipelineExecutionArn } : {}),
    ...(jobArn ? { jobArn } : {}),
    ...(m?.RegisterModel?.Arn ? { modelPackageArn: m.RegisterModel.Arn } : {}),
    ...(outcome === 'True' || outcome === 'False' ? { conditionOutcome: outcome === 'True' } : {}),
    ...(m?.Fail?.ErrorMessage ? { failMessage: m.Fail.ErrorMessage } : {}),
  };
}

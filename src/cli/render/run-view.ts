import * as z from 'zod';
import { PIPELINE_EXECUTION_STATUSES, PIPELINE_STEP_STATUSES } from '../../core/pipeline/execution-status.ts';
import { STEP_STATUSES } from '../../local/executions/execution-record.ts';
import { TARGETS } from '../target.ts';

/**
 * One execution as `yolops runs` and `yolops pipeline` print it, whichever backend ran it: the local runner's
 * ExecutionRecord and a SageMaker execution with its steps both map to this (run-view-local.ts,
 * run-view-aws.ts), so `--json` has one shape on both targets and scripts never branch on the target.
 */

/** SageMaker's step statuses and the local runner's (which adds Pending and NotExecuted), in one list. */
export const RUN_STEP_STATUSES = [...new Set([...STEP_STATUSES, ...PIPELINE_STEP_STATUSES])] as [string, ...string[]];

const isoTime = z.iso.datetime({ offset: true });

export const runStepViewSchema = z.object({
  name: z.string().min(1),
  /** Training, Processing, Condition, RegisterModel, Fail; unknown on AWS until the step has run something. */
  type: z.string().optional(),
  status: z.enum(RUN_STEP_STATUSES),
  startedAt: isoTime.optional(),
  endedAt: isoTime.optional(),
  durationSeconds: z.number().nonnegative().optional(),
  failureReason: z.string().optional(),
  /** Why the step was stopped, or did not run (a branch not taken). */
  note: z.string().optional(),
  /** The training or processing job it ran (an ARN on AWS, the job's folder locally). */
  job: z.string().optional(),
  /** The training job's last metric values: SageMaker's FinalMetricDataList, or the local run's last epoch. */
  metrics: z.record(z.string(), z.number()).optional(),
});
export type RunStepView = z.infer<typeof runStepViewSchema>;

export const runViewSchema = z.object({
  target: z.enum(TARGETS),
  /** What `runs show`, `pipeline status` and `pipeline watch` take: the execution id (the ARN's last part). */
  id: z.string().min(1),
  executionArn: z.string().min(1),
  pipelineName: z.string().min(1),
  displayName: z.string().optional(),
  status: z.enum(PIPELINE_EXECUTION_STATUSES),
  failureReason: z.string().optional(),
  stopReason: z.string().optional(),
  startedAt: isoTime.optional(),
  endedAt: isoTime.optional(),
  durationSeconds: z.number().nonnegative().optional(),
  /** Parameters as StartPipelineExecution takes them (strings). Locally every parameter; on AWS those passed at start. */
  parameters: z.record(z.string(), z.string()),
  /** InputDataUri. */
  dataset: z.string().optional(),
  /** CodeVersion, when the execution names it (on AWS, an execution that kept the deployed default does not). */
  codeVersion: z.string().optional(),
  registeredModel: z
    .object({
      modelPackageGroupName: z.string(),
      version: z.number().int().positive(),
      modelPackageArn: z.string(),
      approvalStatus: z.string().optional(),
    })
    .optional(),
  /** What each Condition step decided (the quality gate, the spot branch). */
  conditions: z.array(z.object({ step: z.string(), outcome: z.boolean(), detail: z.string().optional() })),
  /** Evaluation metrics (evaluation.json), where known. */
  metrics: z.record(z.string(), z.number()).optional(),
  /** Where to look further: files of a local run, the SageMaker console of an AWS one. */
  locations: z.record(z.string(), z.string()),
  steps: z.array(runStepViewSchema),
});
export type RunView = z.infer<typeof runViewSchema>;

/** A line of `runs list` / `pipeline list`: the same fields but the steps, which a listing does not fetch. */
export const runSummarySchema = runViewSchema.omit({ steps: true, conditions: true });
export type RunSummary = z.infer<typeof runSummarySchema>;

export function summaryOf(view: RunView): RunSummary {
  const { steps: _steps, conditions: _conditions, ...summary } = view;
  return summary;
}

/** Seconds between two ISO times, when both are known. */
export function secondsBetween(start: string | undefined, end: string | undefined): number | undefined {
  if (start === undefined || end === undefined) return undefined;
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 10) / 10 : undefined;
}

/** Parameter values as strings, the form StartPipelineExecution takes (the local record keeps numbers and Booleans). */
export function parameterStrings(parameters: Readonly<Record<string, string | number | boolean>>): Record<string, string> {
  return Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, String(value)]));
}

const MODEL_PACKAGE_ARN = /^arn:[^:]+:sagemaker:[^:]*:\d*:model-package\/([^/]+)\/(\d+)$/;

/** The group and version in a versioned model package ARN; undefined for anything else. */
export function modelPackageVersion(arn: string): { modelPackageGroupName: string; version: number } | undefined {
  const match = MODEL_PACKAGE_ARN.exec(arn);
  return match ? { modelPackageGroupName: match[1] as string, version: Number(match[2]) } : undefined;
}

import * as z from 'zod';
import type { JsonObject, JsonValue } from '../json.ts';
import type { ConditionResult } from '../../core/pipeline/condition-result.ts';
import { processRefSchema } from './process-ref.ts';

/**
 * The record of one local execution (`executions/<id>/execution.json`), as zod schemas: the types below are
 * inferred from them, and every record read back from disk is checked against them.
 */

/** SageMaker's pipeline execution statuses that a local run can reach. */
export const EXECUTION_STATUSES = ['Executing', 'Stopped', 'Succeeded', 'Failed'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** `NotExecuted`: on a branch the Condition did not take, or after the execution had already failed or stopped. */
export const STEP_STATUSES = ['Pending', 'Executing', 'Stopped', 'Succeeded', 'Failed', 'NotExecuted'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), jsonObjectSchema]));
const jsonObjectSchema: z.ZodType<JsonObject> = z.lazy(() => z.record(z.string(), jsonValueSchema));
const parameterValueSchema = z.union([z.string(), z.number(), z.boolean()]);

const conditionResultSchema: z.ZodType<ConditionResult> = z.lazy(() =>
  z.object({
    type: z.string(),
    outcome: z.boolean(),
    left: jsonValueSchema.optional(),
    right: jsonValueSchema.optional(),
    query: jsonValueSchema.optional(),
    values: z.array(jsonValueSchema).optional(),
    operands: z.array(conditionResultSchema).optional(),
  }),
);

const isoTime = z.string().min(1);

export const epochProgressSchema = z.object({
  epoch: z.number(),
  epochs: z.number(),
  metrics: z.record(z.string(), z.number()),
});
export type EpochProgress = z.infer<typeof epochProgressSchema>;

export const stepRecordSchema = z.object({
  name: z.string(),
  type: z.string(),
  status: z.enum(STEP_STATUSES),
  startedAt: isoTime.optional(),
  endedAt: isoTime.optional(),
  durationSeconds: z.number().optional(),
  failureReason: z.string().optional(),
  /** Why the step was stopped (the signal the runner got). */
  stopReason: z.string().optional(),
  /** Why a step did not run. */
  notExecutedReason: z.string().optional(),
  /** The step's properties as other steps read them (`Steps.<name>.<property>`). */
  properties: jsonObjectSchema.optional(),
  /** Folder of the step's job (its /opt/ml tree) and its log, relative to the execution folder. */
  jobDir: z.string().optional(),
  logFile: z.string().optional(),
  progress: epochProgressSchema.optional(),
  /** The job's process group while it runs, so a retry after a dead runner can stop what it left running. */
  job: processRefSchema.optional(),
});
export type StepRecord = z.infer<typeof stepRecordSchema>;

/** What a Condition step decided, with every value it compared. */
export const conditionDecisionSchema = z.object({
  step: z.string(),
  outcome: z.boolean(),
  conditions: z.array(conditionResultSchema),
  /** The steps of the branch taken. */
  branchSteps: z.array(z.string()),
});
export type ConditionDecision = z.infer<typeof conditionDecisionSchema>;

export const registeredModelRefSchema = z.object({
  modelPackageGroupName: z.string(),
  version: z.number().int(),
  modelPackageArn: z.string(),
  approvalStatus: z.string(),
});
export type RegisteredModelRef = z.infer<typeof registeredModelRefSchema>;

export const mlflowRefSchema = z.object({
  trackingUri: z.string(),
  experimentName: z.string().optional(),
  experimentId: z.string().optional(),
  runId: z.string().optional(),
  runUrl: z.string().optional(),
  /** Why the run could not be looked up (the execution result does not depend on it). */
  lookupError: z.string().optional(),
  /**
   * Set when the runner (or the watcher) started the server at trackingUri for this execution: a retry starts
   * one again at the same address, so the job continues the same MLflow run (its id is in the checkpoint).
   */
  server: processRefSchema.optional(),
});
export type MlflowRef = z.infer<typeof mlflowRefSchema>;

export const notificationRecordSchema = z.object({
  channel: z.string(),
  ok: z.boolean(),
  at: isoTime,
  detail: z.string().optional(),
  error: z.string().optional(),
});
export type NotificationRecord = z.infer<typeof notificationRecordSchema>;

/** One earlier attempt of a retried execution: how it had ended. */
export const retryRecordSchema = z.object({
  /** When the retry started. */
  at: isoTime,
  previousStatus: z.enum(['Stopped', 'Failed']),
  previousReason: z.string().optional(),
  /** The first step the retry ran again. */
  fromStep: z.string().optional(),
});
export type RetryRecord = z.infer<typeof retryRecordSchema>;

export const executionRecordSchema = z.object({
  schemaVersion: z.literal(1),
  executionId: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  executionArn: z.string(),
  pipelineName: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  failureReason: z.string().optional(),
  /** Why the execution stopped: the signal its runner got, or that the runner died. */
  stopReason: z.string().optional(),
  /** The step whose failure (or Fail step) ended the execution. */
  failedStep: z.string().optional(),
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  durationSeconds: z.number().optional(),
  parameters: z.record(z.string(), parameterValueSchema),
  steps: z.array(stepRecordSchema),
  decisions: z.array(conditionDecisionSchema),
  registeredModel: registeredModelRefSchema.optional(),
  mlflow: mlflowRefSchema.optional(),
  notifications: z.array(notificationRecordSchema),
  /** Settings in the definition that have no local meaning, named so nobody assumes they took effect. */
  ignored: z.array(z.string()),
  /** sha256 of the definition JSON this execution interpreted (kept beside the record as definition.json). */
  definitionSha256: z.string(),
  /** The runner's process while Executing, so a reader can tell a live run from one whose runner died. */
  runnerPid: z.number().int().positive().optional(),
  /** The runner's process identity (see process-ref.ts), so a reused pid is not taken for the runner. */
  runnerIdentity: z.string().optional(),
  /** Earlier attempts, oldest first, when the execution was retried. */
  retries: z.array(retryRecordSchema).optional(),
});
export type ExecutionRecord = z.infer<typeof executionRecordSchema>;

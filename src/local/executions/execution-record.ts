import type { JsonObject } from '../json.ts';
import type { ConditionResult } from '../pipeline/conditions.ts';
import type { ParameterValue } from '../pipeline/parameters.ts';

export const EXECUTION_STATUSES = ['Executing', 'Succeeded', 'Failed'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** `NotExecuted`: on a branch the Condition did not take, or after the execution had already failed. */
export const STEP_STATUSES = ['Pending', 'Executing', 'Succeeded', 'Failed', 'NotExecuted'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export interface EpochProgress {
  epoch: number;
  epochs: number;
  metrics: Record<string, number>;
}

export interface StepRecord {
  name: string;
  type: string;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  durationSeconds?: number;
  failureReason?: string;
  /** Why a step did not run. */
  notExecutedReason?: string;
  /** The step's properties as other steps read them (`Steps.<name>.<property>`). */
  properties?: JsonObject;
  /** Folder of the step's job (its /opt/ml tree) and its log, relative to the execution folder. */
  jobDir?: string;
  logFile?: string;
  progress?: EpochProgress;
}

/** What a Condition step decided, with every value it compared. */
export interface ConditionDecision {
  step: string;
  outcome: boolean;
  conditions: ConditionResult[];
  /** The steps of the branch taken. */
  branchSteps: string[];
}

export interface RegisteredModelRef {
  modelPackageGroupName: string;
  version: number;
  modelPackageArn: string;
  approvalStatus: string;
}

export interface MlflowRef {
  trackingUri: string;
  experimentName?: string;
  experimentId?: string;
  runId?: string;
  runUrl?: string;
  /** Why the run could not be looked up (the execution result does not depend on it). */
  lookupError?: string;
}

export interface NotificationRecord {
  channel: string;
  ok: boolean;
  at: string;
  detail?: string;
  error?: string;
}

export interface ExecutionRecord {
  schemaVersion: 1;
  executionId: string;
  executionArn: string;
  pipelineName: string;
  status: ExecutionStatus;
  failureReason?: string;
  /** The step whose failure (or Fail step) ended the execution. */
  failedStep?: string;
  startedAt: string;
  endedAt?: string;
  durationSeconds?: number;
  parameters: Record<string, ParameterValue>;
  steps: StepRecord[];
  decisions: ConditionDecision[];
  registeredModel?: RegisteredModelRef;
  mlflow?: MlflowRef;
  notifications: NotificationRecord[];
  /** Settings in the definition that have no local meaning, named so nobody assumes they took effect. */
  ignored: string[];
  /** sha256 of the definition JSON this execution interpreted. */
  definitionSha256: string;
  /** The runner's process while Executing, so a reader can tell a live run from one whose runner died. */
  runnerPid?: number;
}

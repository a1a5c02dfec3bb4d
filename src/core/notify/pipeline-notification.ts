import type { ConditionResult } from '../pipeline/condition-result.ts';
import type { PipelineExecutionStatus } from '../pipeline/execution-status.ts';

/** What a Condition step decided, with every value it compared. */
export interface NotifiedDecision {
  step: string;
  outcome: boolean;
  conditions: ConditionResult[];
  /** The steps of the branch taken. */
  branchSteps: string[];
}

/** The model version an execution registered. */
export interface NotifiedModel {
  modelPackageGroupName: string;
  version: number;
  modelPackageArn: string;
  approvalStatus: string;
  /** The `metrics` of its evaluation report (mAP50, mAP50_95, precision, recall). */
  metrics?: Record<string, number>;
}

/**
 * What every channel sends about a finished pipeline execution, whichever backend ran it: the body of the
 * webhook POST and of the SNS message, and what the console line and the e-mail subject are made from.
 */
export interface PipelineNotification {
  event: 'pipeline.succeeded' | 'pipeline.failed' | 'pipeline.stopped';
  executionId: string;
  pipelineName: string;
  status: PipelineExecutionStatus;
  failureReason?: string;
  /** Why a Stopped execution stopped (the signal its runner got). */
  stopReason?: string;
  failedStep?: string;
  startedAt: string;
  endedAt?: string;
  durationSeconds?: number;
  decisions: NotifiedDecision[];
  registeredModel?: NotifiedModel;
  mlflowRunUrl?: string;
  /** Where to look: the execution folder on the machine that ran it. */
  executionDir?: string;
}

/** One line for people: the outcome, and the reason or the registered version. */
export function summaryLine(n: PipelineNotification): string {
  const took = n.durationSeconds !== undefined ? ` in ${n.durationSeconds.toFixed(1)} s` : '';
  if (n.status === 'Stopped') return `yolops: execution ${n.executionId} of ${n.pipelineName} STOPPED${took}: ${n.stopReason ?? 'no reason recorded'}; continue it with: npx yolops runs retry ${n.executionId}`;
  if (n.status !== 'Succeeded') return `yolops: execution ${n.executionId} of ${n.pipelineName} FAILED${took}${n.failedStep ? ` at step ${n.failedStep}` : ''}: ${n.failureReason ?? 'no reason recorded'}`;
  const model = n.registeredModel;
  const metric = model?.metrics?.['mAP50_95'];
  const registered = model ? `; registered ${model.modelPackageGroupName} version ${model.version} (${model.approvalStatus}${metric !== undefined ? `, mAP50-95 ${metric.toFixed(4)}` : ''})` : '; no model registered';
  return `yolops: execution ${n.executionId} of ${n.pipelineName} succeeded${took}${registered}`;
}

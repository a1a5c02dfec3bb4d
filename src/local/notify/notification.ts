import type { ConditionDecision, ExecutionRecord, RegisteredModelRef } from '../executions/execution-record.ts';

/** What every channel sends: the body of the webhook POST, and what the console line is made from. */
export interface PipelineNotification {
  event: 'pipeline.succeeded' | 'pipeline.failed' | 'pipeline.stopped';
  executionId: string;
  pipelineName: string;
  status: ExecutionRecord['status'];
  failureReason?: string;
  /** Why a Stopped execution stopped (the signal its runner got). */
  stopReason?: string;
  failedStep?: string;
  startedAt: string;
  endedAt?: string;
  durationSeconds?: number;
  decisions: ConditionDecision[];
  registeredModel?: RegisteredModelRef & { metrics?: Record<string, number> };
  mlflowRunUrl?: string;
  /** Where to look: the execution folder on this machine. */
  executionDir?: string;
}

export function notificationFromRecord(record: ExecutionRecord, extra: { metrics?: Record<string, number>; executionDir?: string } = {}): PipelineNotification {
  return {
    event: record.status === 'Succeeded' ? 'pipeline.succeeded' : record.status === 'Stopped' ? 'pipeline.stopped' : 'pipeline.failed',
    executionId: record.executionId,
    pipelineName: record.pipelineName,
    status: record.status,
    ...(record.failureReason !== undefined ? { failureReason: record.failureReason } : {}),
    ...(record.stopReason !== undefined ? { stopReason: record.stopReason } : {}),
    ...(record.failedStep !== undefined ? { failedStep: record.failedStep } : {}),
    startedAt: record.startedAt,
    ...(record.endedAt !== undefined ? { endedAt: record.endedAt } : {}),
    ...(record.durationSeconds !== undefined ? { durationSeconds: record.durationSeconds } : {}),
    decisions: record.decisions,
    ...(record.registeredModel ? { registeredModel: { ...record.registeredModel, ...(extra.metrics ? { metrics: extra.metrics } : {}) } } : {}),
    ...(record.mlflow?.runUrl ? { mlflowRunUrl: record.mlflow.runUrl } : {}),
    ...(extra.executionDir ? { executionDir: extra.executionDir } : {}),
  };
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

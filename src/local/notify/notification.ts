import type { PipelineNotification } from '../../core/notify/pipeline-notification.ts';
import type { ExecutionRecord } from '../executions/execution-record.ts';

/** The notification of a finished local execution, from its record. */
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

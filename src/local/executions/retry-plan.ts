import { LocalError } from '../errors.ts';
import type { ExecutionRecord, RetryRecord, StepRecord } from './execution-record.ts';
import type { ProcessRef } from './process-ref.ts';

/** A retry that cannot start: the execution succeeded, is still running, or cannot be continued. */
export class RetryRefusedError extends LocalError {
  constructor(message: string) {
    super(message, { audience: 'user' });
  }
}

export interface RetryPlan {
  /** The record to run again: its Succeeded steps as they were, every other step Pending. */
  record: ExecutionRecord;
  /** The first step that runs again. */
  fromStep: string | undefined;
  /** Job process groups the earlier attempt's runner recorded and may have left running. */
  leftoverJobs: ProcessRef[];
}

/**
 * What SageMaker's RetryPipelineExecution does, on a local record: the same execution (id, parameters,
 * definition) continues from its first unfinished step. Steps that succeeded keep their status and outputs
 * and do not run again; the others are reset to Pending (a training job then resumes from the checkpoint
 * it left under the same CheckpointConfig). Only a Failed or Stopped execution can be retried.
 *
 * `record` is the execution as people see it (ExecutionStore.show: a dead runner's record reads Stopped).
 */
export function planRetry(record: ExecutionRecord, now: Date = new Date()): RetryPlan {
  const id = record.executionId;
  if (record.status === 'Succeeded') throw new RetryRefusedError(`execution ${id} succeeded: there is nothing to retry (start a new run instead)`);
  if (record.status === 'Executing') {
    throw new RetryRefusedError(`execution ${id} is still running (runner pid ${record.runnerPid ?? '?'}): stop it first (Ctrl-C where it runs, or kill ${record.runnerPid ?? '<pid>'}), then retry`);
  }
  const previousReason = record.status === 'Stopped' ? record.stopReason : record.failureReason;
  const next = structuredClone(record);
  const leftoverJobs = record.steps.flatMap((s) => (s.job ? [s.job] : []));
  const kept = new Set(record.steps.filter((s) => s.status === 'Succeeded').map((s) => s.name));
  next.steps = record.steps.map((s): StepRecord => (kept.has(s.name) ? structuredClone(s) : { name: s.name, type: s.type, status: 'Pending', ...(s.jobDir ? { jobDir: s.jobDir } : {}), ...(s.logFile ? { logFile: s.logFile } : {}) }));
  next.decisions = record.decisions.filter((d) => kept.has(d.step));
  const fromStep = next.steps.find((s) => s.status === 'Pending')?.name;
  const retry: RetryRecord = { at: now.toISOString(), previousStatus: record.status, ...(previousReason ? { previousReason } : {}), ...(fromStep ? { fromStep } : {}) };
  next.retries = [...(record.retries ?? []), retry];
  next.status = 'Executing';
  const { failureReason: _f, failedStep: _s, stopReason: _r, endedAt: _e, durationSeconds: _d, runnerPid: _p, runnerIdentity: _i, ...carried } = next;
  if (carried.mlflow) {
    // Looked up again when the retry ends.
    const { experimentId: _x, runId: _u, runUrl: _l, lookupError: _k, ...mlflow } = carried.mlflow;
    carried.mlflow = mlflow;
  }
  return { record: carried, fromStep, leftoverJobs };
}

/** The attempt a retry of `record` starts: the first run is attempt 1. */
export function nextAttempt(record: ExecutionRecord): number {
  return (record.retries?.length ?? 0) + 2;
}

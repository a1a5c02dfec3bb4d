import type { ExecutionRecord, StepStatus } from './executions/execution-record.ts';
import type { ConditionResult } from '../core/pipeline/condition-result.ts';

/** Progress of a local execution, for the CLI to render. Events are informational: the record is the truth. */
export type RunEvent =
  /** `attempt` is 1 for a new execution and counts up with each retry. */
  | { type: 'execution-started'; executionId: string; pipelineName: string; executionDir: string; attempt: number; fromStep?: string }
  | { type: 'mlflow-server-started'; url: string }
  | { type: 'step-started'; executionId: string; step: string; stepType: string }
  | { type: 'step-finished'; executionId: string; step: string; stepType: string; status: StepStatus; durationSeconds?: number; failureReason?: string; stopReason?: string; notExecutedReason?: string }
  | { type: 'epoch'; executionId: string; step: string; epoch: number; epochs: number; metrics: Record<string, number> }
  | { type: 'log'; executionId: string; step: string; line: string }
  | { type: 'condition'; executionId: string; step: string; outcome: boolean; conditions: ConditionResult[] }
  | { type: 'notification'; channel: string; ok: boolean; error?: string }
  | { type: 'warning'; message: string }
  /** A dead runner's leftover process group (a job, an MLflow server) stopped before a retry. */
  | { type: 'leftover-stopped'; executionId: string; what: string; pid: number }
  | { type: 'execution-finished'; record: ExecutionRecord };

export type RunEventListener = (event: RunEvent) => void;

import type { ExecutionRecord, StepRecord } from '../../local/index.ts';
import type { ExecutionReport } from './execution-report.ts';
import { parameterStrings, type RunStepView, type RunView } from './run-view.ts';

interface MetricDatum { MetricName?: unknown; Value?: unknown }

/** FinalMetricDataList of a finished training step (as on SageMaker), else the last epoch of a running one. */
function stepMetrics(step: StepRecord): Record<string, number> | undefined {
  const final = step.properties?.['FinalMetricDataList'];
  if (Array.isArray(final) && final.length > 0) {
    const metrics: Record<string, number> = {};
    for (const datum of final as MetricDatum[]) if (typeof datum.MetricName === 'string' && typeof datum.Value === 'number') metrics[datum.MetricName] = datum.Value;
    return metrics;
  }
  return step.progress && Object.keys(step.progress.metrics).length > 0 ? { ...step.progress.metrics } : undefined;
}

function stepJob(step: StepRecord): string | undefined {
  const properties = step.properties ?? {};
  for (const key of ['TrainingJobArn', 'ProcessingJobArn']) if (typeof properties[key] === 'string') return properties[key];
  return undefined;
}

export function localStepView(step: StepRecord): RunStepView {
  const metrics = stepMetrics(step);
  const note = step.stopReason ?? step.notExecutedReason;
  const job = stepJob(step);
  return {
    name: step.name,
    type: step.type,
    status: step.status,
    ...(step.startedAt ? { startedAt: step.startedAt } : {}),
    ...(step.endedAt ? { endedAt: step.endedAt } : {}),
    ...(step.durationSeconds !== undefined ? { durationSeconds: step.durationSeconds } : {}),
    ...(step.failureReason ? { failureReason: step.failureReason } : {}),
    ...(note ? { note } : {}),
    ...(job ? { job } : {}),
    ...(metrics ? { metrics } : {}),
  };
}

function show(value: unknown): string {
  return typeof value === 'number' ? String(Number(value.toFixed(4))) : JSON.stringify(value);
}

/**
 * A local execution as a run view. `report` (buildExecutionReport) adds what lies beside the record: the
 * evaluation metrics and where the files are; without it (a listing) only the record is read.
 */
export function localRunView(record: ExecutionRecord, options: { report?: ExecutionReport } = {}): RunView {
  const parameters = parameterStrings(record.parameters);
  const { report } = options;
  const locations: Record<string, string> = {};
  if (report?.preprocessReportPath) locations['preprocess'] = report.preprocessReportPath;
  if (report?.modelArtifactPath) locations['model artifact'] = report.modelArtifactPath;
  if (report?.evaluationReportPath) locations['evaluation'] = report.evaluationReportPath;
  if (report) locations['execution dir'] = report.executionDir;
  if (record.mlflow) locations['MLflow run'] = record.mlflow.runUrl ?? record.mlflow.trackingUri;
  return {
    target: 'local',
    id: record.executionId,
    executionArn: record.executionArn,
    pipelineName: record.pipelineName,
    status: record.status,
    ...(record.failureReason ? { failureReason: record.failureReason } : {}),
    // A record whose runner died reads Stopped with the reason saying so (ExecutionStore.summarize).
    ...(record.stopReason ? { stopReason: record.stopReason } : {}),
    startedAt: record.startedAt,
    ...(record.endedAt ? { endedAt: record.endedAt } : {}),
    ...(record.durationSeconds !== undefined ? { durationSeconds: record.durationSeconds } : {}),
    parameters,
    ...(parameters['InputDataUri'] ? { dataset: parameters['InputDataUri'] } : {}),
    ...(parameters['CodeVersion'] ? { codeVersion: parameters['CodeVersion'] } : {}),
    ...(record.registeredModel ? { registeredModel: { ...record.registeredModel } } : {}),
    conditions: record.decisions.map((d) => ({
      step: d.step,
      outcome: d.outcome,
      detail: d.conditions.map((c) => `${show(c.left)} ${c.type} ${show(c.right)}`).join(' and '),
    })),
    ...(report?.metrics ? { metrics: report.metrics } : {}),
    locations,
    steps: record.steps.map(localStepView),
  };
}

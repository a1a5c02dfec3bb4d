import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutionRecord } from '../../local/index.ts';
import { FolderObjectStore } from '../../local/folder-object-store.ts';
import { localLayout } from '../../local/index.ts';
import { EVALUATION_REPORT, PREPROCESS_REPORT, STEP_NAMES, type Capacity } from '../../core/pipeline/training-pipeline.ts';
import { formatS3Uri, parseS3Uri } from '../../core/storage/s3-uri.ts';
import { formatSeconds, table } from '../output.ts';

/** What an execution produced, gathered from its record and the bucket folders, for people and for `--json`. */
export interface ExecutionReport {
  record: ExecutionRecord;
  /** `metrics` of evaluation.json, when the Evaluate step wrote one. */
  metrics?: Record<string, number>;
  evaluationReportUri?: string;
  evaluationReportPath?: string;
  modelArtifactUri?: string;
  modelArtifactPath?: string;
  /** preprocess.json of the Preprocess step (what was converted, the split, the problems), once it ran. */
  preprocessReportUri?: string;
  preprocessReportPath?: string;
  executionDir: string;
}

interface EvaluationOutput { OutputName?: string; S3Output?: { S3Uri?: string } }

const CAPACITIES: readonly Capacity[] = ['spot', 'onDemand'];

/** The properties of the Train or Evaluate step of whichever branch ran (TrainOnSpot runs one of them). */
function stepProperties(record: ExecutionRecord, step: 'train' | 'evaluate'): Record<string, unknown> | undefined {
  for (const capacity of CAPACITIES) {
    const properties = record.steps.find((s) => s.name === STEP_NAMES[capacity][step])?.properties;
    if (properties) return properties as Record<string, unknown>;
  }
  return undefined;
}

export async function buildExecutionReport(root: string, record: ExecutionRecord): Promise<ExecutionReport> {
  const layout = localLayout(root);
  const store = new FolderObjectStore({ root: layout.buckets });
  const report: ExecutionReport = { record, executionDir: `${layout.executions}/${record.executionId}` };

  const artifacts = stepProperties(record, 'train')?.['ModelArtifacts'] as { S3ModelArtifacts?: string } | undefined;
  if (artifacts?.S3ModelArtifacts) {
    const { bucket, key } = parseS3Uri(artifacts.S3ModelArtifacts);
    report.modelArtifactUri = artifacts.S3ModelArtifacts;
    report.modelArtifactPath = store.objectPath(bucket, key);
  }

  const preprocessOutputs = (record.steps.find((s) => s.name === STEP_NAMES.preprocess)?.properties?.['ProcessingOutputConfig'] as { Outputs?: EvaluationOutput[] } | undefined)?.Outputs ?? [];
  const preprocessUri = preprocessOutputs.find((o) => o.OutputName === PREPROCESS_REPORT.output)?.S3Output?.S3Uri;
  if (preprocessUri) {
    const { bucket, key } = parseS3Uri(preprocessUri);
    const reportKey = `${key.replace(/\/?$/, '/')}${PREPROCESS_REPORT.file}`;
    report.preprocessReportUri = formatS3Uri(bucket, reportKey);
    report.preprocessReportPath = store.objectPath(bucket, reportKey);
  } else {
    // A refused input fails the step, and a failed job's outputs are not uploaded: the report is in its job folder.
    const jobDir = record.steps.find((s) => s.name === STEP_NAMES.preprocess)?.jobDir;
    const inJob = jobDir && join(report.executionDir, jobDir, 'opt', 'ml', 'processing', 'report', PREPROCESS_REPORT.file);
    if (inJob && existsSync(inJob)) report.preprocessReportPath = inJob;
  }

  const outputs = (stepProperties(record, 'evaluate')?.['ProcessingOutputConfig'] as { Outputs?: EvaluationOutput[] } | undefined)?.Outputs ?? [];
  const evaluationUri = outputs.find((o) => o.OutputName === EVALUATION_REPORT.output)?.S3Output?.S3Uri;
  if (evaluationUri) {
    const { bucket, key } = parseS3Uri(evaluationUri);
    const reportKey = `${key.replace(/\/?$/, '/')}${EVALUATION_REPORT.file}`;
    report.evaluationReportUri = formatS3Uri(bucket, reportKey);
    report.evaluationReportPath = store.objectPath(bucket, reportKey);
    const parsed = JSON.parse(new TextDecoder().decode(await store.get(bucket, reportKey))) as { metrics?: Record<string, number> };
    if (parsed.metrics) report.metrics = parsed.metrics;
  }
  return report;
}

const METRIC_LABELS: Record<string, string> = { mAP50: 'mAP50', mAP50_95: 'mAP50-95', precision: 'precision', recall: 'recall' };

/** The execution as people read it: steps with status and duration, metrics, the gate, the model, where things are. */
export function formatExecutionReport(report: ExecutionReport): string {
  const { record } = report;
  const lines: string[] = [];
  const took = record.durationSeconds !== undefined ? ` in ${formatSeconds(record.durationSeconds)}` : '';
  lines.push(`execution ${record.executionId} (${record.pipelineName}): ${record.status}${took}`);
  if (record.failureReason) lines.push(`reason: ${record.failureReason}`);
  if (record.stopReason) lines.push(`stopped: ${record.stopReason}; continue it with: npx yolops runs retry ${record.executionId}`);
  for (const retry of record.retries ?? []) lines.push(`retried ${retry.at.replace('T', ' ').slice(0, 19)}${retry.fromStep ? ` from step ${retry.fromStep}` : ''} after it was ${retry.previousStatus}${retry.previousReason ? ` (${retry.previousReason})` : ''}`);
  lines.push('');
  lines.push(
    table(
      ['step', 'type', 'status', 'duration', 'note'],
      record.steps.map((s) => [
        s.name,
        s.type,
        s.status,
        s.durationSeconds !== undefined ? formatSeconds(s.durationSeconds) : '-',
        (s.failureReason ?? s.stopReason ?? s.notExecutedReason ?? '').split('\n')[0]?.slice(0, 100) ?? '',
      ]),
    ),
  );
  if (report.metrics) {
    lines.push('');
    lines.push(`metrics (${record.parameters['InputDataUri'] ?? 'dataset'} val split): ${Object.entries(report.metrics).map(([k, v]) => `${METRIC_LABELS[k] ?? k} ${v.toFixed(4)}`).join(', ')}`);
  }
  for (const decision of record.decisions) {
    const show = (v: unknown): string => (typeof v === 'number' ? String(Number(v.toFixed(4))) : JSON.stringify(v));
    const compared = decision.conditions.map((c) => `${show(c.left)} ${c.type} ${show(c.right)}`).join(' and ');
    lines.push(`gate ${decision.step}: ${compared} -> ${decision.outcome ? 'passed' : 'failed'}, ran ${decision.branchSteps.join(', ') || 'nothing'}`);
  }
  if (record.registeredModel) {
    const m = record.registeredModel;
    lines.push(`registered: ${m.modelPackageGroupName} version ${m.version} (${m.approvalStatus}); approve with: npx yolops models approve ${m.version}`);
  } else {
    lines.push('registered: no model version');
  }
  lines.push('');
  if (report.preprocessReportPath) lines.push(`preprocess:     ${report.preprocessReportPath}`);
  if (report.modelArtifactPath) lines.push(`model artifact: ${report.modelArtifactPath}`);
  if (report.evaluationReportPath) lines.push(`evaluation:     ${report.evaluationReportPath}`);
  lines.push(`execution dir:  ${report.executionDir}`);
  if (record.mlflow) {
    const where = record.mlflow.runUrl ?? record.mlflow.trackingUri;
    lines.push(`MLflow run:     ${where}${record.mlflow.lookupError ? ` (lookup failed: ${record.mlflow.lookupError})` : ''}`);
  }
  return lines.join('\n');
}

import { formatSeconds, table } from '../output.ts';
import type { RunStepView, RunSummary, RunView } from './run-view.ts';

const METRIC_LABELS: Record<string, string> = { mAP50: 'mAP50', mAP50_95: 'mAP50-95', precision: 'precision', recall: 'recall' };

function when(iso: string | undefined): string {
  return iso ? iso.replace('T', ' ').slice(0, 19) : '-';
}

function took(seconds: number | undefined): string {
  return seconds !== undefined ? formatSeconds(seconds) : '-';
}

/** How to continue a Failed or Stopped execution on its target. */
export function retryHint(view: Pick<RunSummary, 'target' | 'id' | 'executionArn'>): string {
  return view.target === 'local'
    ? `npx yolops runs retry ${view.id}`
    : `aws sagemaker retry-pipeline-execution --pipeline-execution-arn ${view.executionArn} --client-request-token $(uuidgen)`;
}

/** `runs list` and `pipeline list` as a table, newest first. */
export function formatRunList(runs: readonly RunSummary[]): string {
  return table(
    ['execution', 'status', 'started', 'duration', 'dataset', 'model version'],
    runs.map((r) => [r.id, r.status, when(r.startedAt), took(r.durationSeconds), r.dataset ?? '-', r.registeredModel ? String(r.registeredModel.version) : '-']),
  );
}

export function formatMetrics(metrics: Readonly<Record<string, number>>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${METRIC_LABELS[k] ?? k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(', ');
}

function stepNote(step: RunStepView): string {
  return (step.failureReason ?? step.note ?? (step.metrics ? formatMetrics(step.metrics) : '')).split('\n')[0]?.slice(0, 100) ?? '';
}

/** One execution as people read it: status, steps, metrics, decisions, the registered model, where to look. */
export function formatRunView(view: RunView): string {
  const lines: string[] = [];
  const duration = view.durationSeconds !== undefined ? ` in ${formatSeconds(view.durationSeconds)}` : '';
  lines.push(`execution ${view.id} (${view.pipelineName}): ${view.status}${duration}`);
  if (view.failureReason) lines.push(`reason: ${view.failureReason}`);
  if (view.stopReason || view.status === 'Stopped') lines.push(`stopped: ${view.stopReason ?? 'stopped'}; continue it with: ${retryHint(view)}`);
  else if (view.status === 'Failed') lines.push(`continue it with: ${retryHint(view)}`);
  lines.push(`started: ${when(view.startedAt)}${view.displayName ? `  (${view.displayName})` : ''}`);
  lines.push(`dataset: ${view.dataset ?? '-'}   code version: ${view.codeVersion ?? 'the deployed default'}`);
  lines.push('');
  lines.push(
    view.steps.length === 0
      ? 'no steps have started yet'
      : table(
          ['step', 'type', 'status', 'duration', 'note'],
          view.steps.map((s) => [s.name, s.type ?? '-', s.status, took(s.durationSeconds), stepNote(s)]),
        ),
  );
  if (view.metrics) {
    lines.push('');
    lines.push(`metrics (${view.dataset ?? 'dataset'} val split): ${formatMetrics(view.metrics)}`);
  }
  for (const c of view.conditions) lines.push(`condition ${c.step}: ${c.detail ? `${c.detail} -> ` : ''}${c.outcome ? 'true' : 'false'}`);
  if (view.registeredModel) {
    const m = view.registeredModel;
    lines.push(`registered: ${m.modelPackageGroupName} version ${m.version}${m.approvalStatus ? ` (${m.approvalStatus})` : ''}; approve with: npx yolops models approve ${m.version}`);
  } else {
    lines.push('registered: no model version');
  }
  const locations = Object.entries(view.locations);
  if (locations.length > 0) {
    lines.push('');
    const width = Math.max(...locations.map(([label]) => label.length)) + 1;
    for (const [label, where] of locations) lines.push(`${`${label}:`.padEnd(width)} ${where}`);
  }
  return lines.join('\n');
}

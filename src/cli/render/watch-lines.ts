import { formatSeconds } from '../output.ts';
import type { RunView } from './run-view.ts';
import { formatMetrics } from './run-view-format.ts';

/** A training job's progress as SageMaker reports it (DescribeTrainingJob's SecondaryStatusTransitions). */
export interface JobProgress {
  status: string;
  transitions: readonly { status: string; message?: string }[];
}

/** What one poll of `pipeline watch` saw: the run, and the progress of its training steps' jobs by step name. */
export interface WatchSnapshot {
  view: RunView;
  jobs: Readonly<Record<string, JobProgress>>;
}

/** SageMaker's execution statuses after which nothing changes any more. */
export const FINAL_EXECUTION_STATUSES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Stopped']);

function sameMetrics(a: Readonly<Record<string, number>> | undefined, b: Readonly<Record<string, number>> | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}

/**
 * The lines that tell what changed between two polls: the execution's status, each step's status, a training
 * job's new secondary statuses, and its metrics whenever they move. The first poll (`previous` undefined) tells
 * everything as it stands. Pure, so the rendering is tested without a server.
 */
export function watchLines(previous: WatchSnapshot | undefined, current: WatchSnapshot): string[] {
  const lines: string[] = [];
  const { view } = current;
  if (previous === undefined) lines.push(`execution ${view.id} (${view.pipelineName}): ${view.status}${view.dataset ? `, dataset ${view.dataset}` : ''}`);
  const before = new Map((previous?.view.steps ?? []).map((s) => [s.name, s]));
  for (const step of view.steps) {
    const old = before.get(step.name);
    if (old?.status !== step.status) {
      const took = step.durationSeconds !== undefined && FINAL_EXECUTION_STATUSES.has(step.status) ? ` in ${formatSeconds(step.durationSeconds)}` : '';
      const why = step.failureReason ?? step.note;
      lines.push(`  ${step.name}${step.type ? ` (${step.type})` : ''}: ${step.status}${took}${why ? `: ${why}` : ''}`);
    }
    const job = current.jobs[step.name];
    const seen = previous?.jobs[step.name]?.transitions.length ?? 0;
    for (const transition of job?.transitions.slice(seen) ?? []) {
      lines.push(`    ${step.name} job: ${transition.status}${transition.message ? ` - ${transition.message}` : ''}`);
    }
    if (step.metrics && !sameMetrics(old?.metrics, step.metrics)) lines.push(`    ${step.name} metrics: ${formatMetrics(step.metrics)}`);
  }
  if (previous !== undefined && previous.view.status !== view.status) {
    lines.push(`execution ${view.id}: ${view.status}${view.failureReason ? `: ${view.failureReason}` : ''}${view.stopReason ? `: ${view.stopReason}` : ''}`);
  } else if (previous === undefined && FINAL_EXECUTION_STATUSES.has(view.status) && (view.failureReason || view.stopReason)) {
    lines.push(`execution ${view.id}: ${view.status}: ${view.failureReason ?? view.stopReason}`);
  }
  return lines;
}

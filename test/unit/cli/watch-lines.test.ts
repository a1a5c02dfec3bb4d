import { describe, expect, it } from 'vitest';
import type { RunStepView, RunView } from '../../../src/cli/render/run-view.ts';
import { watchLines, type WatchSnapshot } from '../../../src/cli/render/watch-lines.ts';

function snapshot(status: RunView['status'], steps: RunStepView[], jobs: WatchSnapshot['jobs'] = {}, extra: Partial<RunView> = {}): WatchSnapshot {
  return {
    view: { target: 'aws', id: 'abc', executionArn: 'arn', pipelineName: 'p', status, parameters: {}, dataset: 's3://b/split_dataset/v1/', conditions: [], locations: {}, steps, ...extra },
    jobs,
  };
}

describe('watchLines', () => {
  it('tells everything on the first poll, then only what changed', () => {
    const first = snapshot('Executing', [{ name: 'TrainOnSpot', status: 'Executing' }]);
    expect(watchLines(undefined, first)).toEqual(['execution abc (p): Executing, dataset s3://b/split_dataset/v1/', '  TrainOnSpot: Executing']);
    expect(watchLines(first, first)).toEqual([]);

    const starting = snapshot('Executing', [{ name: 'TrainOnSpot', type: 'Condition', status: 'Succeeded', durationSeconds: 1 }, { name: 'Train', type: 'Training', status: 'Starting' }], {
      Train: { status: 'InProgress', transitions: [{ status: 'Starting', message: 'Launching requested ML instances' }] },
    });
    expect(watchLines(first, starting)).toEqual(['  TrainOnSpot (Condition): Succeeded in 1.0 s', '  Train (Training): Starting', '    Train job: Starting - Launching requested ML instances']);

    const training = snapshot('Executing', [starting.view.steps[0] as RunStepView, { name: 'Train', type: 'Training', status: 'Executing', metrics: { 'train:box_loss': 1.25 } }], {
      Train: { status: 'InProgress', transitions: [{ status: 'Starting', message: 'Launching requested ML instances' }, { status: 'Downloading' }, { status: 'Training', message: 'Training image download completed.' }] },
    });
    expect(watchLines(starting, training)).toEqual(['  Train (Training): Executing', '    Train job: Downloading', '    Train job: Training - Training image download completed.', '    Train metrics: train:box_loss 1.2500']);
    // Metrics that moved are told again; unchanged ones are not.
    const later = snapshot('Executing', [training.view.steps[0] as RunStepView, { ...(training.view.steps[1] as RunStepView), metrics: { 'train:box_loss': 0.9 } }], training.jobs);
    expect(watchLines(training, later)).toEqual(['    Train metrics: train:box_loss 0.9000']);
  });

  it('ends with the execution\'s final status and its reason', () => {
    const running = snapshot('Executing', [{ name: 'Train', type: 'Training', status: 'Executing' }]);
    const failed = snapshot('Failed', [{ name: 'Train', type: 'Training', status: 'Failed', durationSeconds: 75, failureReason: 'AlgorithmError: out of memory' }], {}, { failureReason: 'Step failure: One or multiple steps failed.' });
    expect(watchLines(running, failed)).toEqual(['  Train (Training): Failed in 1 min 15 s: AlgorithmError: out of memory', 'execution abc: Failed: Step failure: One or multiple steps failed.']);
    // Watching one that had already ended: told once, with its reason.
    expect(watchLines(undefined, failed).at(-1)).toBe('execution abc: Failed: Step failure: One or multiple steps failed.');
  });
});

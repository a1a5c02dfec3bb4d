import { describe, expect, it } from 'vitest';
import { WatchDecider, type VersionObservation } from '../../../../src/local/watch/watch-decisions.ts';

const complete = (key: string, signature: string): VersionObservation => ({ key, signature, complete: true, reason: 'complete: 24 train, 8 val images' });
const partial = (key: string, signature: string, reason = 'no data.yaml yet'): VersionObservation => ({ key, signature, complete: false, reason });

describe('WatchDecider', () => {
  it('starts a complete version only after it stays unchanged for the settle time', () => {
    const decider = new WatchDecider(5_000);
    expect(decider.decide([complete('split_dataset/v1', 's1')], 0, new Set())).toEqual([
      { kind: 'wait', key: 'split_dataset/v1', reason: 'complete, waiting until nothing has changed for 5000 ms', readyAt: 5_000 },
    ]);
    expect(decider.decide([complete('split_dataset/v1', 's1')], 4_999, new Set())[0]?.kind).toBe('wait');
    expect(decider.decide([complete('split_dataset/v1', 's1')], 5_000, new Set())).toEqual([{ kind: 'start', key: 'split_dataset/v1' }]);
  });

  it('restarts the settle time whenever the version changes (an upload still going on)', () => {
    const decider = new WatchDecider(5_000);
    decider.decide([complete('v/a', 's1')], 0, new Set());
    expect(decider.decide([complete('v/a', 's2')], 4_000, new Set())).toEqual([expect.objectContaining({ kind: 'wait', readyAt: 9_000 })]);
    expect(decider.decide([complete('v/a', 's2')], 8_999, new Set())[0]?.kind).toBe('wait');
    expect(decider.decide([complete('v/a', 's2')], 9_000, new Set())[0]?.kind).toBe('start');
  });

  it('never starts an incomplete version, however long it stays', () => {
    const decider = new WatchDecider(1_000);
    decider.decide([partial('v/a', 's1', 'the val split has no images yet')], 0, new Set());
    expect(decider.decide([partial('v/a', 's1', 'the val split has no images yet')], 60_000, new Set())).toEqual([{ kind: 'wait', key: 'v/a', reason: 'the val split has no images yet' }]);
  });

  it('counts the settle time from the last change even while incomplete', () => {
    const decider = new WatchDecider(5_000);
    decider.decide([partial('v/a', 's1')], 0, new Set());
    // data.yaml arrives last: a new signature, so the settle time starts now.
    expect(decider.decide([complete('v/a', 's2')], 10_000, new Set())[0]?.kind).toBe('wait');
    expect(decider.decide([complete('v/a', 's2')], 15_000, new Set())[0]?.kind).toBe('start');
  });

  it('skips claimed versions (started before, durably recorded) whatever their state', () => {
    const decider = new WatchDecider(0);
    expect(decider.decide([complete('v/a', 's1'), complete('v/b', 's1')], 0, new Set(['v/a']))).toEqual([
      { kind: 'skip', key: 'v/a', reason: 'already started' },
      { kind: 'start', key: 'v/b' },
    ]);
  });

  it('decides each version on its own and forgets removed ones', () => {
    const decider = new WatchDecider(5_000);
    decider.decide([complete('v/a', 's1'), complete('v/b', 's1')], 0, new Set());
    expect(decider.decide([complete('v/a', 's1'), complete('v/b', 's2')], 5_000, new Set()).map((d) => d.kind)).toEqual(['start', 'wait']);
    decider.decide([], 6_000, new Set());
    // Re-uploaded under the same name after removal: a fresh settle time.
    expect(decider.decide([complete('v/b', 's2')], 7_000, new Set())[0]?.kind).toBe('wait');
  });

  it('refuses a negative settle time', () => {
    expect(() => new WatchDecider(-1)).toThrow(RangeError);
  });
});

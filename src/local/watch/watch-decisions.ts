/**
 * The watcher's decision, as a pure function of what it saw and when, so it can be tested with a fake clock:
 * a dataset version starts once it is complete (data.yaml present, every split non-empty) and has not
 * changed for `settleMs` (an upload in progress keeps changing it), and only if nobody claimed it before.
 */

import type { LabelFormat } from '../../core/dataset/label-formats.ts';

/** What one scan saw of one dataset version. */
export interface VersionObservation {
  /** `<prefix>/<version>`, e.g. `split_dataset/2026-11-23`. */
  key: string;
  /** Changes whenever any object of the version is added, removed or rewritten. */
  signature: string;
  complete: boolean;
  /** Why it is not complete (or what it holds). */
  reason: string;
  /** The InputFormat a complete version starts with: yolo for a dataset, the detected format for labelled data. */
  inputFormat?: LabelFormat;
}

interface Tracked {
  signature: string;
  /** When the signature was last seen to change (first sight counts as a change). */
  changedAt: number;
}

export type WatchDecision =
  | { kind: 'start'; key: string }
  | { kind: 'wait'; key: string; reason: string; readyAt?: number }
  | { kind: 'skip'; key: string; reason: string };

export class WatchDecider {
  private readonly tracked = new Map<string, Tracked>();
  readonly settleMs: number;

  constructor(settleMs: number) {
    if (!(settleMs >= 0)) throw new RangeError(`settleMs must be >= 0, got ${settleMs}`);
    this.settleMs = settleMs;
  }

  /**
   * Decides for every observed version. `claimed` holds the versions started before (durably recorded), which
   * are skipped whatever their state. Versions no longer observed are forgotten.
   */
  decide(observations: readonly VersionObservation[], now: number, claimed: ReadonlySet<string>): WatchDecision[] {
    const seen = new Set<string>();
    const decisions: WatchDecision[] = [];
    for (const o of observations) {
      seen.add(o.key);
      const previous = this.tracked.get(o.key);
      const tracked = previous && previous.signature === o.signature ? previous : { signature: o.signature, changedAt: now };
      this.tracked.set(o.key, tracked);
      if (claimed.has(o.key)) {
        decisions.push({ kind: 'skip', key: o.key, reason: 'already started' });
      } else if (!o.complete) {
        decisions.push({ kind: 'wait', key: o.key, reason: o.reason });
      } else if (now - tracked.changedAt < this.settleMs) {
        decisions.push({ kind: 'wait', key: o.key, reason: `complete, waiting until nothing has changed for ${this.settleMs} ms`, readyAt: tracked.changedAt + this.settleMs });
      } else {
        decisions.push({ kind: 'start', key: o.key });
      }
    }
    for (const key of this.tracked.keys()) if (!seen.has(key)) this.tracked.delete(key);
    return decisions;
  }
}

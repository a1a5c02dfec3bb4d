import type { ObjectStore } from '../../core/storage/object-store.ts';
import { formatS3Uri } from '../../core/storage/s3-uri.ts';
import { DEFAULT_LABEL_FORMAT, type LabelFormat } from '../../core/dataset/label-formats.ts';
import { TRIGGER_PREFIXES } from '../../core/trigger/version-kind.ts';
import type { DatasetClaim, DatasetClaims } from './dataset-claims.ts';
import { scanDatasetVersions } from './dataset-scan.ts';
import { WatchDecider, type WatchDecision } from './watch-decisions.ts';

export type WatchEvent =
  | { type: 'watching'; bucket: string; prefixes: readonly string[] }
  | { type: 'dataset-waiting'; key: string; reason: string }
  | { type: 'dataset-starting'; key: string; inputDataUri: string; inputFormat: LabelFormat }
  /** A claimed version whose execution no runner owns any more: continued (`retry`) or started (`start`, it never got going). */
  | { type: 'dataset-continuing'; key: string; executionId: string; how: 'retry' | 'start' }
  | { type: 'dataset-finished'; key: string; executionId?: string; status?: string }
  | { type: 'dataset-start-failed'; key: string; error: string }
  | { type: 'claim-unreadable'; key: string; error: string }
  | { type: 'scan-failed'; error: string };

/** What starting a version yields, recorded on its claim. */
export interface StartOutcome {
  executionId?: string;
  status?: string;
}

export interface DatasetWatcherOptions {
  store: ObjectStore;
  bucket: string;
  claims: DatasetClaims;
  /**
   * Starts one execution on a version, with the InputFormat it holds (yolo for a dataset, the detected format for
   * labelled data), and resolves when it is over. Versions start one at a time.
   */
  start(inputDataUri: string, key: string, inputFormat: LabelFormat): Promise<StartOutcome>;
  /**
   * Continues a version a watcher claimed and whose execution did not finish (stopped, or its runner died);
   * resolves undefined when there is nothing to continue (it is running elsewhere, or it ended). Called once
   * per such claim when the watcher starts, before any new version starts.
   */
  continueClaim?(claim: DatasetClaim): Promise<StartOutcome | undefined>;
  /** How long a complete version must stay unchanged before it starts. @default 10000 */
  settleMs?: number;
  /** @default 2000 */
  pollMs?: number;
  /** @default TRIGGER_PREFIXES: the dataset prefixes and labeled-data/, as the S3 trigger */
  prefixes?: readonly string[];
  now?: () => number;
  onEvent?: (event: WatchEvent) => void;
}

/** Whether a claim's execution may need continuing: a watcher's claim whose last attempt did not end in Succeeded or Failed. */
export function mayNeedContinuing(claim: DatasetClaim): boolean {
  if (claim.by !== 'watcher' || claim.outcome?.error !== undefined) return false;
  return claim.outcome?.status === undefined || claim.outcome.status === 'Stopped';
}

/**
 * Watches the training data bucket and starts one execution per complete version (a folder directly under
 * `split_dataset/` or `sample_dataset/` holding data.yaml, or under `labeled-data/` holding an export whose
 * format it can tell), with that version's InputFormat. It polls (portable, and a listing is what the
 * completeness check needs anyway). A version is claimed durably before it starts, so it never starts twice,
 * across restarts and beside `yolops run` (which claims the versions it uploads). A claim must lead to a
 * finished execution: on start, the watcher continues its claimed versions whose execution was stopped.
 */
export class DatasetWatcher {
  private readonly options: DatasetWatcherOptions;
  private readonly decider: WatchDecider;
  private readonly lastReason = new Map<string, string>();
  private claimsContinued = false;

  constructor(options: DatasetWatcherOptions) {
    this.options = options;
    this.decider = new WatchDecider(options.settleMs ?? 10_000);
  }

  private emit(event: WatchEvent): void {
    this.options.onEvent?.(event);
  }

  /** Continues (once per watcher) every claimed version whose execution did not finish. */
  async continueClaims(signal?: AbortSignal): Promise<void> {
    this.claimsContinued = true;
    const { claims, continueClaim } = this.options;
    if (!continueClaim) return;
    for (const key of await claims.keys()) {
      if (signal?.aborted) return;
      let claim: DatasetClaim | undefined;
      try {
        claim = await claims.get(key);
      } catch (error) {
        this.emit({ type: 'claim-unreadable', key, error: (error as Error).message });
        continue;
      }
      if (!claim || !mayNeedContinuing(claim)) continue;
      try {
        const outcome = await continueClaim(claim);
        if (!outcome) continue;
        await claims.recordOutcome(key, outcome);
        this.emit({ type: 'dataset-finished', key, ...outcome });
      } catch (error) {
        const message = (error as Error).message;
        await claims.recordOutcome(key, { ...(claim.executionId ? { executionId: claim.executionId } : {}), error: message });
        this.emit({ type: 'dataset-start-failed', key, error: message });
      }
    }
  }

  /** One scan: decide, then start (sequentially) every version that is ready, until `signal` aborts. Returns the decisions. */
  async pollOnce(signal?: AbortSignal): Promise<WatchDecision[]> {
    if (!this.claimsContinued) await this.continueClaims(signal);
    const { store, bucket, claims } = this.options;
    const observations = await scanDatasetVersions(store, bucket, this.options.prefixes ?? TRIGGER_PREFIXES);
    const formats = new Map(observations.map((o) => [o.key, o.inputFormat ?? DEFAULT_LABEL_FORMAT] as const));
    const claimed = new Set<string>();
    for (const o of observations) if (await claims.has(o.key)) claimed.add(o.key);
    const decisions = this.decider.decide(observations, (this.options.now ?? Date.now)(), claimed);
    for (const decision of decisions) {
      if (decision.kind === 'wait' && this.lastReason.get(decision.key) !== decision.reason) {
        this.lastReason.set(decision.key, decision.reason);
        this.emit({ type: 'dataset-waiting', key: decision.key, reason: decision.reason });
      }
      if (decision.kind !== 'start' || signal?.aborted) continue;
      this.lastReason.delete(decision.key);
      // Another watcher or `yolops run` may have claimed it since the scan: the exclusive claim decides.
      const inputFormat = formats.get(decision.key) ?? DEFAULT_LABEL_FORMAT;
      if (!(await claims.claim(decision.key, 'watcher', undefined, inputFormat))) continue;
      const inputDataUri = formatS3Uri(bucket, `${decision.key}/`);
      this.emit({ type: 'dataset-starting', key: decision.key, inputDataUri, inputFormat });
      try {
        const outcome = await this.options.start(inputDataUri, decision.key, inputFormat);
        await claims.recordOutcome(decision.key, outcome);
        this.emit({ type: 'dataset-finished', key: decision.key, ...outcome });
      } catch (error) {
        const message = (error as Error).message;
        await claims.recordOutcome(decision.key, { error: message });
        this.emit({ type: 'dataset-start-failed', key: decision.key, error: message });
      }
    }
    return decisions;
  }

  /** Polls until `signal` aborts. A failed scan is reported and retried at the next poll. */
  async run(signal: AbortSignal): Promise<void> {
    this.emit({ type: 'watching', bucket: this.options.bucket, prefixes: this.options.prefixes ?? TRIGGER_PREFIXES });
    while (!signal.aborted) {
      try {
        await this.pollOnce(signal);
      } catch (error) {
        this.emit({ type: 'scan-failed', error: (error as Error).message });
      }
      await new Promise<void>((resolve) => {
        const onAbort = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, this.options.pollMs ?? 2_000);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}

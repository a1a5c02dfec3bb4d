import { join } from 'node:path';
import { readJsonFileIfExists, writeJsonAtomic } from '../fs/atomic-file.ts';
import { createFileExclusive } from '../fs/exclusive-create.ts';
import { isJsonObject } from '../json.ts';

/** Who started a dataset version, so the same version never starts twice (watcher, CLI, two watchers). */
export interface DatasetClaim {
  /** `split_dataset/2026-11-23` */
  datasetKey: string;
  claimedAt: string;
  by: 'watcher' | 'run';
  pid: number;
  /** Filled in once the start attempt is over. */
  outcome?: { executionId?: string; status?: string; error?: string; at: string };
}

/**
 * Durable, exclusive claims on dataset versions: `watch/claims/<prefix>/<version>.json`, created with an
 * exclusive create. Whoever creates the file starts the execution; everyone else sees it taken. Claims
 * survive restarts, so a version is never trained twice by accident (delete the claim to retrain it).
 */
export class DatasetClaims {
  readonly dir: string;

  constructor(watchDir: string) {
    this.dir = join(watchDir, 'claims');
  }

  private path(datasetKey: string): string {
    const parts = datasetKey.split('/');
    if (parts.length !== 2 || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) throw new Error(`invalid dataset key ${JSON.stringify(datasetKey)}: expected "<prefix>/<version>"`);
    return join(this.dir, parts[0] as string, `${parts[1]}.json`);
  }

  /** True when this call took the claim; false when it was taken before. */
  async claim(datasetKey: string, by: DatasetClaim['by']): Promise<boolean> {
    const claim: DatasetClaim = { datasetKey, claimedAt: new Date().toISOString(), by, pid: process.pid };
    return createFileExclusive(this.path(datasetKey), `${JSON.stringify(claim, null, 2)}\n`);
  }

  async get(datasetKey: string): Promise<DatasetClaim | undefined> {
    const raw = await readJsonFileIfExists(this.path(datasetKey));
    return isJsonObject(raw) ? (raw as unknown as DatasetClaim) : undefined;
  }

  /** Adds what came of the start (execution id and status, or the error) to the claim. */
  async recordOutcome(datasetKey: string, outcome: Omit<NonNullable<DatasetClaim['outcome']>, 'at'>): Promise<void> {
    const claim = await this.get(datasetKey);
    if (!claim) throw new Error(`no claim on ${datasetKey} to record an outcome on`);
    await writeJsonAtomic(this.path(datasetKey), { ...claim, outcome: { ...outcome, at: new Date().toISOString() } });
  }
}

import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { isLabelFormat, type LabelFormat } from '../../core/dataset/label-formats.ts';
import { LocalError } from '../errors.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { isErrnoCode } from '../fs/errno.ts';
import { createFileExclusive, readExclusiveFile } from '../fs/exclusive-create.ts';
import { parseRecordText } from '../fs/record-file.ts';
import { processRef } from '../executions/process-ref.ts';

export const CLAIMANTS = ['watcher', 'run'] as const;

/** Who started a dataset version, so the same version never starts twice (watcher, CLI, two watchers). */
export const datasetClaimSchema = z.object({
  /** `split_dataset/2026-11-23` */
  datasetKey: z.string().min(1),
  claimedAt: z.string().min(1),
  by: z.enum(CLAIMANTS),
  /** The claiming process. */
  pid: z.number().int().positive(),
  /** Its identity (see process-ref.ts), so a reused pid is not taken for it. */
  processIdentity: z.string().optional(),
  /** The execution started for the version, recorded before it starts, so a restarted watcher can continue it. */
  executionId: z.string().optional(),
  /** The InputFormat it was started with (labelled data: the detected format), so a restarted watcher starts it alike. */
  inputFormat: z.custom<LabelFormat>((value) => typeof value === 'string' && isLabelFormat(value), 'not a label format').optional(),
  /** Filled in once an attempt is over (updated when a retry ends). */
  outcome: z
    .object({
      executionId: z.string().optional(),
      status: z.string().optional(),
      error: z.string().optional(),
      at: z.string(),
    })
    .optional(),
});
export type DatasetClaim = z.infer<typeof datasetClaimSchema>;
export type ClaimOutcome = Omit<NonNullable<DatasetClaim['outcome']>, 'at'>;

/**
 * Durable, exclusive claims on dataset versions: `watch/claims/<prefix>/<version>.json`, created with an
 * exclusive create. Whoever creates the file starts the execution; everyone else sees it taken. Claims
 * survive restarts, so a version is never trained twice by accident (delete the claim to retrain it); a
 * claimed version whose execution was stopped is continued by a retry, not started again.
 */
export class DatasetClaims {
  readonly dir: string;

  constructor(watchDir: string) {
    this.dir = join(watchDir, 'claims');
  }

  path(datasetKey: string): string {
    const parts = datasetKey.split('/');
    if (parts.length !== 2 || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) {
      throw new LocalError(`invalid dataset key ${JSON.stringify(datasetKey)}: expected "<prefix>/<version>"`, { audience: 'user' });
    }
    return join(this.dir, parts[0] as string, `${parts[1]}.json`);
  }

  /** True when this call took the claim; false when it was taken before. */
  async claim(datasetKey: string, by: DatasetClaim['by'], executionId?: string, inputFormat?: LabelFormat): Promise<boolean> {
    const me = processRef();
    const claim: DatasetClaim = {
      datasetKey, claimedAt: new Date().toISOString(), by, pid: me.pid,
      ...(me.identity ? { processIdentity: me.identity } : {}), ...(executionId ? { executionId } : {}), ...(inputFormat ? { inputFormat } : {}),
    };
    return createFileExclusive(this.path(datasetKey), `${JSON.stringify(claim, null, 2)}\n`);
  }

  /** Whether anyone claimed the version (the file exists; its content is not needed for that). */
  async has(datasetKey: string): Promise<boolean> {
    try {
      await stat(this.path(datasetKey));
      return true;
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return false;
      throw error;
    }
  }

  /** The claim, validated; undefined when there is none; a CorruptRecordError naming the file when it is corrupt. */
  async get(datasetKey: string): Promise<DatasetClaim | undefined> {
    const file = this.path(datasetKey);
    const text = await readExclusiveFile(file);
    return text === undefined ? undefined : parseRecordText(datasetClaimSchema, text, file, 'dataset claim');
  }

  /** The keys of every claim, sorted. */
  async keys(): Promise<string[]> {
    const keys: string[] = [];
    let prefixes: string[];
    try {
      prefixes = (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return [];
      throw error;
    }
    for (const prefix of prefixes) {
      for (const entry of await readdir(join(this.dir, prefix), { withFileTypes: true })) {
        if (entry.isFile() && entry.name.endsWith('.json') && !entry.name.startsWith('.')) keys.push(`${prefix}/${entry.name.slice(0, -'.json'.length)}`);
      }
    }
    return keys.sort();
  }

  /** Records the execution started for the version (before it starts). */
  async recordExecution(datasetKey: string, executionId: string): Promise<void> {
    await this.update(datasetKey, (claim) => ({ ...claim, executionId }));
  }

  /** Adds what came of the start (execution id and status, or the error) to the claim. */
  async recordOutcome(datasetKey: string, outcome: ClaimOutcome): Promise<void> {
    await this.update(datasetKey, (claim) => ({ ...claim, outcome: { ...outcome, at: new Date().toISOString() } }));
  }

  private async update(datasetKey: string, change: (claim: DatasetClaim) => DatasetClaim): Promise<void> {
    const claim = await this.get(datasetKey);
    if (!claim) throw new LocalError(`no claim on ${datasetKey} in ${this.dir} to update`);
    await writeJsonAtomic(this.path(datasetKey), change(claim));
  }
}

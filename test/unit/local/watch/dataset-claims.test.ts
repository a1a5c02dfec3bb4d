import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../../../src/local/fs/record-file.ts';
import { DatasetClaims } from '../../../../src/local/watch/dataset-claims.ts';

let dir: string;
let claims: DatasetClaims;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-claims-'));
  claims = new DatasetClaims(join(dir, 'watch'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('DatasetClaims', () => {
  it('claims a version once, records its execution and outcome, and lists it', async () => {
    expect(await claims.has('split_dataset/v1')).toBe(false);
    expect(await claims.claim('split_dataset/v1', 'watcher')).toBe(true);
    expect(await claims.claim('split_dataset/v1', 'run')).toBe(false);
    expect(await claims.has('split_dataset/v1')).toBe(true);
    await claims.recordExecution('split_dataset/v1', 'exec1');
    await claims.recordOutcome('split_dataset/v1', { executionId: 'exec1', status: 'Stopped' });
    expect(await claims.get('split_dataset/v1')).toMatchObject({ datasetKey: 'split_dataset/v1', by: 'watcher', pid: process.pid, executionId: 'exec1', outcome: { executionId: 'exec1', status: 'Stopped' } });
    await claims.claim('sample_dataset/a', 'run');
    expect(await claims.keys()).toEqual(['sample_dataset/a', 'split_dataset/v1']);
    await expect(claims.recordOutcome('split_dataset/none', { status: 'x' })).rejects.toThrow(/no claim on split_dataset\/none/);
  });

  it('refuses a corrupt claim, naming its file; the version still counts as claimed', async () => {
    const file = join(dir, 'watch', 'claims', 'split_dataset', 'v2.json');
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, JSON.stringify({ datasetKey: 'split_dataset/v2', by: 'someone', claimedAt: 'now' }));
    const error = await claims.get('split_dataset/v2').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect((error as Error).message).toContain(`${file} is not a valid dataset claim; repair or remove the file:\n  - by: `);
    expect((error as Error).message).toContain('pid: ');
    expect(await claims.has('split_dataset/v2')).toBe(true);
    expect(await claims.claim('split_dataset/v2', 'watcher')).toBe(false);
    expect(await readFile(file, 'utf8')).toContain('someone');
  });

  it('refuses keys that are not <prefix>/<version>', async () => {
    await expect(claims.claim('../x', 'run')).rejects.toThrow(/invalid dataset key/);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeDataset } from '../../../../src/core/dataset/index.ts';
import { FolderObjectStore } from '../../../../src/local/folder-object-store.ts';
import { DatasetWatcher, type WatchEvent } from '../../../../src/local/watch/dataset-watcher.ts';
import { DatasetClaims } from '../../../../src/local/watch/dataset-claims.ts';

const bucket = 'yolops-training-data-123456789012';
let dir: string;
let store: FolderObjectStore;
let claims: DatasetClaims;
let clock: number;
let started: string[];
let events: WatchEvent[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-watch-'));
  store = new FolderObjectStore({ root: join(dir, 'buckets') });
  await store.createBucket(bucket);
  claims = new DatasetClaims(join(dir, 'watch'));
  clock = 0;
  started = [];
  events = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const watcher = (start?: (uri: string) => Promise<{ executionId?: string; status?: string }>): DatasetWatcher =>
  new DatasetWatcher({
    store,
    bucket,
    claims,
    settleMs: 1_000,
    now: () => clock,
    onEvent: (e) => events.push(e),
    start:
      start ??
      (async (uri) => {
        started.push(uri);
        return { executionId: `exec-${started.length}`, status: 'Succeeded' };
      }),
  });

const dataset = (prefix: string): Promise<unknown> => synthesizeDataset({ store, bucket, prefix, trainImages: 3, valImages: 2, imageSize: 32 });

describe('DatasetWatcher', () => {
  it('starts each complete version once, after it settles', async () => {
    const w = watcher();
    await store.put(bucket, 'split_dataset/v1/images/train/a.png', 'partial upload');
    await w.pollOnce();
    expect(events).toEqual([{ type: 'dataset-waiting', key: 'split_dataset/v1', reason: 'no data.yaml yet' }]);

    await dataset('split_dataset/v1/');
    clock = 10;
    expect((await w.pollOnce()).map((d) => d.kind)).toEqual(['wait']);
    clock = 1_010;
    await w.pollOnce();
    expect(started).toEqual([`s3://${bucket}/split_dataset/v1/`]);
    expect(events.at(-1)).toEqual({ type: 'dataset-finished', key: 'split_dataset/v1', executionId: 'exec-1', status: 'Succeeded' });
    expect((await claims.get('split_dataset/v1'))?.outcome).toMatchObject({ executionId: 'exec-1', status: 'Succeeded' });

    clock = 5_000;
    expect((await w.pollOnce()).map((d) => d.kind)).toEqual(['skip']);
    expect(started).toHaveLength(1);
  });

  it('sees a version whose data.yml sits one folder down, as the dataset contract allows', async () => {
    const w = watcher();
    await dataset('split_dataset/v9/export/');
    const yaml = await store.get(bucket, 'split_dataset/v9/export/data.yaml');
    await store.delete(bucket, 'split_dataset/v9/export/data.yaml');
    await w.pollOnce();
    expect(events).toEqual([{ type: 'dataset-waiting', key: 'split_dataset/v9', reason: 'no data.yaml yet' }]);
    await store.put(bucket, 'split_dataset/v9/export/data.yml', yaml);
    await w.pollOnce();
    clock = 2_000;
    await w.pollOnce();
    expect(started).toEqual([`s3://${bucket}/split_dataset/v9/`]);
  });

  it('never starts a version twice, across watcher restarts', async () => {
    await dataset('sample_dataset/demo/');
    await watcher().pollOnce();
    clock = 2_000;
    await watcher().pollOnce(); // a new watcher: the first one's settle time is unknown to it
    expect(started).toEqual([]);
    const w = watcher();
    await w.pollOnce();
    clock = 4_000;
    await w.pollOnce();
    expect(started).toEqual([`s3://${bucket}/sample_dataset/demo/`]);
    clock = 10_000;
    const again = watcher();
    await again.pollOnce();
    clock = 20_000;
    await again.pollOnce();
    expect(started).toHaveLength(1);
  });

  it('skips a version claimed by `yolops run`', async () => {
    await dataset('split_dataset/mine/');
    expect(await claims.claim('split_dataset/mine', 'run')).toBe(true);
    const w = watcher();
    await w.pollOnce();
    clock = 5_000;
    expect((await w.pollOnce()).map((d) => d.kind)).toEqual(['skip']);
    expect(started).toEqual([]);
  });

  it('records a failed start on the claim and does not retry it', async () => {
    await dataset('split_dataset/bad/');
    const w = watcher(async () => {
      throw new Error('dataset is not valid');
    });
    await w.pollOnce();
    clock = 5_000;
    await w.pollOnce();
    expect(events.at(-1)).toEqual({ type: 'dataset-start-failed', key: 'split_dataset/bad', error: 'dataset is not valid' });
    expect((await claims.get('split_dataset/bad'))?.outcome).toMatchObject({ error: 'dataset is not valid' });
    clock = 10_000;
    expect((await w.pollOnce()).map((d) => d.kind)).toEqual(['skip']);
  });

  it('ignores objects outside a version folder and other prefixes', async () => {
    await store.put(bucket, 'split_dataset/readme.txt', 'x');
    await dataset('other_prefix/v1/');
    expect(await watcher().pollOnce()).toEqual([]);
  });

  it('starts versions one at a time', async () => {
    await dataset('split_dataset/a/');
    await dataset('split_dataset/b/');
    let running = 0;
    let maxRunning = 0;
    const w = watcher(async (uri) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      started.push(uri);
      return {};
    });
    await w.pollOnce();
    clock = 5_000;
    await w.pollOnce();
    expect(started).toHaveLength(2);
    expect(maxRunning).toBe(1);
  });

  it('on start, continues the versions it claimed whose execution did not finish, once, before new ones', async () => {
    // Claimed by a watcher: stopped (continued), still running elsewhere (continueClaim says so), finished, failed to start;
    // claimed by `yolops run` (never the watcher's to continue).
    for (const [key, by] of [['split_dataset/stopped', 'watcher'], ['split_dataset/elsewhere', 'watcher'], ['split_dataset/done', 'watcher'], ['split_dataset/invalid', 'watcher'], ['split_dataset/cli', 'run']] as const) {
      await claims.claim(key, by, `id-${key.split('/')[1]}`);
    }
    await claims.recordOutcome('split_dataset/stopped', { executionId: 'id-stopped', status: 'Stopped' });
    await claims.recordOutcome('split_dataset/done', { executionId: 'id-done', status: 'Succeeded' });
    await claims.recordOutcome('split_dataset/invalid', { error: 'dataset is not valid' });
    const asked: string[] = [];
    const w = new DatasetWatcher({
      store,
      bucket,
      claims,
      settleMs: 0,
      now: () => clock,
      onEvent: (e) => events.push(e),
      start: async () => ({}),
      continueClaim: async (claim) => {
        asked.push(claim.datasetKey);
        return claim.datasetKey === 'split_dataset/stopped' ? { executionId: claim.executionId, status: 'Succeeded' } : undefined;
      },
    });
    await w.pollOnce();
    await w.pollOnce();
    expect(asked).toEqual(['split_dataset/elsewhere', 'split_dataset/stopped']);
    expect((await claims.get('split_dataset/stopped'))?.outcome).toMatchObject({ executionId: 'id-stopped', status: 'Succeeded' });
    expect((await claims.get('split_dataset/elsewhere'))?.outcome).toBeUndefined();
    expect(events).toEqual([{ type: 'dataset-finished', key: 'split_dataset/stopped', executionId: 'id-stopped', status: 'Succeeded' }]);
  });

  it('reports a claim it cannot read, naming the file, and goes on', async () => {
    await claims.claim('split_dataset/ok', 'watcher', 'id-ok');
    await claims.claim('split_dataset/broken', 'watcher');
    await writeFile(claims.path('split_dataset/broken'), '{"datasetKey": 3}');
    const asked: string[] = [];
    const w = new DatasetWatcher({ store, bucket, claims, onEvent: (e) => events.push(e), start: async () => ({}), continueClaim: async (claim) => void asked.push(claim.datasetKey) });
    await w.pollOnce();
    expect(asked).toEqual(['split_dataset/ok']);
    expect(events).toEqual([{ type: 'claim-unreadable', key: 'split_dataset/broken', error: expect.stringContaining(`${claims.path('split_dataset/broken')} is not a valid dataset claim; repair or remove the file:\n  - datasetKey: `) }]);
  });
});

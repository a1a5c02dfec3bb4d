import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeDataset } from '../../../src/core/dataset/index.ts';
import { ExecutionStore } from '../../../src/local/executions/execution-store.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { localLayout } from '../../../src/local/layout.ts';
import { DatasetWatcher, type WatchEvent } from '../../../src/local/watch/dataset-watcher.ts';
import { watchLocally } from '../../../src/local/watch/watch-locally.ts';
import { DatasetClaims } from '../../../src/local/watch/dataset-claims.ts';
import { compiledDefinition, CONTEXT, processesMentioning, testEnv, TRAINING_BUCKET, waitFor } from './helpers.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'yolops-watch-it-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the watcher on a real bucket folder and a real clock', () => {
  it('starts once per complete version, only after a slow upload has finished and settled', async () => {
    const layout = localLayout(root);
    const store = new FolderObjectStore({ root: layout.buckets });
    await store.createBucket(TRAINING_BUCKET);
    const starts: { uri: string; at: number }[] = [];
    const events: WatchEvent[] = [];
    const controller = new AbortController();
    const watcher = new DatasetWatcher({
      store,
      bucket: TRAINING_BUCKET,
      claims: new DatasetClaims(layout.watch),
      settleMs: 600,
      pollMs: 100,
      onEvent: (e) => events.push(e),
      start: async (uri) => {
        starts.push({ uri, at: Date.now() });
        return { executionId: 'fake', status: 'Succeeded' };
      },
    });
    const running = watcher.run(controller.signal);

    // A slow upload in the order a careless tool might use: data.yaml first, then images, one by one.
    const scratch = new FolderObjectStore({ root: join(root, 'scratch') });
    await scratch.createBucket(TRAINING_BUCKET);
    await synthesizeDataset({ store: scratch, bucket: TRAINING_BUCKET, prefix: 'v/', trainImages: 4, valImages: 2, imageSize: 32 });
    const keys: string[] = [];
    for await (const o of scratch.list(TRAINING_BUCKET, 'v/')) keys.push(o.key);
    const ordered = ['v/data.yaml', ...keys.filter((k) => k !== 'v/data.yaml')];
    for (const key of ordered) {
      await store.put(TRAINING_BUCKET, `split_dataset/2026-11-23/${key.slice(2)}`, await scratch.get(TRAINING_BUCKET, key));
      await new Promise((r) => setTimeout(r, 150));
    }
    const uploadDone = Date.now();
    await waitFor(() => starts.length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 800)); // more polls: no second start
    controller.abort();
    await running;

    expect(starts.map((s) => s.uri)).toEqual([`s3://${TRAINING_BUCKET}/split_dataset/2026-11-23/`]);
    expect((starts[0]?.at ?? 0) - uploadDone).toBeGreaterThanOrEqual(450);
    expect(events[0]).toEqual({ type: 'watching', bucket: TRAINING_BUCKET, prefixes: ['split_dataset/', 'sample_dataset/', 'labeled-data/'] });
    expect(events.some((e) => e.type === 'dataset-waiting' && /has no images yet|waiting until nothing has changed/.test(e.reason))).toBe(true);
    expect(JSON.parse(await readFile(join(layout.watch, 'claims', 'split_dataset', '2026-11-23.json'), 'utf8'))).toMatchObject({ by: 'watcher', outcome: { executionId: 'fake', status: 'Succeeded' } });
  });

  it('watchLocally validates a new version first and records why an invalid one did not start', async () => {
    const layout = localLayout(root);
    const store = new FolderObjectStore({ root: layout.buckets });
    await store.createBucket(TRAINING_BUCKET);
    await synthesizeDataset({ store, bucket: TRAINING_BUCKET, prefix: 'sample_dataset/broken/', trainImages: 3, valImages: 2, imageSize: 32 });
    const labels: string[] = [];
    for await (const o of store.list(TRAINING_BUCKET, 'sample_dataset/broken/labels/train/')) labels.push(o.key);
    await store.put(TRAINING_BUCKET, labels[0] as string, '9 0.5 0.5 0.2 0.2\n');
    const events: WatchEvent[] = [];
    const controller = new AbortController();
    const watching = watchLocally({ root, definition: compiledDefinition(), context: CONTEXT, env: testEnv(), signal: controller.signal, settleMs: 200, pollMs: 100, onWatchEvent: (e) => events.push(e) });
    await waitFor(() => events.some((e) => e.type === 'dataset-start-failed'), 120_000);
    controller.abort();
    await watching;
    const failed = events.find((e) => e.type === 'dataset-start-failed');
    expect(failed).toMatchObject({ key: 'sample_dataset/broken', error: expect.stringMatching(/dataset s3:\/\/yolops-training-data-123456789012\/sample_dataset\/broken\/ is not valid, no execution started/) });
    expect(failed?.type === 'dataset-start-failed' && failed.error).toMatch(/class/i);
    expect(await new DatasetClaims(layout.watch).get('sample_dataset/broken')).toMatchObject({ outcome: { error: expect.any(String) } });
    expect(await new ExecutionStore(layout.executions).list()).toEqual([]);
    // The watcher's own MLflow server is stopped with it.
    expect(processesMentioning(root)).toEqual([]);
  });
});

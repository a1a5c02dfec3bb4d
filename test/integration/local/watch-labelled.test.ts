import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LabelFormat } from '../../../src/core/dataset/label-formats.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { localLayout } from '../../../src/local/layout.ts';
import { DatasetClaims } from '../../../src/local/watch/dataset-claims.ts';
import { DatasetWatcher, type WatchEvent } from '../../../src/local/watch/dataset-watcher.ts';
import { LABELLED_EXPORTS } from '../../support/labelled-exports.ts';
import { TRAINING_BUCKET, waitFor } from './helpers.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'yolops-watch-labelled-it-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * The watcher on a real bucket folder and a real clock, for a labelled export. Running the execution itself
 * needs the pipeline's Preprocess step to convert the export, so this asserts what the watcher decides and
 * starts (the version, its InputFormat, once), through the same `start` hook watchLocally gives the local
 * runner, and not the training.
 */
describe('the watcher on labeled-data/', () => {
  it('starts one execution for a Label Studio export uploaded slowly, annotation file first, with InputFormat labelstudio', async () => {
    const layout = localLayout(root);
    const store = new FolderObjectStore({ root: layout.buckets });
    await store.createBucket(TRAINING_BUCKET);
    const starts: { uri: string; key: string; format: LabelFormat; at: number }[] = [];
    const events: WatchEvent[] = [];
    const controller = new AbortController();
    const watcher = new DatasetWatcher({
      store,
      bucket: TRAINING_BUCKET,
      claims: new DatasetClaims(layout.watch),
      settleMs: 600,
      pollMs: 100,
      onEvent: (e) => events.push(e),
      start: async (uri, key, format) => {
        starts.push({ uri, key, format, at: Date.now() });
        return { executionId: 'recorded', status: 'Succeeded' };
      },
    });
    const running = watcher.run(controller.signal);

    // The annotation file first, then the images one by one: the folder counts as an export at once, and only
    // settling keeps the watcher from starting before the images are there.
    const files = Object.entries(LABELLED_EXPORTS.labelstudio);
    const extra = Array.from({ length: 5 }, (_, i) => [`data/upload/3/extra-${i}.png`, LABELLED_EXPORTS.labelstudio['data/upload/3/5a1b-a.png']] as const);
    for (const [path, body] of [...files, ...extra]) {
      await store.put(TRAINING_BUCKET, `labeled-data/ls-1/${path}`, body);
      await new Promise((r) => setTimeout(r, 150));
    }
    const uploadDone = Date.now();
    await waitFor(() => starts.length > 0, 10_000);
    await new Promise((r) => setTimeout(r, 800)); // more polls: no second start
    controller.abort();
    await running;

    expect(starts.map(({ uri, key, format }) => ({ uri, key, format }))).toEqual([{ uri: `s3://${TRAINING_BUCKET}/labeled-data/ls-1/`, key: 'labeled-data/ls-1', format: 'labelstudio' }]);
    expect((starts[0]?.at ?? 0) - uploadDone).toBeGreaterThanOrEqual(450);
    expect(events).toContainEqual({ type: 'dataset-starting', key: 'labeled-data/ls-1', inputDataUri: `s3://${TRAINING_BUCKET}/labeled-data/ls-1/`, inputFormat: 'labelstudio' });
    expect(await new DatasetClaims(layout.watch).get('labeled-data/ls-1')).toMatchObject({ by: 'watcher', inputFormat: 'labelstudio', outcome: { executionId: 'recorded', status: 'Succeeded' } });
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeDataset } from '../../../../src/core/dataset/index.ts';
import type { LabelFormat } from '../../../../src/core/dataset/label-formats.ts';
import { FolderObjectStore } from '../../../../src/local/folder-object-store.ts';
import { DatasetClaims } from '../../../../src/local/watch/dataset-claims.ts';
import { DatasetWatcher, type WatchEvent } from '../../../../src/local/watch/dataset-watcher.ts';
import { localStartInput } from '../../../../src/local/watch/start-input.ts';
import { putExport } from '../../../support/labelled-exports.ts';

const bucket = 'yolops-training-data-123456789012';
let dir: string;
let store: FolderObjectStore;
let claims: DatasetClaims;
let clock: number;
let starts: { uri: string; key: string; format: LabelFormat }[];
let events: WatchEvent[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-watch-labelled-'));
  store = new FolderObjectStore({ root: join(dir, 'buckets') });
  await store.createBucket(bucket);
  claims = new DatasetClaims(join(dir, 'watch'));
  clock = 0;
  starts = [];
  events = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const watcher = (): DatasetWatcher =>
  new DatasetWatcher({
    store,
    bucket,
    claims,
    settleMs: 1_000,
    now: () => clock,
    onEvent: (e) => events.push(e),
    start: async (uri, key, format) => {
      starts.push({ uri, key, format });
      return { executionId: `x-${starts.length}`, status: 'Succeeded' };
    },
  });

describe('the local watcher on labeled-data/', () => {
  it('starts each export once, settled, with its detected InputFormat, beside a dataset with yolo; records the format on the claim', async () => {
    await putExport(store, bucket, 'labeled-data/coco-1/', 'coco');
    await putExport(store, bucket, 'labeled-data/voc-1/', 'voc');
    await synthesizeDataset({ store, bucket, prefix: 'split_dataset/v1/', trainImages: 2, valImages: 1, imageSize: 32 });
    const w = watcher();
    await w.pollOnce();
    expect(starts).toEqual([]); // not settled yet
    clock += 1_000;
    await w.pollOnce();
    clock += 5_000;
    await w.pollOnce();
    expect(starts).toEqual([
      { uri: `s3://${bucket}/split_dataset/v1/`, key: 'split_dataset/v1', format: 'yolo' },
      { uri: `s3://${bucket}/labeled-data/coco-1/`, key: 'labeled-data/coco-1', format: 'coco' },
      { uri: `s3://${bucket}/labeled-data/voc-1/`, key: 'labeled-data/voc-1', format: 'voc' },
    ]);
    expect(events.filter((e) => e.type === 'dataset-starting').map((e) => e.type === 'dataset-starting' && e.inputFormat)).toEqual(['yolo', 'coco', 'voc']);
    expect(await claims.get('labeled-data/coco-1')).toMatchObject({ by: 'watcher', inputFormat: 'coco', outcome: { status: 'Succeeded' } });
  });

  it('waits, saying why, on a folder without an annotation file or whose format it cannot tell; starts nothing', async () => {
    await putExport(store, bucket, 'labeled-data/unknown/', 'undetectable');
    await putExport(store, bucket, 'labeled-data/mixed/', 'coco');
    await putExport(store, bucket, 'labeled-data/mixed/', 'voc');
    const w = watcher();
    await w.pollOnce();
    clock += 10_000;
    await w.pollOnce();
    expect(starts).toEqual([]);
    const waiting = new Map(events.flatMap((e) => (e.type === 'dataset-waiting' ? [[e.key, e.reason] as const] : [])));
    expect(waiting.get('labeled-data/unknown')).toBe('no annotation file yet');
    expect(waiting.get('labeled-data/mixed')).toMatch(/annotation files of 2 formats: coco .*; voc .*; keep one export per version folder/);
    expect(await claims.keys()).toEqual([]);
  });
});

describe('localStartInput', () => {
  const withFormat = new Set(['InputDataUri', 'InputFormat']);
  const withoutFormat = new Set(['InputDataUri']);

  it('passes InputFormat where the definition declares it; only datasets are validated first', () => {
    expect(localStartInput('labeled-data/v1', 'coco', withFormat)).toEqual({ parameterOverrides: { InputFormat: 'coco' }, validateDataset: false });
    expect(localStartInput('split_dataset/v1', 'yolo', withFormat)).toEqual({ parameterOverrides: { InputFormat: 'yolo' }, validateDataset: true });
  });

  it('an older definition without InputFormat still trains datasets, and refuses labelled data saying why', () => {
    expect(localStartInput('sample_dataset/v1', 'yolo', withoutFormat)).toEqual({ parameterOverrides: {}, validateDataset: true });
    expect(() => localStartInput('labeled-data/v1', 'yolo', withoutFormat)).toThrow(/labeled-data\/v1 holds labelled data \(yolo\), but the pipeline definition the watcher runs declares no InputFormat parameter/);
  });
});

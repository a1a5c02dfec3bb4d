import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeDataset } from '../../../src/core/dataset/index.ts';
import { listAll, type ObjectStore, type PutOptions, type PutResult } from '../../../src/core/storage/object-store.ts';
import { decideReadiness } from '../../../src/core/trigger/readiness.ts';
import { matchUploadMarker, UPLOAD_MARKER_NAME, uploadMarkerSchema } from '../../../src/core/trigger/upload-marker.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { ByteBudget } from '../../../src/transfer/byte-budget.ts';
import { ExtraObjectsError, pushDataset } from '../../../src/transfer/index.ts';
import { CountingStore } from '../../../src/transfer/counting-store.ts';

const work = mkdtempSync(join(tmpdir(), 'yolops-push-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const BUCKET = 'training-data';
const ROOT = 'split_dataset/v1/';
let n = 0;
let dir: string;
let store: FolderObjectStore;

/** A synthetic dataset folder and an empty bucket folder for each test. */
beforeEach(async () => {
  n += 1;
  dir = join(work, `dataset-${n}`);
  const source = new FolderObjectStore({ root: join(work, `source-${n}`) });
  await source.createBucket('dataset');
  await synthesizeDataset({ store: source, bucket: 'dataset', trainImages: 8, valImages: 3, imageSize: 32, seed: n });
  dir = source.bucketPath('dataset');
  store = new FolderObjectStore({ root: join(work, `buckets-${n}`) });
  await store.createBucket(BUCKET);
});

async function markerOf(s: ObjectStore): Promise<ReturnType<typeof uploadMarkerSchema.parse>> {
  return uploadMarkerSchema.parse(JSON.parse(Buffer.from(await s.get(BUCKET, `${ROOT}${UPLOAD_MARKER_NAME}`)).toString('utf8')));
}

/** A store whose puts fail after `allowed` of them, as a push killed part-way leaves the bucket. */
class FailingAfter extends CountingStore {
  private left: number;
  constructor(inner: ObjectStore, allowed: number) {
    super(inner);
    this.left = allowed;
  }
  override async put(bucket: string, key: string, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    if (this.left <= 0) throw new Error('connection reset');
    this.left -= 1;
    return super.put(bucket, key, body, options);
  }
}

describe('pushDataset on the folder store', () => {
  it('uploads every file, then a marker listing exactly what is there, which the trigger accepts', async () => {
    const result = await pushDataset({ store, bucket: BUCKET, root: ROOT, dir, concurrency: 4 });
    const objects = await listAll(store, BUCKET, ROOT);
    expect(objects).toHaveLength(result.files + 1);
    expect(result).toMatchObject({ uploaded: result.files, unchanged: 0, markerWritten: true, deleted: [], markerKey: `${ROOT}${UPLOAD_MARKER_NAME}` });
    const marker = await markerOf(store);
    expect(marker.objects).toHaveLength(result.files);
    expect(matchUploadMarker(marker, ROOT, objects)).toEqual({ complete: true });
    const readiness = decideReadiness({ ref: { prefix: 'split_dataset/', version: 'v1', root: ROOT }, objects, marker: { kind: 'valid', marker }, uploadsInProgress: false, eventKeys: [], now: Date.now(), quietPeriodMs: 120_000 });
    expect(readiness).toMatchObject({ kind: 'ready', via: 'marker' });
    expect(result.requests).toMatchObject({ list: 2, put: result.files + 1, delete: 0 });
  });

  it('a second push of the same folder writes nothing, not even the marker', async () => {
    await pushDataset({ store, bucket: BUCKET, root: ROOT, dir });
    const before = await store.head(BUCKET, `${ROOT}${UPLOAD_MARKER_NAME}`);
    const again = await pushDataset({ store, bucket: BUCKET, root: ROOT, dir });
    expect(again).toMatchObject({ uploaded: 0, unchanged: again.files, markerWritten: false });
    expect(again.requests).toMatchObject({ list: 1, put: 0, delete: 0 });
    expect((await store.head(BUCKET, `${ROOT}${UPLOAD_MARKER_NAME}`)).etag).toBe(before.etag);
  });

  it('a changed file is sent with data.yaml again, and a new marker', async () => {
    await pushDataset({ store, bucket: BUCKET, root: ROOT, dir });
    appendFileSync(join(dir, 'labels', 'train', 'train_00000.txt'), '0 0.5 0.5 0.1 0.1\n');
    const again = await pushDataset({ store, bucket: BUCKET, root: ROOT, dir });
    expect(again.uploaded).toBe(2); // the label, and data.yaml, removed first so the half-changed version is never complete
    expect(again.requests.delete).toBe(2); // data.yaml and the old marker
    expect(matchUploadMarker(await markerOf(store), ROOT, await listAll(store, BUCKET, ROOT))).toEqual({ complete: true });
  });

  it('objects the folder does not have are refused before anything is sent, and removed with deleteExtra', async () => {
    await store.put(BUCKET, `${ROOT}images/train/stale.png`, 'old');
    const refused = pushDataset({ store, bucket: BUCKET, root: ROOT, dir });
    await expect(refused).rejects.toBeInstanceOf(ExtraObjectsError);
    await expect(refused).rejects.toThrow(/holds 1 object the folder does not have \(e\.g\. split_dataset\/v1\/images\/train\/stale\.png\).*--delete/);
    expect((await listAll(store, BUCKET, ROOT)).map((o) => o.key)).toEqual([`${ROOT}images/train/stale.png`]);
    const pushed = await pushDataset({ store, bucket: BUCKET, root: ROOT, dir, deleteExtra: true });
    expect(pushed.deleted).toEqual([`${ROOT}images/train/stale.png`]);
    expect(matchUploadMarker(await markerOf(store), ROOT, await listAll(store, BUCKET, ROOT))).toEqual({ complete: true });
  });

  it('interrupted part-way: no marker and no data.yaml; run again, only what is missing is sent', async () => {
    const failing = new FailingAfter(store, 7);
    await expect(pushDataset({ store: failing, bucket: BUCKET, root: ROOT, dir, concurrency: 1 })).rejects.toThrow(/connection reset/);
    const left = (await listAll(store, BUCKET, ROOT)).map((o) => o.key);
    expect(left).toHaveLength(7);
    expect(left.some((k) => k.endsWith('data.yaml') || k.endsWith(UPLOAD_MARKER_NAME))).toBe(false);
    const resumed = await pushDataset({ store, bucket: BUCKET, root: ROOT, dir });
    expect(resumed).toMatchObject({ uploaded: resumed.files - 7, unchanged: 7, markerWritten: true });
  });

  it('killed after data.yaml, before the marker: the next push writes only the marker', async () => {
    const files = (await pushDataset({ store, bucket: BUCKET, root: ROOT, dir })).files;
    await store.delete(BUCKET, `${ROOT}${UPLOAD_MARKER_NAME}`);
    const again = await pushDataset({ store, bucket: BUCKET, root: ROOT, dir });
    expect(again).toMatchObject({ files, uploaded: 0, markerWritten: true });
    expect(again.requests.put).toBe(1);
  });

  it('hidden files and label caches stay home; an empty folder is refused', async () => {
    writeFileSync(join(dir, '.DS_Store'), 'x');
    writeFileSync(join(dir, 'labels', 'train.cache'), 'x');
    const result = await pushDataset({ store, bucket: BUCKET, root: ROOT, dir });
    const keys = (await listAll(store, BUCKET, ROOT)).map((o) => o.key);
    expect(keys.filter((k) => k.endsWith('.DS_Store') || k.endsWith('.cache'))).toEqual([]);
    expect(keys).toHaveLength(result.files + 1);
    const onlyHidden = join(work, `hidden-only-${n}`);
    mkdirSync(onlyHidden);
    writeFileSync(join(onlyHidden, '.DS_Store'), 'x');
    await expect(pushDataset({ store, bucket: BUCKET, root: 'split_dataset/v2/', dir: onlyHidden })).rejects.toThrow(/has no files to push/);
    expect(await listAll(store, BUCKET, 'split_dataset/v2/')).toEqual([]);
  });
});

describe('ByteBudget', () => {
  it('never grants more than the limit at once, in order; a file over the limit runs alone', async () => {
    const budget = new ByteBudget(100);
    const order: string[] = [];
    const a = await budget.acquire(60);
    const b = budget.acquire(60).then((release) => (order.push('b'), release));
    const c = budget.acquire(10).then((release) => (order.push('c'), release));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]); // c waits behind b, first come first served
    expect(budget.inUse).toBe(60);
    a();
    const releaseB = await b;
    const releaseC = await c;
    expect(order).toEqual(['b', 'c']);
    expect(budget.inUse).toBe(70);
    releaseB();
    releaseC();
    const big = await budget.acquire(1_000);
    expect(budget.inUse).toBe(100);
    big();
    big(); // a second release gives nothing back twice
    expect(budget.inUse).toBe(0);
  });
});

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeDataset } from '../../../../../src/core/dataset/synth/synthesize.ts';
import { validateDataset } from '../../../../../src/core/dataset/validate-dataset.ts';
import { listAll, type ObjectStore } from '../../../../../src/core/storage/object-store.ts';
import { FolderObjectStore } from '../../../../../src/local/folder-object-store.ts';
import { MemoryObjectStore } from '../../../../fixtures/datasets/memory-object-store.ts';

const BUCKET = 'demo-training-data';
const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function digest(store: ObjectStore, prefix = ''): Promise<string> {
  const hash = createHash('sha256');
  for (const object of await listAll(store, BUCKET, prefix)) {
    hash.update(`${object.key}\n`);
    hash.update(await store.get(BUCKET, object.key));
  }
  return hash.digest('hex');
}

describe('synthesizeDataset', () => {
  it('writes the default demo dataset (160 train + 40 val, 3 classes, 128 px) to a bucket folder quickly, and it validates with zero problems', async () => {
    const root = await mkdtemp(join(tmpdir(), 'yolops-synth-'));
    roots.push(root);
    const store = new FolderObjectStore({ root });
    await store.createBucket(BUCKET);

    const started = performance.now();
    const dataset = await synthesizeDataset({ store, bucket: BUCKET, prefix: 'split_dataset/demo', seed: 7 });
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeLessThan(5); // about 0.6 s on a 2-core machine

    expect(dataset).toMatchObject({ uri: `s3://${BUCKET}/split_dataset/demo/`, dataYamlKey: 'split_dataset/demo/data.yaml', names: ['red-square', 'green-disc', 'blue-triangle'] });
    expect(dataset.splits.map((s) => [s.split, s.images])).toEqual([
      ['train', 160],
      ['val', 40],
    ]);

    const result = await validateDataset(store, { bucket: BUCKET, prefix: dataset.prefix });
    expect(result.problems).toEqual([]);
    expect(result.valid).toBe(true);
    for (const split of dataset.splits) {
      expect(result.summary.splits.find((s) => s.split === split.split)).toMatchObject({ images: split.images, backgroundImages: split.backgroundImages, boxes: split.boxes, labelFiles: split.images - split.backgroundImages });
    }
    expect(result.summary.classes.map((c) => [c.name, c.boxes])).toEqual(dataset.boxesPerClass.map((c) => [c.name, c.boxes]));
    expect(result.summary.imagesInspected).toBe(200);

    // A useful mix: every class present in both splits, some background images, 1-4 objects per image.
    const train = dataset.splits[0];
    expect(train?.backgroundImages).toBeGreaterThan(5);
    expect(train?.backgroundImages).toBeLessThan(40);
    expect(train?.boxes).toBeGreaterThan(160);
    for (const c of result.summary.classes) {
      expect(c.boxesPerSplit.train).toBeGreaterThan(50);
      expect(c.boxesPerSplit.val).toBeGreaterThan(5);
    }
    expect(dataset.files).toBe(200 + (200 - dataset.splits.reduce((n, s) => n + s.backgroundImages, 0)) + 1);
  });

  it('gives byte-identical output for the same seed and different output for another', async () => {
    const make = async (seed: number) => {
      const store = new MemoryObjectStore(BUCKET);
      await synthesizeDataset({ store, bucket: BUCKET, seed, trainImages: 12, valImages: 4, testImages: 2, imageSize: 64 });
      return digest(store);
    };
    const first = await make(42);
    expect(await make(42)).toBe(first);
    expect(await make(43)).not.toBe(first);
  });

  it('keeps each image fixed by (seed, split, index): more train images leave the val images unchanged', async () => {
    const small = new MemoryObjectStore(BUCKET);
    const large = new MemoryObjectStore(BUCKET);
    await synthesizeDataset({ store: small, bucket: BUCKET, trainImages: 3, valImages: 3, imageSize: 64 });
    await synthesizeDataset({ store: large, bucket: BUCKET, trainImages: 9, valImages: 3, imageSize: 64 });
    expect(await digest(large, 'images/val/')).toBe(await digest(small, 'images/val/'));
    expect(await digest(large, 'labels/val/')).toBe(await digest(small, 'labels/val/'));
  });

  it('writes data.yaml last, with names and relative split paths', async () => {
    const store = new MemoryObjectStore(BUCKET);
    const writes: string[] = [];
    const put = store.put.bind(store);
    store.put = async (bucket, key, body, options) => {
      writes.push(key);
      return put(bucket, key, body, options);
    };
    await synthesizeDataset({ store, bucket: BUCKET, trainImages: 4, valImages: 2, testImages: 1, classes: 2, seed: 3 });
    expect(writes.at(-1)).toBe('data.yaml');
    const yaml = new TextDecoder().decode(await store.get(BUCKET, 'data.yaml'));
    expect(yaml).toBe(
      '# Synthetic shapes dataset made by yolops (seed 3): 128x128 px images.\n# Split paths are relative to this file.\n' +
        'train: images/train\nval: images/val\ntest: images/test\nnc: 2\nnames:\n  0: "red-square"\n  1: "green-disc"\n',
    );
    expect((await validateDataset(store, { bucket: BUCKET, prefix: '' })).problems).toEqual([]);
  });

  it('takes custom classes, and more of the built-in ones', async () => {
    const store = new MemoryObjectStore(BUCKET);
    const custom = await synthesizeDataset({
      store,
      bucket: BUCKET,
      prefix: 'custom',
      trainImages: 20,
      valImages: 5,
      imageSize: 96,
      classes: [
        { name: 'ring', shape: 'ring', color: [200, 200, 40] },
        { name: 'cross', shape: 'cross', color: [40, 200, 200] },
      ],
    });
    expect(custom.names).toEqual(['ring', 'cross']);
    const eight = await synthesizeDataset({ store, bucket: BUCKET, prefix: 'eight', trainImages: 30, valImages: 10, classes: 8, maxObjectsPerImage: 6 });
    expect(eight.names).toHaveLength(8);
    for (const prefix of ['custom/', 'eight/']) expect((await validateDataset(store, { bucket: BUCKET, prefix })).problems).toEqual([]);
  });

  it('lists every invalid option at once', async () => {
    await expect(
      synthesizeDataset({ store: new MemoryObjectStore(BUCKET), bucket: BUCKET, trainImages: 0, imageSize: 16, classes: 9, minObjectsPerImage: 5, maxObjectsPerImage: 2 }),
    ).rejects.toThrow(
      'invalid synthetic dataset options:\n  - classes must be a whole number from 1 to 8, got 9\n  - trainImages must be a whole number from 1 to 1000000, got 0\n' +
        '  - imageSize must be a whole number from 32 to 4096, got 16\n  - minObjectsPerImage (5) must not exceed maxObjectsPerImage (2)',
    );
  });
});

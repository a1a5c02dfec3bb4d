import { describe, expect, it } from 'vitest';
import { checkDatasetComplete } from '../../../../src/core/dataset/completeness.ts';
import { datasetLocationFromUri } from '../../../../src/core/dataset/load-dataset.ts';
import { MemoryObjectStore } from '../../../fixtures/datasets/memory-object-store.ts';
import { pngImage } from '../../../fixtures/datasets/images.ts';
import { BUCKET, memoryDataset, PREFIX, validDataset, writeFiles } from '../../../fixtures/datasets/write-dataset.ts';

const location = { bucket: BUCKET, prefix: PREFIX };

describe('checkDatasetComplete', () => {
  it('is not complete before data.yaml arrives', async () => {
    const files = validDataset();
    delete files['data.yaml'];
    expect(await checkDatasetComplete(await memoryDataset(files), location)).toEqual({ complete: false, reason: `${PREFIX}data.yaml is not uploaded yet`, splits: [] });
  });

  it('is not complete while a declared split has no images, and is once it has', async () => {
    const store = new MemoryObjectStore(BUCKET);
    await writeFiles(store, { 'data.yaml': 'train: images/train\nval: images/val\ntest: images/test\nnames: [a]\n', 'images/train/1.png': pngImage(), 'images/val/2.png': pngImage() });
    expect(await checkDatasetComplete(store, location)).toEqual({
      complete: false,
      reason: 'the test split (test: images/test) has no images yet',
      splits: [
        { split: 'train', images: 1 },
        { split: 'val', images: 1 },
        { split: 'test', images: 0 },
      ],
    });
    await writeFiles(store, { 'images/test/3.png': pngImage() });
    expect(await checkDatasetComplete(store, location)).toMatchObject({ complete: true, reason: 'complete: 1 train, 1 val, 1 test images' });
  });

  it('is complete for a valid dataset, reading nothing but data.yaml', async () => {
    const store = await memoryDataset(validDataset());
    const fromUri = datasetLocationFromUri(`s3://${BUCKET}/${PREFIX.slice(0, -1)}`);
    expect(fromUri).toEqual({ bucket: BUCKET, prefix: PREFIX });
    expect(await checkDatasetComplete(store, fromUri)).toMatchObject({ complete: true, splits: [{ split: 'train', images: 3 }, { split: 'val', images: 1 }] });
    expect(store.reads.map((r) => r.key)).toEqual([`${PREFIX}data.yaml`]);
  });

  it('is not complete when data.yaml is broken or lacks a split, and says where', async () => {
    const broken = await memoryDataset({ ...validDataset(), 'data.yaml': 'train: images/train\nval: [images/val\n' });
    expect(await checkDatasetComplete(broken, location)).toMatchObject({ complete: false, reason: expect.stringMatching(new RegExp(`^${PREFIX}data\\.yaml line \\d+: data\\.yaml is not valid YAML`)) });
    const noVal = await memoryDataset({ ...validDataset(), 'data.yaml': 'train: images/train\nnames: [a, b]\n' });
    expect(await checkDatasetComplete(noVal, location)).toMatchObject({ complete: false, reason: `${PREFIX}data.yaml line 1: data.yaml has no val split` });
  });
});

import { describe, expect, it } from 'vitest';
import type { ObjectInfo } from '../../../../src/core/storage/object-store.ts';
import { defaultDatasetVersion, isDatasetDescription, isPushedDatasetFile, readPushDestination } from '../../../../src/core/transfer/dataset-push.ts';
import { etagShowsSameBytes, planUpload } from '../../../../src/core/transfer/upload-plan.ts';

const object = (key: string, size: number, etag = `e-${key}`): ObjectInfo => ({ key, size, etag, lastModified: new Date(0) });
const ROOT = 'split_dataset/v1/';

describe('planUpload', () => {
  it('uploads what is missing or of another size, compares what has the same size, and names what only the store has', () => {
    const files = [
      { key: 'data.yaml', size: 10 },
      { key: 'images/train/a.png', size: 100 },
      { key: 'images/train/b.png', size: 200 },
      { key: 'labels/train/a.txt', size: 5 },
    ];
    const remote = [
      object(`${ROOT}images/train/a.png`, 100),
      object(`${ROOT}images/train/b.png`, 201),
      object(`${ROOT}images/train/old.png`, 7),
      object(`${ROOT}.yolops-upload.json`, 300),
      // A listing of another prefix that happens to be passed in is not this folder's business.
      object('split_dataset/v10/data.yaml', 10),
    ];
    const plan = planUpload(ROOT, files, remote, ['.yolops-upload.json']);
    expect(plan.upload.map((f) => f.key)).toEqual(['data.yaml', 'images/train/b.png', 'labels/train/a.txt']);
    expect(plan.compare.map((c) => [c.file.key, c.remote.key])).toEqual([['images/train/a.png', `${ROOT}images/train/a.png`]]);
    expect(plan.extra.map((o) => o.key)).toEqual([`${ROOT}images/train/old.png`]);
    expect([...plan.ignored.keys()]).toEqual(['.yolops-upload.json']);
  });

  it('an empty destination: everything is uploaded, nothing compared or extra', () => {
    const plan = planUpload(ROOT, [{ key: 'x', size: 1 }], []);
    expect(plan).toMatchObject({ upload: [{ key: 'x', size: 1 }], compare: [], extra: [] });
    expect(plan.ignored.size).toBe(0);
  });

  it('keys are relative to the root, so the root "" plans full keys (code push)', () => {
    const plan = planUpload('', [{ key: 'code/v/sourcedir.tar.gz', size: 3 }, { key: 'config/training-config.json', size: 4 }], [object('config/training-config.json', 4), object('config/other.json', 1)]);
    expect(plan.upload.map((f) => f.key)).toEqual(['code/v/sourcedir.tar.gz']);
    expect(plan.compare.map((c) => c.file.key)).toEqual(['config/training-config.json']);
  });
});

describe('etagShowsSameBytes', () => {
  it('compares an MD5 etag with the bytes\' MD5 (any letter case); a multipart etag never matches', () => {
    expect(etagShowsSameBytes('md5', 'D41D8CD98F00B204E9800998ECF8427E', 'd41d8cd98f00b204e9800998ecf8427e')).toBe(true);
    expect(etagShowsSameBytes('md5', 'd41d8cd98f00b204e9800998ecf8427e-2', 'd41d8cd98f00b204e9800998ecf8427e')).toBe(false);
  });
  it('says nothing for a store whose etags are not content hashes', () => {
    expect(etagShowsSameBytes(undefined, 'ino-size-mtime', 'd41d8cd98f00b204e9800998ecf8427e')).toBeUndefined();
  });
});

describe('dataset push rules', () => {
  it('leaves hidden files and folders and label caches out', () => {
    expect(['data.yaml', 'images/train/a.png', '.DS_Store', 'images/.hidden/a.png', '.yolops-upload.json', 'labels/train.cache', 'labels/train/'].filter(isPushedDatasetFile)).toEqual([
      'data.yaml',
      'images/train/a.png',
      'labels/train/',
    ]);
  });

  it('data.yaml and data.yml at any depth are descriptions', () => {
    expect(['data.yaml', 'sub/data.yml', 'images/data.yaml.png', 'mydata.yaml'].map(isDatasetDescription)).toEqual([true, true, false, false]);
  });

  it('reads a destination as the trigger will', () => {
    const bucket = 'yolops-training-data-123456789012';
    expect(readPushDestination({ bucket, key: 'split_dataset/v1/' }, bucket)).toEqual({ kind: 'version', ref: { prefix: 'split_dataset/', version: 'v1', root: 'split_dataset/v1/' } });
    expect(readPushDestination({ bucket, key: 'sample_dataset/s-1/' }, bucket)).toMatchObject({ kind: 'version', ref: { root: 'sample_dataset/s-1/' } });
    const deeper = readPushDestination({ bucket, key: 'split_dataset/v1/part/' }, bucket);
    expect(deeper).toMatchObject({ kind: 'elsewhere' });
    expect(deeper.kind === 'elsewhere' && deeper.note).toMatch(/inside the dataset version split_dataset\/v1\//);
    const other = readPushDestination({ bucket, key: 'datasets/v1/' }, bucket);
    expect(other.kind === 'elsewhere' && other.note).toMatch(/not under split_dataset\/ or sample_dataset\/ or labeled-data\//);
    expect(readPushDestination({ bucket, key: 'labeled-data/coco-1/' }, bucket)).toMatchObject({ kind: 'version', ref: { prefix: 'labeled-data/', root: 'labeled-data/coco-1/' } });
    const otherBucket = readPushDestination({ bucket: 'someone-else', key: 'split_dataset/v1/' }, bucket);
    expect(otherBucket.kind === 'elsewhere' && otherBucket.note).toMatch(/not in the training data bucket/);
    expect(readPushDestination({ bucket, key: 'split_dataset/bad name/' }, bucket)).toMatchObject({ kind: 'bad-name', problem: expect.stringMatching(/letters, digits/) });
  });

  it('the default version is the folder name when it is a valid version name', () => {
    expect(defaultDatasetVersion('2026-12-01')).toEqual({ version: '2026-12-01' });
    expect(defaultDatasetVersion('my dataset')).toMatchObject({ problem: expect.stringMatching(/"my dataset"/) });
  });
});

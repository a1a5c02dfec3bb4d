import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import type { JsonObject } from '../../../src/local/json.ts';
import { localLayout } from '../../../src/local/layout.ts';
import { PipelineDefinitionError } from '../../../src/local/pipeline/errors.ts';
import { ParameterValueError } from '../../../src/local/pipeline/parameters.ts';
import { runPipelineLocally, uploadDataset } from '../../../src/local/run-pipeline.ts';
import { DatasetClaims } from '../../../src/local/watch/dataset-claims.ts';

const fixture = (): JsonObject => JSON.parse(readFileSync(new URL('../../fixtures/local-runner/pipeline.json', import.meta.url), 'utf8')) as JsonObject;
const context = { project_name: 'yolops', aws_account_id: '123456789012' };

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'yolops-run-unit-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('runPipelineLocally refuses before anything is uploaded or started', () => {
  it('a definition it cannot run', async () => {
    const definition = fixture();
    (definition['Steps'] as JsonObject[])[0] = { Name: 'Train', Type: 'Transform', Arguments: {} };
    await expect(runPipelineLocally({ root, definition, context, inputDataUri: 's3://b/d/' })).rejects.toThrow(PipelineDefinitionError);
    expect(existsSync(join(root, 'buckets'))).toBe(false);
  });

  it('definition text that is not JSON, naming it', async () => {
    await expect(runPipelineLocally({ root, definition: '{"Version":', context })).rejects.toThrow(/^the pipeline definition is not valid JSON/);
  });

  it('parameter overrides of the wrong type or name, all listed', async () => {
    const error = await runPipelineLocally({ root, definition: fixture(), context, inputDataUri: 's3://b/d/', parameterOverrides: { Epochs: 'many', Epoch: 3 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParameterValueError);
    expect((error as ParameterValueError).problems).toEqual([expect.stringMatching(/unknown parameter "Epoch"/), expect.stringMatching(/"Epochs" is a Integer parameter/)]);
    expect(existsSync(join(root, 'buckets'))).toBe(false);
  });

  it('two datasets at once', async () => {
    await expect(runPipelineLocally({ root, definition: fixture(), context, inputDataUri: 's3://b/d/', parameterOverrides: { InputDataUri: 's3://b/e/' } })).rejects.toThrow(/give one dataset/);
  });
});

describe('uploadDataset', () => {
  it('uploads a dataset folder as a claimed version, data.yaml last, without hidden or cache files', async () => {
    const dataset = join(root, 'dataset');
    for (const [path, content] of [['data.yaml', 'names: [a]\ntrain: images/train\nval: images/val\n'], ['images/train/1.png', 'png'], ['labels/train/1.txt', '0 0.5 0.5 0.1 0.1\n'], ['labels/train.cache', 'cache'], ['.DS_Store', 'x']] as const) {
      await mkdir(join(dataset, path, '..'), { recursive: true });
      await writeFile(join(dataset, path), content);
    }
    const layout = localLayout(root);
    const store = new FolderObjectStore({ root: layout.buckets });
    await store.createBucket('yolops-training-data-123456789012');
    const uri = await uploadDataset(store, layout, 'yolops-training-data-123456789012', dataset, 'v7');
    expect(uri).toBe('s3://yolops-training-data-123456789012/split_dataset/v7/');
    const keys: string[] = [];
    for await (const o of store.list('yolops-training-data-123456789012', 'split_dataset/v7/')) keys.push(o.key);
    expect(keys).toEqual(['split_dataset/v7/data.yaml', 'split_dataset/v7/images/train/1.png', 'split_dataset/v7/labels/train/1.txt']);
    expect(await new DatasetClaims(layout.watch).get('split_dataset/v7')).toMatchObject({ by: 'run' });
    await expect(uploadDataset(store, layout, 'yolops-training-data-123456789012', dataset, 'v7')).rejects.toThrow(/split_dataset\/v7 was already started/);
    await expect(uploadDataset(store, layout, 'yolops-training-data-123456789012', dataset, '../x')).rejects.toThrow(/must be letters, digits/);
    expect(await readFile(join(layout.buckets, 'yolops-training-data-123456789012', 'split_dataset', 'v7', 'data.yaml'), 'utf8')).toContain('names');
  });

  it('refuses a folder without data.yaml', async () => {
    await mkdir(join(root, 'empty'), { recursive: true });
    const layout = localLayout(root);
    const store = new FolderObjectStore({ root: layout.buckets });
    await store.createBucket('yolops-training-data-123456789012');
    await expect(uploadDataset(store, layout, 'yolops-training-data-123456789012', join(root, 'empty'), 'v1')).rejects.toThrow(/has no data.yaml \(or data.yml\) at its top or one folder down/);
    expect(await new DatasetClaims(layout.watch).has('split_dataset/v1')).toBe(false);
  });

  it('finds data.yml one folder down, as the dataset contract does, and refuses two of them', async () => {
    const dataset = join(root, 'export');
    for (const [path, content] of [['ds/data.yml', 'names: [a]\ntrain: train/images\nval: valid/images\n'], ['ds/train/images/1.png', 'png'], ['ds/train/labels/1.txt', '0 0.5 0.5 0.1 0.1\n']] as const) {
      await mkdir(join(dataset, path, '..'), { recursive: true });
      await writeFile(join(dataset, path), content);
    }
    const layout = localLayout(root);
    const store = new FolderObjectStore({ root: layout.buckets });
    await store.createBucket('yolops-training-data-123456789012');
    await uploadDataset(store, layout, 'yolops-training-data-123456789012', dataset, 'v2');
    expect(await readFile(join(layout.buckets, 'yolops-training-data-123456789012', 'split_dataset', 'v2', 'ds', 'data.yml'), 'utf8')).toContain('names');

    await mkdir(join(dataset, 'other'), { recursive: true });
    await writeFile(join(dataset, 'other', 'data.yaml'), 'names: [b]\n');
    await expect(uploadDataset(store, layout, 'yolops-training-data-123456789012', dataset, 'v3')).rejects.toThrow(/more than one data.yaml one folder down \(ds\/data.yml, other\/data.yaml\)/);
    expect(await new DatasetClaims(layout.watch).has('split_dataset/v3')).toBe(false);
  });

  it('uploads anything but a split YOLO dataset under labeled-data/, claimed, the upload marker last and listing every file', async () => {
    const layout = localLayout(root);
    const store = new FolderObjectStore({ root: layout.buckets });
    const bucket = 'yolops-training-data-123456789012';
    await store.createBucket(bucket);
    const write = async (dir: string, files: readonly (readonly [string, string])[]): Promise<string> => {
      for (const [path, content] of files) {
        await mkdir(join(dir, path, '..'), { recursive: true });
        await writeFile(join(dir, path), content);
      }
      return dir;
    };
    const keysUnder = async (prefix: string): Promise<string[]> => {
      const keys: string[] = [];
      for await (const o of store.list(bucket, prefix)) keys.push(o.key.slice(prefix.length));
      return keys.sort();
    };
    // A COCO export: whatever it holds, as it is.
    const coco = await write(join(root, 'coco'), [['annotations.json', '{"images": []}'], ['images/a.jpg', 'jpg']]);
    expect(await uploadDataset(store, layout, bucket, coco, 'c1', 'coco')).toBe(`s3://${bucket}/labeled-data/c1/`);
    expect(await keysUnder('labeled-data/c1/')).toEqual(['.yolops-upload.json', 'annotations.json', 'images/a.jpg']);
    const marker = JSON.parse(await readFile(join(layout.buckets, bucket, 'labeled-data', 'c1', '.yolops-upload.json'), 'utf8')) as { objects: { key: string; size: number }[] };
    expect(marker.objects.map((o) => [o.key, o.size])).toEqual([['annotations.json', 14], ['images/a.jpg', 3]]);
    expect(await new DatasetClaims(layout.watch).get('labeled-data/c1')).toMatchObject({ by: 'run' });
    await expect(uploadDataset(store, layout, bucket, coco, 'c1', 'coco')).rejects.toThrow(/labeled-data\/c1 was already started/);
    // An unsplit YOLO folder (data.yaml without train and val, or classes.txt): the Preprocess step splits it.
    const unsplit = await write(join(root, 'unsplit'), [['data.yaml', 'names: [a]\n'], ['images/1.png', 'png'], ['labels/1.txt', '0 0.5 0.5 0.1 0.1\n']]);
    expect(await uploadDataset(store, layout, bucket, unsplit, 'u1')).toBe(`s3://${bucket}/labeled-data/u1/`);
    const classes = await write(join(root, 'classes'), [['classes.txt', 'a\n'], ['images/1.png', 'png'], ['labels/1.txt', '0 0.5 0.5 0.1 0.1\n']]);
    expect(await uploadDataset(store, layout, bucket, classes, 'u2')).toBe(`s3://${bucket}/labeled-data/u2/`);
    expect(await keysUnder('split_dataset/')).toEqual([]);
  });
});

import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAnnotationFile } from '../../../src/core/dataset/detect-label-format.ts';
import type { PutOptions, PutResult } from '../../../src/core/storage/object-store.ts';
import { UPLOAD_MARKER_NAME } from '../../../src/core/trigger/upload-marker.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { CountingStore } from '../../../src/transfer/counting-store.ts';
import { detectFolderLabelFormat, pushDataset } from '../../../src/transfer/index.ts';
import { writeExportFolder } from '../../support/labelled-exports.ts';

const work = mkdtempSync(join(tmpdir(), 'yolops-push-labelled-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const BUCKET = 'training-data';
const ROOT = 'labeled-data/voc-1/';

/** Records the order of writes and deletes, as the trigger and the watcher would see them happen. */
class RecordingStore extends CountingStore {
  readonly log: string[] = [];
  override async put(bucket: string, key: string, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    this.log.push(`put ${key.slice(ROOT.length)}`);
    return super.put(bucket, key, body, options);
  }
  override async delete(bucket: string, key: string): Promise<void> {
    this.log.push(`delete ${key.slice(ROOT.length)}`);
    return super.delete(bucket, key);
  }
}

describe('pushing a labelled export to labeled-data/', () => {
  it('sends the annotation files after every image, the marker last; a changed export removes them first', async () => {
    const dir = writeExportFolder('voc', join(work, 'voc-1'));
    const folder = new FolderObjectStore({ root: join(work, 'buckets') });
    await folder.createBucket(BUCKET);
    const store = new RecordingStore(folder);
    await pushDataset({ store, bucket: BUCKET, root: ROOT, dir, concurrency: 1 });
    const puts = store.log.map((entry) => entry.slice('put '.length));
    const firstAnnotation = puts.findIndex((key) => isAnnotationFile(key));
    expect(puts.slice(firstAnnotation)).toEqual(['Annotations/a.xml', 'Annotations/b.xml', UPLOAD_MARKER_NAME]);
    expect(puts.slice(0, firstAnnotation).some((key) => isAnnotationFile(key))).toBe(false);

    store.log.length = 0;
    appendFileSync(join(dir, 'JPEGImages', 'a.png'), 'changed');
    await pushDataset({ store, bucket: BUCKET, root: ROOT, dir, concurrency: 1 });
    expect(store.log).toEqual([
      'delete Annotations/a.xml',
      'delete Annotations/b.xml',
      `delete ${UPLOAD_MARKER_NAME}`,
      'put JPEGImages/a.png',
      'put Annotations/a.xml',
      'put Annotations/b.xml',
      `put ${UPLOAD_MARKER_NAME}`,
    ]);
  });

  it('detectFolderLabelFormat tells a local folder as the trigger tells its upload', async () => {
    expect(await detectFolderLabelFormat(writeExportFolder('labelstudio', join(work, 'ls')))).toMatchObject({ kind: 'detected', format: 'labelstudio' });
    expect(await detectFolderLabelFormat(writeExportFolder('groundtruth', join(work, 'gt')))).toMatchObject({ kind: 'detected', format: 'groundtruth' });
    expect(await detectFolderLabelFormat(writeExportFolder('undetectable', join(work, 'none')))).toMatchObject({ kind: 'unknown' });
  });
});

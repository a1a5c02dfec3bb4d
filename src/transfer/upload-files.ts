import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { forEachConcurrently } from '../core/dataset/concurrency.ts';
import type { ObjectInfo, ObjectStore } from '../core/storage/object-store.ts';
import { etagShowsSameBytes } from '../core/transfer/upload-plan.ts';
import type { ByteBudget } from './byte-budget.ts';
import type { LocalFile } from './local-files.ts';

/** One local file bound for one key of the destination bucket. */
export interface UploadItem {
  file: LocalFile;
  /** The full destination key. */
  key: string;
}

/** What became of one file. */
export interface FileOutcome {
  key: string;
  action: 'uploaded' | 'unchanged';
  bytes: number;
}

export interface UploadRunOptions {
  store: ObjectStore;
  bucket: string;
  /** Files read, compared or sent at once. */
  concurrency: number;
  budget: ByteBudget;
  signal?: AbortSignal;
  onFile?: (outcome: FileOutcome) => void;
  contentType?: (key: string) => string | undefined;
}

/**
 * Sorts files that have an object of the same size at their key into unchanged and changed, reading each file
 * once. A store whose etags are MD5s (S3) is answered from the listing's etag with no request; any other (the
 * folder store) has its object read and compared byte for byte, which for the folder store is a local read.
 * Unchanged files are reported through `onFile` as they are found.
 */
export async function findChanged(candidates: readonly { item: UploadItem; remote: ObjectInfo }[], options: UploadRunOptions): Promise<UploadItem[]> {
  const changed: UploadItem[] = [];
  const byEtag = options.store.etagScheme !== undefined;
  await forEachConcurrently(
    candidates,
    options.concurrency,
    async ({ item, remote }) => {
      // The file, and for a byte comparison the object too, are held until the comparison is done.
      const release = await options.budget.acquire(byEtag ? item.file.size : 2 * item.file.size);
      try {
        const bytes = await readFile(item.file.path);
        const md5 = createHash('md5').update(bytes).digest('hex');
        const same = etagShowsSameBytes(options.store.etagScheme, remote.etag, md5) ?? Buffer.from(await options.store.get(options.bucket, item.key)).equals(bytes);
        if (same) options.onFile?.({ key: item.key, action: 'unchanged', bytes: bytes.length });
        else changed.push(item);
      } finally {
        release();
      }
    },
    options.signal,
  );
  return changed;
}

/**
 * Uploads the files, `concurrency` at a time, each read just before it is sent and held only until its PUT is
 * answered (the budget bounds the bytes held at once). Each write replaces the whole object at once, so a reader
 * sees the old object or the new one. After a failure no new file starts; the first failure is rethrown once
 * the writes in flight have settled, so an interrupted upload leaves only whole objects behind.
 */
export async function uploadFiles(items: readonly UploadItem[], options: UploadRunOptions): Promise<void> {
  await forEachConcurrently(
    items,
    options.concurrency,
    async (item) => {
      const release = await options.budget.acquire(item.file.size);
      try {
        const bytes = await readFile(item.file.path);
        const contentType = options.contentType?.(item.key);
        await options.store.put(options.bucket, item.key, bytes, contentType === undefined ? {} : { contentType });
        options.onFile?.({ key: item.key, action: 'uploaded', bytes: bytes.length });
      } finally {
        release();
      }
    },
    options.signal,
  );
}

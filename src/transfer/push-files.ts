import { stat } from 'node:fs/promises';
import { listAll, type ObjectInfo, type ObjectStore } from '../core/storage/object-store.ts';
import { planUpload } from '../core/transfer/upload-plan.ts';
import { ByteBudget } from './byte-budget.ts';
import { DEFAULT_PUSH_CONCURRENCY, DEFAULT_PUSH_MEMORY_BYTES } from './defaults.ts';
import { CountingStore, type RequestCounts } from './counting-store.ts';
import type { LocalFile } from './local-files.ts';
import { findChanged, uploadFiles, type FileOutcome, type UploadRunOptions } from './upload-files.ts';

/** A local file and the full key it is written to. */
export interface PushFileSpec {
  path: string;
  key: string;
}

export interface PushFilesResult {
  /** Keys written, sorted. */
  uploaded: string[];
  /** Keys already holding the same bytes, sorted. */
  unchanged: string[];
  requests: RequestCounts & { total: number };
}

/**
 * Writes a few files to their keys, skipping those whose object there holds the same bytes: one listing per
 * folder of the keys, then the comparison and upload of pushDataset, without its marker.
 */
export async function pushFiles(options: { store: ObjectStore; bucket: string; files: readonly PushFileSpec[]; concurrency?: number }): Promise<PushFilesResult> {
  const store = new CountingStore(options.store);
  const files: LocalFile[] = [];
  for (const spec of options.files) files.push({ key: spec.key, path: spec.path, size: (await stat(spec.path)).size });
  const folders = [...new Set(files.map((f) => f.key.slice(0, f.key.lastIndexOf('/') + 1)))];
  const remote: ObjectInfo[] = [];
  for (const folder of folders) remote.push(...(await listAll(store, options.bucket, folder)));
  const plan = planUpload('', files, remote);
  const uploaded: string[] = [];
  const unchanged: string[] = [];
  const run: UploadRunOptions = {
    store,
    bucket: options.bucket,
    concurrency: options.concurrency ?? DEFAULT_PUSH_CONCURRENCY,
    budget: new ByteBudget(DEFAULT_PUSH_MEMORY_BYTES),
    onFile: (outcome: FileOutcome) => (outcome.action === 'uploaded' ? uploaded : unchanged).push(outcome.key),
  };
  const changed = await findChanged(plan.compare.map(({ file, remote: object }) => ({ item: { file, key: file.key }, remote: object })), run);
  await uploadFiles([...plan.upload.map((file) => ({ file, key: file.key })), ...changed], run);
  return { uploaded: uploaded.sort(), unchanged: unchanged.sort(), requests: { ...store.counts, total: store.total } };
}

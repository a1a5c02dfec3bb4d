import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { formatValidation, validateDataset, type DatasetValidation, type ValidateOptions } from '../core/dataset/index.ts';
import { FolderObjectStore } from '../local/folder-object-store.ts';

export interface DirectoryStore {
  store: FolderObjectStore;
  bucket: string;
  /** Removes the scaffolding (never the directory itself). */
  close: () => void;
}

/**
 * Any local directory as a bucket of the object-store port, so the CLI reads and writes datasets through the
 * very code the S3 trigger uses. The directory is reached through a symlink named like a bucket in a scratch
 * folder beside it (same filesystem, so the store's atomic renames work), whatever the directory is called.
 */
export function openDirectoryAsBucket(dir: string): DirectoryStore {
  const target = resolve(dir);
  const scratch = mkdtempSync(join(dirname(target), `.${basename(target)}.yolops-`));
  const bucket = 'dataset';
  symlinkSync(target, join(scratch, bucket), 'dir');
  return {
    store: new FolderObjectStore({ root: scratch }),
    bucket,
    close: () => {
      // rm follows no symlink: this removes the link and the store's temp folder, not the dataset.
      if (existsSync(scratch)) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Validates the dataset in a local directory; the result's `uri` is the directory, and `report` its text form. */
export async function validateDirectory(dir: string, options: ValidateOptions = {}): Promise<{ result: DatasetValidation; report: string }> {
  const { store, bucket, close } = openDirectoryAsBucket(dir);
  try {
    const raw = await validateDataset(store, { bucket, prefix: '' }, options);
    // Paths relative to the dataset read the same whichever directory it was validated in.
    const result = { ...raw, dataset: { ...raw.dataset, uri: resolve(dir), bucket: '' } };
    return { result, report: formatValidation(result) };
  } finally {
    close();
  }
}

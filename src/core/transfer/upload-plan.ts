import type { EtagScheme, ObjectInfo } from '../storage/object-store.ts';

/** A file to upload: its key relative to the destination folder, and its size. */
export interface PlannedFile {
  key: string;
  size: number;
}

/** What uploading a set of files to a folder of a store takes, given one listing of that folder. */
export interface UploadPlan<F extends PlannedFile> {
  /** Files with no object at their key, or one of another size: uploaded without looking further. */
  upload: F[];
  /** Files with an object of the same size at their key: unchanged only if the bytes match too. */
  compare: { file: F; remote: ObjectInfo }[];
  /** Objects under the folder that no file has (the keys of `ignored` excepted), in listing order. */
  extra: ObjectInfo[];
  /** Objects under the folder at the keys of `ignored` (the upload marker), by relative key. */
  ignored: Map<string, ObjectInfo>;
}

/**
 * Sorts the files against one listing of the destination folder `root` (keys of `remote` are full keys under
 * it): the pure half of an upload, so "what would be sent" is decided without touching a file or a store.
 * `ignoredKeys` (relative) are neither compared nor counted as extra: the uploader's own bookkeeping objects.
 */
export function planUpload<F extends PlannedFile>(root: string, files: readonly F[], remote: readonly ObjectInfo[], ignoredKeys: readonly string[] = []): UploadPlan<F> {
  const byKey = new Map<string, ObjectInfo>();
  const ignored = new Map<string, ObjectInfo>();
  for (const object of remote) {
    if (!object.key.startsWith(root)) continue;
    const key = object.key.slice(root.length);
    if (ignoredKeys.includes(key)) ignored.set(key, object);
    else byKey.set(key, object);
  }
  const plan: UploadPlan<F> = { upload: [], compare: [], extra: [], ignored };
  const local = new Set<string>();
  for (const file of files) {
    local.add(file.key);
    const there = byKey.get(file.key);
    if (there !== undefined && there.size === file.size) plan.compare.push({ file, remote: there });
    else plan.upload.push(file);
  }
  for (const [key, object] of byKey) if (!local.has(key)) plan.extra.push(object);
  return plan;
}

/**
 * Whether a store's etag shows the object holds exactly the bytes whose MD5 is `md5` (hex); undefined when the
 * store's etags say nothing about the bytes, so the caller must compare the bytes themselves.
 */
export function etagShowsSameBytes(scheme: EtagScheme | undefined, etag: string, md5: string): boolean | undefined {
  if (scheme === 'md5') return etag.toLowerCase() === md5.toLowerCase();
  return undefined;
}

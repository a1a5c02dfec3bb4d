import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { parseS3Uri } from '../../core/storage/s3-uri.ts';
import type { FolderObjectStore } from '../folder-object-store.ts';
import { parseJsonText, type JsonValue } from '../json.ts';

/**
 * S3 transfers of a job's inputs and outputs against the folder-per-bucket store, with SageMaker's semantics.
 * Kept to these few functions so the AWS path never needs them and the local one can swap its store.
 */

/** Joins an S3 prefix URI and a relative path with exactly one `/`, as SageMaker does for outputs. */
export function joinS3Uri(prefixUri: string, relativePath: string): string {
  return `${prefixUri.replace(/\/+$/, '')}/${relativePath.replace(/^\/+/, '')}`;
}

/**
 * Downloads every object whose key starts with the URI's key (S3Prefix: a string prefix, not a folder) into
 * `destination`, each at its key minus the prefix's folder part, the way SageMaker fills a channel: the prefix
 * `.../output/model.tar.gz` gives `destination/model.tar.gz`, the prefix `.../v1/` gives `destination/<rest>`.
 * Fails like SageMaker when nothing matches. Files are copied (reflinked where the file system can), so
 * nothing a job writes reaches the bucket.
 */
export async function downloadPrefix(store: FolderObjectStore, uri: string, destination: string): Promise<number> {
  const { bucket, key: prefix } = parseS3Uri(uri);
  const folderPart = prefix.slice(0, prefix.lastIndexOf('/') + 1);
  await mkdir(destination, { recursive: true });
  let count = 0;
  for await (const object of store.list(bucket, prefix)) {
    const target = join(destination, ...object.key.slice(folderPart.length).split('/'));
    await mkdir(dirname(target), { recursive: true });
    await copyFile(store.objectPath(bucket, object.key), target, fsConstants.COPYFILE_FICLONE);
    count += 1;
  }
  if (count === 0) throw new Error(`no objects found under ${uri} (looked in ${join(store.bucketPath(bucket), ...folderPart.split('/'))})`);
  return count;
}

/** Same as downloadPrefix but returns 0 instead of failing when nothing matches (checkpoints of a first run). */
export async function downloadPrefixIfAny(store: FolderObjectStore, uri: string, destination: string): Promise<number> {
  const { bucket, key } = parseS3Uri(uri);
  for await (const _object of store.list(bucket, key)) return downloadPrefix(store, uri, destination);
  return 0;
}

/** Copies one object to `file`; a missing object fails with its URI. */
export async function downloadObject(store: FolderObjectStore, uri: string, file: string): Promise<void> {
  const { bucket, key } = parseS3Uri(uri);
  await store.head(bucket, key);
  await mkdir(dirname(file), { recursive: true });
  await copyFile(store.objectPath(bucket, key), file, fsConstants.COPYFILE_FICLONE);
}

/** Every regular file under `dir`, as `/`-separated paths relative to it, sorted. */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(current: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) out.push(relative(dir, path).split(sep).join('/'));
    }
  }
  await walk(dir);
  return out.sort();
}

/** Uploads every file under `dir` to `prefixUri` + its relative path (an S3Output at the end of a job). */
export async function uploadDirectory(store: FolderObjectStore, dir: string, prefixUri: string): Promise<string[]> {
  const uploaded: string[] = [];
  for (const file of await listFilesRecursive(dir)) {
    const uri = joinS3Uri(prefixUri, file);
    await uploadFile(store, join(dir, file), uri);
    uploaded.push(uri);
  }
  return uploaded;
}

export async function uploadFile(store: FolderObjectStore, file: string, uri: string): Promise<void> {
  const { bucket, key } = parseS3Uri(uri);
  await store.createBucket(bucket);
  await store.put(bucket, key, await readFile(file));
}

export async function readObjectJson(store: FolderObjectStore, uri: string): Promise<JsonValue> {
  const { bucket, key } = parseS3Uri(uri);
  const bytes = await store.get(bucket, key);
  return parseJsonText(Buffer.from(bytes).toString('utf8'), uri);
}

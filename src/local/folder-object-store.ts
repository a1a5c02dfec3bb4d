import { randomUUID } from 'node:crypto';
import type { Dirent, Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BucketNotFoundError, InvalidKeyError, ObjectNotFoundError, PreconditionFailedError } from '../core/storage/errors.ts';
import { assertValidBucketName, assertValidKey, keyProblem } from '../core/storage/keys.ts';
import {
  assertValidMaxKeys,
  assertValidRange,
  decodeContinuationToken,
  encodeContinuationToken,
  MAX_LIST_PAGE_SIZE,
  type GetOptions,
  type ListOptions,
  type ListPage,
  type ListPageRequest,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from '../core/storage/object-store.ts';
import { errnoCode } from './fs/errno.ts';
import { publishFileExclusive } from './fs/exclusive-create.ts';

export interface FolderObjectStoreOptions {
  /** The folder holding one folder per bucket (the local backend's `buckets/`). */
  root: string;
}

/**
 * Temp files live in `<root>/.tmp`, beside the bucket folders rather than in them, so a watcher of a bucket
 * only sees finished files (a watcher of the whole root should skip this folder). `.tmp` is no valid bucket name.
 */
export const TEMP_FOLDER = '.tmp';

/**
 * The local backend's object store: `s3://<bucket>/<key>` is the file `<root>/<bucket>/<key>`.
 * Writes go to a temp file that is then renamed (or, for only-if-absent, published with publishFileExclusive)
 * into place, so readers and folder watchers never see a half-written object. Buckets must exist (createBucket), as on S3: a typo in
 * a bucket name fails instead of silently creating a new folder.
 */
export class FolderObjectStore implements ObjectStore {
  readonly root: string;

  constructor(options: FolderObjectStoreOptions) {
    this.root = resolve(options.root);
  }

  /** Creates the bucket's folder; does nothing when it exists. */
  async createBucket(bucket: string): Promise<void> {
    assertValidBucketName(bucket);
    await mkdir(this.bucketPath(bucket), { recursive: true });
  }

  /** The folder that holds the bucket's objects. */
  bucketPath(bucket: string): string {
    assertValidBucketName(bucket);
    return join(this.root, bucket);
  }

  /** The file that holds `key` (whether or not it exists). */
  objectPath(bucket: string, key: string): string {
    assertValidKey(bucket, key);
    return join(this.bucketPath(bucket), ...key.split('/'));
  }

  async listPage(request: ListPageRequest): Promise<ListPage> {
    const maxKeys = request.maxKeys ?? MAX_LIST_PAGE_SIZE;
    assertValidMaxKeys(maxKeys);
    const after = request.continuationToken !== undefined ? decodeContinuationToken(request.continuationToken) : request.startAfter;
    const objects: ObjectInfo[] = [];
    let more = false;
    for await (const object of this.walkBucket(request.bucket, request.prefix ?? '', after)) {
      if (objects.length === maxKeys) {
        more = true;
        break;
      }
      objects.push(object);
    }
    const last = objects.at(-1);
    return more && last ? { objects, nextToken: encodeContinuationToken(last.key) } : { objects };
  }

  list(bucket: string, prefix = '', options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    // One ordered walk yields the same sequence as paging through listPage, without re-reading folders per page.
    return this.walkBucket(bucket, prefix, options.startAfter);
  }

  async get(bucket: string, key: string, options: GetOptions = {}): Promise<Uint8Array> {
    const path = this.objectPath(bucket, key);
    try {
      if (!options.range) return await readFile(path);
      assertValidRange(options.range);
      const { offset, length } = options.range;
      const handle = await open(path, 'r');
      try {
        const buffer = Buffer.alloc(length);
        let filled = 0;
        while (filled < length) {
          const { bytesRead } = await handle.read(buffer, filled, length - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw await this.translateReadError(error, bucket, key);
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo> {
    const path = this.objectPath(bucket, key);
    let stats: Stats;
    try {
      stats = await stat(path);
    } catch (error) {
      throw await this.translateReadError(error, bucket, key);
    }
    if (!stats.isFile()) throw new ObjectNotFoundError(bucket, key);
    return toObjectInfo(key, stats);
  }

  async put(bucket: string, key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    const path = this.objectPath(bucket, key);
    await this.assertBucketExists(bucket);
    await this.makeParentFolders(bucket, key, path);

    const tempFolder = join(this.root, TEMP_FOLDER);
    await mkdir(tempFolder, { recursive: true });
    const tempPath = join(tempFolder, `${randomUUID()}.part`);
    // No fsync: atomic visibility is what readers and watchers need; surviving a power cut is not a goal here.
    await writeFile(tempPath, body, { flag: 'wx' });
    try {
      // rename and link keep the inode and mtime, so the temp file's etag is the final object's etag; a copy
      // (a file system without hard links) is a new file with its own.
      const etag = etagOf(await stat(tempPath));
      if (!options.onlyIfAbsent) {
        await this.renameOver(tempPath, path, bucket, key);
        return { etag };
      }
      const published = await this.publishIfAbsent(tempPath, path, bucket, key);
      return { etag: published === 'copied' ? etagOf(await stat(path)) : etag };
    } finally {
      await unlink(tempPath).catch(ignoreMissing);
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    const path = this.objectPath(bucket, key);
    await this.assertBucketExists(bucket);
    try {
      await unlink(path);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      // unlink(2) of a folder fails with EISDIR on Linux and EPERM on macOS; EPERM is also a real permission
      // problem, so only an actual folder (a "prefix", not an object) counts as nothing to delete.
      if ((code === 'EISDIR' || code === 'EPERM') && (await lstat(path).catch(() => undefined))?.isDirectory()) return;
      throw error;
    }
    await this.removeEmptyParents(bucket, key);
  }

  private async publishIfAbsent(tempPath: string, path: string, bucket: string, key: string): Promise<'linked' | 'copied'> {
    const published = await publishFileExclusive(tempPath, path);
    if (published !== 'exists') return published;
    if ((await lstat(path).catch(() => undefined))?.isDirectory()) throw this.folderConflict(bucket, key);
    throw new PreconditionFailedError(bucket, key);
  }

  private async renameOver(tempPath: string, path: string, bucket: string, key: string): Promise<void> {
    try {
      await rename(tempPath, path);
    } catch (error) {
      // A file cannot replace a folder (EISDIR on Linux; other systems answer differently): look, do not guess.
      if ((await lstat(path).catch(() => undefined))?.isDirectory()) throw this.folderConflict(bucket, key);
      throw error;
    }
  }

  private async makeParentFolders(bucket: string, key: string, path: string): Promise<void> {
    try {
      await mkdir(dirname(path), { recursive: true });
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOTDIR' || code === 'EEXIST') {
        throw new InvalidKeyError(bucket, key, 'an object exists at one of its parent "folders"; S3 allows "a" beside "a/b", a folder cannot');
      }
      throw error;
    }
  }

  private folderConflict(bucket: string, key: string): InvalidKeyError {
    return new InvalidKeyError(bucket, key, 'objects exist under it as a "folder" ("<key>/..."); S3 allows "a" beside "a/b", a folder cannot');
  }

  private async removeEmptyParents(bucket: string, key: string): Promise<void> {
    const segments = key.split('/');
    for (let depth = segments.length - 1; depth > 0; depth -= 1) {
      try {
        await rmdir(join(this.bucketPath(bucket), ...segments.slice(0, depth)));
      } catch {
        return; // not empty (or already gone): the folders above are not empty either
      }
    }
  }

  private async assertBucketExists(bucket: string): Promise<void> {
    const path = this.bucketPath(bucket);
    try {
      if ((await stat(path)).isDirectory()) return;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    throw new BucketNotFoundError(bucket, `the local backend keeps it in ${path}; create it first (FolderObjectStore.createBucket)`);
  }

  private async translateReadError(error: unknown, bucket: string, key: string): Promise<unknown> {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
      await this.assertBucketExists(bucket);
      return new ObjectNotFoundError(bucket, key, { cause: error });
    }
    return error;
  }

  private async *walkBucket(bucket: string, prefix: string, after: string | undefined): AsyncGenerator<ObjectInfo> {
    await this.assertBucketExists(bucket);
    // Start in the deepest folder the prefix names instead of walking the whole bucket.
    const folderPart = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (folderPart !== '' && keyProblem(`${folderPart}x`) !== undefined) return; // no valid key can match
    const startPath = join(this.bucketPath(bucket), ...folderPart.split('/').filter((s) => s !== ''));
    yield* walkFolder(startPath, folderPart, { prefix, after, ancestors: new Set() });
  }
}

interface WalkState {
  prefix: string;
  after: string | undefined;
  /** dev:ino of the folders being walked, so a symlink loop is not followed forever. */
  ancestors: Set<string>;
}

interface Entry {
  name: string;
  path: string;
  isFolder: boolean;
  /** The name as it sorts among keys: folders sort as `name/`, which makes a depth-first walk yield keys in order. */
  sortKey: Buffer;
}

/**
 * Yields the objects under `path` in UTF-8 byte order of their keys. Sorting each folder's entries with
 * folders as `name/` gives the global order: every key under folder `d` starts with `d/`, so it compares
 * against a sibling exactly as `d/` does.
 */
async function* walkFolder(path: string, keyPrefix: string, state: WalkState): AsyncGenerator<ObjectInfo> {
  let folderStats: Stats;
  let dirents: Dirent[];
  try {
    folderStats = await stat(path);
    dirents = await readdir(path, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return;
    throw error;
  }
  const identity = `${folderStats.dev}:${folderStats.ino}`;
  if (state.ancestors.has(identity)) return;
  state.ancestors.add(identity);
  try {
    const entries: Entry[] = [];
    for (const dirent of dirents) {
      const entryPath = join(path, dirent.name);
      let isFolder = dirent.isDirectory();
      let isFile = dirent.isFile();
      if (dirent.isSymbolicLink()) {
        const target = await stat(entryPath).catch(() => undefined); // a dangling link is skipped
        isFolder = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (!isFolder && !isFile) continue; // sockets, pipes, devices
      entries.push({ name: dirent.name, path: entryPath, isFolder, sortKey: Buffer.from(isFolder ? `${dirent.name}/` : dirent.name) });
    }
    entries.sort((a, b) => Buffer.compare(a.sortKey, b.sortKey));

    for (const entry of entries) {
      const key = keyPrefix + entry.name;
      if (entry.isFolder) {
        const folderKey = `${key}/`;
        const overlapsPrefix = folderKey.startsWith(state.prefix) || state.prefix.startsWith(folderKey);
        const entirelyBeforeAfter = state.after !== undefined && compareKeys(folderKey, state.after) < 0 && !state.after.startsWith(folderKey);
        if (overlapsPrefix && !entirelyBeforeAfter) yield* walkFolder(entry.path, folderKey, state);
        continue;
      }
      if (!key.startsWith(state.prefix)) continue;
      if (state.after !== undefined && compareKeys(key, state.after) <= 0) continue;
      if (keyProblem(key) !== undefined) continue; // a file name no valid key can mirror (e.g. with a backslash)
      const stats = await stat(entry.path).catch(() => undefined); // deleted since readdir: skip, as S3 would
      if (stats?.isFile()) yield toObjectInfo(key, stats);
    }
  } finally {
    state.ancestors.delete(identity);
  }
}

function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function toObjectInfo(key: string, stats: Stats): ObjectInfo {
  return { key, size: stats.size, lastModified: stats.mtime, etag: etagOf(stats) };
}

/** Inode, size and mtime: changes whenever the file is replaced, without reading it (listing stays cheap). */
function etagOf(stats: Stats): string {
  return `${stats.ino.toString(16)}-${stats.size.toString(16)}-${Math.round(stats.mtimeMs * 1000).toString(16)}`;
}

function ignoreMissing(error: unknown): void {
  if (errnoCode(error) !== 'ENOENT') throw error;
}

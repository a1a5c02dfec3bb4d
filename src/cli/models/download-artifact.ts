import { mkdir, mkdtemp, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isObjectStoreError } from '../../core/storage/errors.ts';
import type { ObjectStore } from '../../core/storage/object-store.ts';
import { parseS3Uri } from '../../core/storage/s3-uri.ts';
import { extractTarGz } from '../../local/fs/tar-archive.ts';
import { isErrnoCode } from '../../local/fs/errno.ts';
import { CliError, EXIT } from '../errors.ts';

/** The download ran and failed (exit 1): nothing the person typed was wrong, and a message is all they need. */
const FAILED = { exitCode: EXIT.failed } as const;

/** Bytes per ranged GET: a model never sits in memory whole, and S3 serves ranges of this size in one request. */
const CHUNK_BYTES = 8 * 1024 * 1024;
/** Where `--extract` unpacks the archive, inside the destination folder. */
export const EXTRACT_FOLDER = 'model';

export interface DownloadArtifactOptions {
  /** Also unpack the archive into `<destination>/model/`. */
  extract?: boolean;
  /** @default 8 MiB */
  chunkBytes?: number;
}

export interface DownloadedArtifact {
  /** The downloaded file: `<destination>/<the key's file name>`. */
  file: string;
  bytes: number;
  /** With `extract`: the folder it was unpacked into and its files (relative, `/`-separated, sorted). */
  extracted?: { dir: string; files: string[] };
}

/**
 * Downloads the object at `uri` into the folder `destination`, which must not exist or be empty (nothing is
 * overwritten). Everything is written into a hidden folder beside it and renamed into place once the size matches
 * the object's and the object did not change meanwhile (same etag before and after), so a failure or Ctrl-C
 * leaves no half-written file under the destination's name.
 */
export async function downloadArtifact(store: ObjectStore, uri: string, destination: string, options: DownloadArtifactOptions = {}): Promise<DownloadedArtifact> {
  const { bucket, key } = parseS3Uri(uri);
  const name = basename(key);
  if (name === '') throw new CliError(`${uri} names no file to download`);
  const target = resolve(destination);
  const targetExisted = await assertFreeDestination(target);
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), `.${basename(target)}.partial-`));
  try {
    const before = await headArtifact(store, bucket, key, uri);
    const file = join(staging, name);
    const chunk = options.chunkBytes ?? CHUNK_BYTES;
    const handle = await open(file, 'wx');
    try {
      for (let offset = 0; offset < before.size; ) {
        const bytes = await store.get(bucket, key, { range: { offset, length: Math.min(chunk, before.size - offset) } });
        if (bytes.length === 0) break; // the object shrank: the size check below says so
        await handle.write(bytes);
        offset += bytes.length;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    const written = (await stat(file)).size;
    const after = await headArtifact(store, bucket, key, uri);
    if (after.etag !== before.etag) throw new CliError(`${uri} was replaced while it downloaded: try again`, FAILED);
    if (written !== before.size) throw new CliError(`${uri} downloaded ${written} bytes but the object has ${before.size}: try again`, FAILED);
    let extracted: DownloadedArtifact['extracted'];
    if (options.extract) {
      const dir = join(staging, EXTRACT_FOLDER);
      try {
        await extractTarGz(file, dir);
      } catch (error) {
        throw new CliError(`${uri} is not a readable .tar.gz (${(error as Error).message}): download it without --extract to look at it`, { ...FAILED, cause: error });
      }
      extracted = { dir: join(target, EXTRACT_FOLDER), files: await filesUnder(dir) };
    }
    // An empty destination folder the person made is replaced by the finished one.
    if (targetExisted) await rmdir(target);
    await rename(staging, target);
    return { file: join(target, name), bytes: written, ...(extracted ? { extracted } : {}) };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** True when the destination is an existing empty folder, false when it does not exist; refuses anything else. */
async function assertFreeDestination(target: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return false;
    if (isErrnoCode(error, 'ENOTDIR')) throw new CliError(`${target} exists and is not a folder: name a new folder to download into`);
    throw error;
  }
  if (entries.length > 0) throw new CliError(`${target} exists and is not empty: name a new folder to download into (nothing is overwritten)`);
  return true;
}

async function headArtifact(store: ObjectStore, bucket: string, key: string, uri: string): Promise<{ size: number; etag: string }> {
  try {
    return await store.head(bucket, key);
  } catch (error) {
    if (isObjectStoreError(error, 'NotFound') || isObjectStoreError(error, 'NoSuchBucket')) {
      throw new CliError(`the model artifact ${uri} does not exist any more (deleted, or a lifecycle rule removed it)`, { ...FAILED, cause: error });
    }
    throw error;
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

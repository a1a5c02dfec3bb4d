import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, link, mkdir, open, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './errno.ts';
import { readRecordText } from './record-file.ts';

/**
 * link(2) failing with one of these means the file system (or the pair of folders) has no hard links to offer:
 * FAT and exFAT (EPERM), some network and FUSE mounts (ENOTSUP, EOPNOTSUPP, ENOSYS), two devices (EXDEV).
 */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** How publishFileExclusive put the file in place, or `exists` when the name was taken. */
export type ExclusivePublish = 'linked' | 'copied' | 'exists';

/**
 * Puts the complete file `tempPath` at `path` only if nothing is there: the one "create only if absent" of the
 * local backend (object store `onlyIfAbsent`, registry versions, dataset claims, locks).
 *
 * - Where hard links exist, `path` becomes a hard link to the temp file: atomic and exclusive (link fails with
 *   EEXIST), and a reader sees the whole content or nothing, unlike open(O_EXCL) followed by write.
 * - Where they do not, the temp file is copied with COPYFILE_EXCL: still exclusive, but a reader may see the
 *   copy while it grows; a copy that fails half way is removed, so no partial file stays behind.
 *
 * `tempPath` stays where it is (the caller removes it). Returns `exists` when `path` already exists (a file or
 * a folder); any other failure is thrown.
 */
export async function publishFileExclusive(tempPath: string, path: string): Promise<ExclusivePublish> {
  try {
    await link(tempPath, path);
    return 'linked';
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') return 'exists';
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw error;
  }
  try {
    await copyFile(tempPath, path, fsConstants.COPYFILE_EXCL);
    return 'copied';
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return 'exists';
    // COPYFILE_EXCL created `path` before the copy failed (ENOSPC, EIO): the name is ours, remove the stub.
    await unlink(path).catch(() => undefined);
    throw error;
  }
}

/**
 * Creates `path` with `data` only if nothing is there (see publishFileExclusive), creating its folder. The
 * content is written and synced to a temp file beside `path` first. Returns false when `path` already exists.
 */
export async function createFileExclusive(path: string, data: string | Uint8Array): Promise<boolean> {
  const temp = await writeTempFile(path, data);
  try {
    return (await publishFileExclusive(temp, path)) !== 'exists';
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Writes `data` to a new hidden temp file in the folder of `path` (created if needed) and syncs it. */
export async function writeTempFile(path: string, data: string | Uint8Array): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(data);
    // Records are the only trace of a run: make the content durable before it becomes visible.
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return temp;
}

const SETTLE_MS = 1_000;

/**
 * Reads a file made by createFileExclusive: undefined when it does not exist. Where the file system has no hard
 * links the file is copied into place and a reader may find it empty or cut short while the copy runs, so
 * incomplete JSON is read again for up to a second. Returns what is there then, so the caller reports a file
 * whose creator died half way.
 */
export async function readExclusiveFile(path: string): Promise<string | undefined> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const text = await readRecordText(path);
    if (text === undefined || isCompleteJson(text) || Date.now() > deadline) return text;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false; // empty or cut short: the copy may still be under way
  }
}

import { mkdir, open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isErrnoCode } from '../fs/atomic-file.ts';
import { readRecordText } from './record-file.ts';

/**
 * Creates `path` holding `text` only if nothing is there; false when it exists. O_EXCL on the final name
 * decides who wins (it needs no hard links, so it works on every local file system), and the content goes in
 * with the same open, in one write, then fsync. A reader can still find the file empty for the instant between
 * the create and the write: readExclusiveFile waits that out. If writing fails, the file is removed again,
 * so a failed create never leaves a claim behind.
 */
export async function createExclusive(path: string, text: string): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error) {
    if (isErrnoCode(error, 'EEXIST')) return false;
    throw error;
  }
  try {
    await handle.writeFile(text);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

const SETTLE_MS = 1_000;

/**
 * Reads a file made by createExclusive: undefined when it does not exist; while it is empty or its JSON
 * incomplete (its creator is between create and write), waits up to a second for the content. Returns what is
 * there then, so the caller reports a file whose creator died before writing it.
 */
export async function readExclusiveFile(path: string): Promise<string | undefined> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const text = await readRecordText(path);
    if (text === undefined || isCompleteJson(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 25));
  }
}

function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false; // empty or cut short: the writer may not be done
  }
}

import { readFile, rename, unlink } from 'node:fs/promises';
import { parseJsonText, type JsonValue } from '../json.ts';
import { isErrnoCode } from './errno.ts';
import { writeTempFile } from './exclusive-create.ts';

/** Replaces `path` in one step: readers see the old content or the new one, never a partial file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = await writeTempFile(path, data);
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads and parses a JSON file; the error names the file. Returns undefined when it does not exist. */
export async function readJsonFileIfExists(path: string): Promise<JsonValue | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  return parseJsonText(text, path);
}

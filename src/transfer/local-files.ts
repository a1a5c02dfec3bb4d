import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { keyProblem } from '../core/storage/keys.ts';
import type { PlannedFile } from '../core/transfer/upload-plan.ts';
import { TransferError } from './errors.ts';

/** A file of a local folder, named by its key relative to the folder (`/`-separated). */
export interface LocalFile extends PlannedFile {
  path: string;
}

/**
 * Every regular file under `dir` that `include` accepts (by relative key), sorted by key. Links are followed, as
 * the folder store and `aws s3 cp` follow them. A file whose name cannot be an object key on both backends
 * (a backslash, a control character) is refused with its path rather than silently left out of the upload.
 */
export async function listLocalFiles(dir: string, include: (key: string) => boolean = () => true): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  // dev:ino of the folders being walked, so a link back up the tree is not followed forever.
  const ancestors = new Set<string>();
  const walk = async (folder: string, keyPrefix: string): Promise<void> => {
    const self = await stat(folder);
    const identity = `${self.dev}:${self.ino}`;
    if (ancestors.has(identity)) return;
    ancestors.add(identity);
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const key = `${keyPrefix}${entry.name}`;
      const stats = entry.isSymbolicLink() ? await stat(path).catch(() => undefined) : undefined;
      const isFolder = stats ? stats.isDirectory() : entry.isDirectory();
      if (isFolder) {
        if (include(`${key}/`)) await walk(path, `${key}/`);
        continue;
      }
      if (!(stats ? stats.isFile() : entry.isFile()) || !include(key)) continue;
      const problem = keyProblem(key);
      if (problem !== undefined) throw new TransferError(`${path} cannot be uploaded: its name as an object key ${JSON.stringify(key)} is refused (${problem}); rename it`, { audience: 'user' });
      files.push({ key, path, size: (stats ?? (await stat(path))).size });
    }
    ancestors.delete(identity);
  };
  await walk(dir, '');
  return files.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
}

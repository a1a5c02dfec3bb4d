import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { detectLabelFormat, firstNonBlankCharacter, JSON_PEEK_BYTES, jsonKeysToRead, type LabelFormatDetection } from '../core/dataset/detect-label-format.ts';
import { isPushedDatasetFile } from '../core/transfer/dataset-push.ts';
import { listLocalFiles } from './local-files.ts';

/**
 * The labelled-data format of a local folder, told as the S3 trigger tells it once the folder is pushed: from
 * the files a push sends (hidden files left out) and the first bytes of each .json file.
 */
export async function detectFolderLabelFormat(dir: string): Promise<LabelFormatDetection> {
  const keys = (await listLocalFiles(dir, isPushedDatasetFile)).map((f) => f.key);
  const starts = new Map<string, string | undefined>();
  for (const key of jsonKeysToRead(keys)) {
    const handle = await open(join(dir, ...key.split('/')), 'r');
    try {
      const buffer = Buffer.alloc(JSON_PEEK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, JSON_PEEK_BYTES, 0);
      starts.set(key, firstNonBlankCharacter(buffer.subarray(0, bytesRead)));
    } finally {
      await handle.close();
    }
  }
  return detectLabelFormat(keys, starts);
}

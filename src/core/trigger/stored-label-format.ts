import { forEachConcurrently } from '../dataset/concurrency.ts';
import { detectLabelFormat, firstNonBlankCharacter, JSON_PEEK_BYTES, jsonKeysToRead, type LabelFormatDetection } from '../dataset/detect-label-format.ts';
import type { ObjectInfo, ObjectStore } from '../storage/object-store.ts';

/**
 * The format of a labelled-data version in a store (the S3 bucket, or the local backend's folder), from one
 * listing of it: each .json file is read only as far as its first JSON_PEEK_BYTES (a ranged GET), so a large
 * COCO file costs one small request.
 */
export async function detectStoredLabelFormat(store: ObjectStore, bucket: string, root: string, objects: readonly ObjectInfo[], concurrency = 8): Promise<LabelFormatDetection> {
  const keys = objects.filter((o) => o.key.startsWith(root)).map((o) => o.key.slice(root.length));
  const starts = new Map<string, string | undefined>();
  await forEachConcurrently(jsonKeysToRead(keys), concurrency, async (key) => {
    starts.set(key, firstNonBlankCharacter(await store.get(bucket, `${root}${key}`, { range: { offset: 0, length: JSON_PEEK_BYTES } })));
  });
  return detectLabelFormat(keys, starts);
}

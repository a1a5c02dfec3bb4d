import * as z from 'zod';
import type { ObjectInfo } from '../storage/object-store.ts';

/**
 * The upload marker: the last object an uploader that knows about it (`yolops dataset push`) writes into a
 * dataset version, listing every object of the upload with its size and ETag. Its arrival says the upload is
 * over; the trigger then starts once every listed object is there as listed, without judging the upload by
 * its timing (the marker's event still waits its turn on the queue like every event).
 */
export const UPLOAD_MARKER_NAME = '.yolops-upload.json';

export const uploadMarkerSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** When the upload ended. */
  uploadedAt: z.iso.datetime({ offset: true }),
  /** Every object of the version except the marker, keys relative to the version folder. */
  objects: z
    .array(z.strictObject({ key: z.string().min(1), size: z.int().min(0), etag: z.string().min(1) }))
    .min(1, 'lists no objects; an upload marker lists every object of the upload'),
});
export type UploadMarker = z.output<typeof uploadMarkerSchema>;

/** The marker for the objects of a version folder as they are listed (keys under `root`). */
export function buildUploadMarker(root: string, objects: readonly ObjectInfo[], uploadedAt: Date): UploadMarker {
  return {
    schemaVersion: 1,
    uploadedAt: uploadedAt.toISOString(),
    objects: objects
      .filter((o) => o.key !== `${root}${UPLOAD_MARKER_NAME}`)
      .map((o) => ({ key: o.key.slice(root.length), size: o.size, etag: o.etag }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
}

export type MarkerMatch = { complete: true } | { complete: false; reason: string };

/**
 * Whether the listed objects are exactly the marker's: each listed object present with its size and ETag, and
 * nothing else. A re-upload over an existing version leaves the old marker in place until the new one is
 * written, so a changed or extra object means "still uploading", never "start".
 */
export function matchUploadMarker(marker: UploadMarker, root: string, objects: readonly ObjectInfo[]): MarkerMatch {
  const listed = new Map(objects.filter((o) => o.key !== `${root}${UPLOAD_MARKER_NAME}`).map((o) => [o.key.slice(root.length), o]));
  let missing = 0;
  let changed = 0;
  let example: string | undefined;
  for (const expected of marker.objects) {
    const found = listed.get(expected.key);
    if (!found) missing += 1;
    else if (found.size !== expected.size || found.etag !== expected.etag) changed += 1;
    else {
      listed.delete(expected.key);
      continue;
    }
    listed.delete(expected.key);
    example ??= expected.key;
  }
  if (missing + changed > 0) return { complete: false, reason: `the upload marker lists ${marker.objects.length} objects; ${missing} are not there yet and ${changed} differ in size or ETag (e.g. ${example})` };
  if (listed.size > 0) return { complete: false, reason: `${listed.size} objects are not in the upload marker (e.g. ${[...listed.keys()][0]}): another upload is under way` };
  return { complete: true };
}

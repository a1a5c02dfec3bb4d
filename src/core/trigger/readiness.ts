import type { ObjectInfo } from '../storage/object-store.ts';
import type { DatasetVersionRef } from './dataset-version.ts';
import { matchUploadMarker, UPLOAD_MARKER_NAME, type UploadMarker } from './upload-marker.ts';
import { versionAnchor } from './version-kind.ts';

/** What the trigger saw of one dataset version, and why it looked. */
export interface VersionObservation {
  ref: DatasetVersionRef;
  /** Every object under the version folder (one listing). */
  objects: readonly ObjectInfo[];
  /** The upload marker, when there is one and it parses; `invalid` when it is there and does not. */
  marker: { kind: 'absent' } | { kind: 'valid'; marker: UploadMarker } | { kind: 'invalid'; reason: string };
  /** Whether S3 has multipart uploads under the folder that are not complete yet. */
  uploadsInProgress: boolean;
  /** The objects whose events brought the trigger here; empty for a scheduled recheck. */
  eventKeys: readonly string[];
  now: number;
  quietPeriodMs: number;
}

export type Readiness =
  | { kind: 'ready'; via: 'marker' | 'quiet-period'; reason: string }
  /** Not yet. `recheckInMs` when no later event is sure to come and the trigger must look again itself. */
  | { kind: 'wait'; reason: string; recheckInMs?: number };

/**
 * Whether a dataset version's upload is over, so that the trigger may validate it and start a training:
 * - with an upload marker: when every object it lists is there with that size and ETag, and nothing else;
 * - without one (a plain `aws s3 cp --recursive` or `aws s3 sync`): when the version's anchor is there (data.yaml
 *   for a dataset, an annotation file for labelled data: version-kind.ts), no multipart upload is in progress
 *   under the folder, and no object has arrived for the quiet period.
 * Each object's event reaches the trigger once the queue's delay (the quiet period) has passed, so the event of
 * the newest object normally finds the folder quiet. When it does not (clocks differ a little, or the event came
 * early), the trigger schedules a look of its own; older objects' events leave that to the newest one's.
 */
export function decideReadiness(o: VersionObservation): Readiness {
  if (o.marker.kind === 'valid') {
    const match = matchUploadMarker(o.marker.marker, o.ref.root, o.objects);
    return match.complete ? { kind: 'ready', via: 'marker', reason: `the upload marker lists ${o.marker.marker.objects.length} objects and all are there` } : { kind: 'wait', reason: match.reason };
  }
  const dataObjects = o.objects.filter((object) => object.key !== `${o.ref.root}${UPLOAD_MARKER_NAME}`);
  const anchor = versionAnchor(o.ref);
  if (anchor.find(o.ref.root, dataObjects.map((object) => object.key)) === undefined) return { kind: 'wait', reason: anchor.missing(o.ref.root) };
  if (o.uploadsInProgress) return { kind: 'wait', reason: 'a multipart upload under the folder is still in progress' };
  let newest: ObjectInfo | undefined;
  for (const object of dataObjects) if (!newest || object.lastModified.getTime() > newest.lastModified.getTime()) newest = object;
  if (!newest) return { kind: 'wait', reason: 'the folder is empty' };
  const quietFor = o.now - newest.lastModified.getTime();
  if (quietFor >= o.quietPeriodMs) return { kind: 'ready', via: 'quiet-period', reason: `${anchor.name} is there and nothing has arrived for ${Math.round(quietFor / 1000)} s (quiet period ${Math.round(o.quietPeriodMs / 1000)} s)` };
  const reason = `${newest.key} arrived ${Math.max(0, Math.round(quietFor / 1000))} s ago; waiting until nothing has arrived for ${Math.round(o.quietPeriodMs / 1000)} s`;
  const newestTime = newest.lastModified.getTime();
  const byKey = new Map(dataObjects.map((object) => [object.key, object]));
  // An event for an object that is gone, or that is (one of) the newest, has no later event to rely on.
  const lookAgain = o.eventKeys.length === 0 || o.eventKeys.some((key) => (byKey.get(key)?.lastModified.getTime() ?? newestTime) >= newestTime);
  return lookAgain ? { kind: 'wait', reason, recheckInMs: o.quietPeriodMs - quietFor } : { kind: 'wait', reason };
}

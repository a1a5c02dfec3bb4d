import { createHash } from 'node:crypto';
import type { ObjectInfo } from '../storage/object-store.ts';
import type { DatasetVersionRef } from './dataset-version.ts';
import { UPLOAD_MARKER_NAME } from './upload-marker.ts';

/**
 * A dataset version's content, as one hex digest: every object's key, size and ETag, in key order, except the
 * upload marker (rewriting the marker for the same files is the same content). Equal fingerprints mean the
 * same upload: the trigger starts once per fingerprint, so a re-upload of the same files starts nothing and a
 * changed file starts a new training.
 */
export function contentFingerprint(ref: DatasetVersionRef, objects: readonly ObjectInfo[]): string {
  const hash = createHash('sha256');
  const markerKey = `${ref.root}${UPLOAD_MARKER_NAME}`;
  const keys = objects.filter((o) => o.key !== markerKey).sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  for (const o of keys) hash.update(`${o.key}\0${o.size}\0${o.etag}\n`);
  return hash.digest('hex');
}

/**
 * StartPipelineExecution's idempotency token (32-128 characters) for one version's content: the second guard
 * behind the claim, so that a start retried after a lost answer returns the same execution on SageMaker.
 */
export function clientRequestToken(pipelineName: string, ref: DatasetVersionRef, fingerprint: string): string {
  return `yolops-${createHash('sha256').update(`${pipelineName}\0${ref.root}\0${fingerprint}`).digest('hex').slice(0, 48)}`;
}

const DISPLAY_NAME_MAX = 82; // PipelineExecutionDisplayName: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}

/** A display name people recognise in the console: `split-dataset-2026-11-23-20261202T0130`. */
export function executionDisplayName(ref: DatasetVersionRef, at: Date): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').slice(0, 13); // 20261202T0130
  const base = `${ref.prefix}${ref.version}`.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const name = `${base.slice(0, DISPLAY_NAME_MAX - stamp.length - 1).replace(/-+$/, '')}-${stamp}`;
  return name.replace(/-{2,}/g, '-');
}

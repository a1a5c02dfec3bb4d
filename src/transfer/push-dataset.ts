import { isObjectStoreError } from '../core/storage/errors.ts';
import { listAll, type ObjectInfo, type ObjectStore } from '../core/storage/object-store.ts';
import { formatS3Uri } from '../core/storage/s3-uri.ts';
import { isPushedDatasetFile, MAX_SINGLE_PUT_BYTES, pushAnchorsFor } from '../core/transfer/dataset-push.ts';
import { planUpload } from '../core/transfer/upload-plan.ts';
import { buildUploadMarker, matchUploadMarker, UPLOAD_MARKER_NAME, uploadMarkerSchema } from '../core/trigger/upload-marker.ts';
import { ByteBudget } from './byte-budget.ts';
import { DEFAULT_PUSH_CONCURRENCY, DEFAULT_PUSH_MEMORY_BYTES } from './defaults.ts';
import { CountingStore, type RequestCounts } from './counting-store.ts';
import { TransferError } from './errors.ts';
import { listLocalFiles, type LocalFile } from './local-files.ts';
import { findChanged, uploadFiles, type FileOutcome, type UploadItem, type UploadRunOptions } from './upload-files.ts';


export interface PushDatasetOptions {
  store: ObjectStore;
  bucket: string;
  /** The destination folder: a key prefix ending with `/`. */
  root: string;
  /** The local dataset folder. */
  dir: string;
  concurrency?: number;
  memoryBytes?: number;
  /** Remove objects under the destination that the folder does not have (otherwise such objects refuse the push). */
  deleteExtra?: boolean;
  /**
   * The files written last and removed first (by key relative to the folder).
   * @default pushAnchorsFor(root): data.yaml for a dataset version, the annotation files for labeled-data/
   */
  anchors?: (key: string) => boolean;
  signal?: AbortSignal;
  onProgress?: (progress: PushProgress) => void;
  now?: () => Date;
}

export interface PushProgress {
  /** `checking`: comparing files with what is there; `uploading`: sending; `finishing`: the marker. */
  phase: 'checking' | 'uploading' | 'finishing';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface PushDatasetResult {
  /** `s3://bucket/root` */
  destination: string;
  files: number;
  bytes: number;
  uploaded: number;
  bytesUploaded: number;
  /** Files already there with the same bytes. */
  unchanged: number;
  /** Keys removed: objects the folder does not have (with deleteExtra). */
  deleted: string[];
  markerKey: string;
  /** False when nothing changed and the marker there already listed exactly what is there. */
  markerWritten: boolean;
  requests: RequestCounts & { total: number };
  seconds: number;
}

/** Objects under the destination that the folder does not have: refused unless the caller asked to remove them. */
export class ExtraObjectsError extends TransferError {
  readonly extra: readonly ObjectInfo[];
  constructor(destination: string, extra: readonly ObjectInfo[]) {
    const example = extra[0]?.key ?? '';
    super(
      `${destination} holds ${extra.length} object${extra.length === 1 ? '' : 's'} the folder does not have (e.g. ${example}); the upload marker must list exactly what is there, ` +
        'so nothing was uploaded: add --delete to remove them, or push to a new version',
      { audience: 'user' },
    );
    this.extra = extra;
  }
}

/**
 * Pushes a dataset folder to a folder of an object store so that whoever watches the store starts exactly one
 * training for it, and resumably:
 * 1. one listing of the destination; files there with the same size are compared (S3: MD5 against the ETag,
 *    no request; the folder store: the bytes), so only what is missing or changed is sent;
 * 2. when anything is to change, the anchors (data.yaml files; for labelled data, the annotation files) and the
 *    upload marker there are removed first, so that
 *    while the push runs (or after it was killed) the version is incomplete by every rule: the trigger's marker
 *    rule and quiet-period rule, and the local watcher's completeness check;
 * 3. every other file, then the anchors;
 * 4. the marker (`.yolops-upload.json`) last, built from a final listing, which must show exactly the folder's
 *    files. When nothing changed and the marker there matches, nothing at all is written.
 * An interrupted push leaves whole objects and no marker; run again, it sends only what is missing.
 */
export async function pushDataset(options: PushDatasetOptions): Promise<PushDatasetResult> {
  const started = performance.now();
  const { bucket, root } = options;
  if (!root.endsWith('/')) throw new RangeError(`the destination folder must end with "/", got ${JSON.stringify(root)}`);
  const destination = formatS3Uri(bucket, root);
  const store = new CountingStore(options.store);
  const markerKey = `${root}${UPLOAD_MARKER_NAME}`;
  const isAnchor = options.anchors ?? pushAnchorsFor(root);

  const files = await listLocalFiles(options.dir, isPushedDatasetFile);
  if (files.length === 0) throw new TransferError(`${options.dir} has no files to push (hidden files and *.cache are left out)`, { audience: 'user' });
  const tooLarge = files.find((f) => f.size > MAX_SINGLE_PUT_BYTES);
  if (tooLarge) {
    throw new TransferError(`${tooLarge.path} is ${(tooLarge.size / 1024 ** 3).toFixed(1)} GiB; files are uploaded with one PUT each, which S3 limits to 5 GiB: leave it out of the dataset folder`, { audience: 'user' });
  }

  const remote = await listAll(store, bucket, root);
  const plan = planUpload(root, files, remote, [UPLOAD_MARKER_NAME]);
  if (plan.extra.length > 0 && !options.deleteExtra) throw new ExtraObjectsError(destination, plan.extra);

  const bytesTotal = files.reduce((sum, f) => sum + f.size, 0);
  const progress: PushProgress = { phase: 'checking', filesDone: 0, filesTotal: files.length, bytesDone: 0, bytesTotal };
  let uploaded = 0;
  let bytesUploaded = 0;
  const onFile = (outcome: FileOutcome): void => {
    progress.filesDone += 1;
    progress.bytesDone += outcome.bytes;
    if (outcome.action === 'uploaded') {
      uploaded += 1;
      bytesUploaded += outcome.bytes;
    }
    options.onProgress?.({ ...progress });
  };
  const run: UploadRunOptions = {
    store,
    bucket,
    concurrency: options.concurrency ?? DEFAULT_PUSH_CONCURRENCY,
    budget: new ByteBudget(options.memoryBytes ?? DEFAULT_PUSH_MEMORY_BYTES),
    onFile,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  const item = (file: LocalFile): UploadItem => ({ file, key: `${root}${file.key}` });
  options.onProgress?.({ ...progress });
  const changed = await findChanged(plan.compare.map(({ file, remote: object }) => ({ item: item(file), remote: object })), run);
  const toSend = [...plan.upload.map(item), ...changed].sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));

  const deleted: string[] = [];
  let markerWritten = false;
  if (toSend.length === 0 && plan.extra.length === 0 && (await markerMatches(store, bucket, root, plan.ignored.get(UPLOAD_MARKER_NAME), remote))) {
    // Nothing changed and the marker already says so: writing it again would only be a new event.
  } else {
    let finalSend = toSend;
    if (toSend.length > 0 || plan.extra.length > 0) {
      // Anchors there are removed first and sent again last (see above), the marker after them.
      const descriptionsThere = remote.filter((o) => o.key !== markerKey && isAnchor(o.key.slice(root.length)));
      for (const object of descriptionsThere) await store.delete(bucket, object.key);
      if (plan.ignored.has(UPLOAD_MARKER_NAME)) await store.delete(bucket, markerKey);
      for (const object of plan.extra) {
        if (!descriptionsThere.includes(object)) await store.delete(bucket, object.key);
        deleted.push(object.key);
      }
      const removed = new Set(descriptionsThere.map((o) => o.key));
      const resend = files.filter((f) => removed.has(`${root}${f.key}`) && !toSend.some((s) => s.file === f)).map(item);
      // Unchanged descriptions counted as done while checking are counted again when sent.
      for (const again of resend) {
        progress.filesDone -= 1;
        progress.bytesDone -= again.file.size;
      }
      finalSend = [...toSend, ...resend];
    }
    progress.phase = 'uploading';
    options.onProgress?.({ ...progress });
    await uploadFiles(finalSend.filter((s) => !isAnchor(s.file.key)), run);
    await uploadFiles(finalSend.filter((s) => isAnchor(s.file.key)), run);
    progress.phase = 'finishing';
    options.onProgress?.({ ...progress });
    await writeMarker(store, bucket, root, files, options.now?.() ?? new Date());
    markerWritten = true;
  }
  return {
    destination,
    files: files.length,
    bytes: bytesTotal,
    uploaded,
    bytesUploaded,
    unchanged: files.length - uploaded,
    deleted,
    markerKey,
    markerWritten,
    requests: { ...store.counts, total: store.total },
    seconds: Math.round(performance.now() - started) / 1000,
  };
}

/** Whether the marker there (if any) parses and lists exactly the listed objects. */
async function markerMatches(store: ObjectStore, bucket: string, root: string, marker: ObjectInfo | undefined, objects: readonly ObjectInfo[]): Promise<boolean> {
  if (marker === undefined) return false;
  let text: string;
  try {
    text = Buffer.from(await store.get(bucket, marker.key)).toString('utf8');
  } catch (error) {
    if (isObjectStoreError(error, 'NotFound')) return false; // removed since the listing
    throw error;
  }
  let parsed;
  try {
    parsed = uploadMarkerSchema.safeParse(JSON.parse(text));
  } catch {
    return false; // not JSON: rewritten below
  }
  return parsed.success && matchUploadMarker(parsed.data, root, objects).complete;
}

/**
 * Lists the destination once more and writes the marker from that listing, after checking that it shows
 * exactly the folder's files: another writer's object would make the trigger read the marker as "another
 * upload under way", and a missing one would make it wait forever.
 */
async function writeMarker(store: ObjectStore, bucket: string, root: string, files: readonly LocalFile[], now: Date): Promise<void> {
  const markerKey = `${root}${UPLOAD_MARKER_NAME}`;
  const final = (await listAll(store, bucket, root)).filter((o) => o.key !== markerKey);
  const expected = new Set(files.map((f) => `${root}${f.key}`));
  const stranger = final.find((o) => !expected.has(o.key));
  const listed = new Set(final.map((o) => o.key));
  const missing = [...expected].find((key) => !listed.has(key));
  if (stranger !== undefined || missing !== undefined) {
    const what = stranger !== undefined ? `${stranger.key} appeared` : `${missing} is gone`;
    throw new TransferError(`${formatS3Uri(bucket, root)} changed while the push ran (${what}), so no upload marker was written: run the push again`, { audience: 'user' });
  }
  const marker = buildUploadMarker(root, final, now);
  await store.put(bucket, markerKey, `${JSON.stringify(marker, null, 2)}\n`, { contentType: 'application/json' });
}

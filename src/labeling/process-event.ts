import type { LabelingJob } from '../aws/labeling/labeling-job-records.ts';
import { forEachConcurrently } from '../core/dataset/concurrency.ts';
import { labelingJobLayout } from '../core/labeling/layout.ts';
import { imageCopies, OutputManifestError, type ImageCopy } from '../core/labeling/output-manifest.ts';
import { PREFIXES } from '../core/naming.ts';
import { isObjectStoreError } from '../core/storage/errors.ts';
import { listAll, type ObjectInfo, type ObjectStore } from '../core/storage/object-store.ts';
import { formatS3Uri, parseS3Uri } from '../core/storage/s3-uri.ts';
import type { MessagePublisher } from '../core/trigger/ports.ts';
import { buildUploadMarker, matchUploadMarker, uploadMarkerSchema, type UploadMarker } from '../core/trigger/upload-marker.ts';
import type { LabelingCompletionEnvironment } from './environment.ts';
import { parseLabelingJobEvent } from './events.ts';
import { completedMessage, endedMessage, errorMessage, refusedMessage } from './messages.ts';

/** Copies in flight at once: enough to hide CopyObject's latency, well under S3's per-prefix request rates. */
export const COPY_CONCURRENCY = 16;

export interface LabelingCompletionLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LabelingCompletionDeps {
  environment: LabelingCompletionEnvironment;
  jobs: { describe(name: string): Promise<LabelingJob> };
  store: ObjectStore;
  copier: { copy(bucket: string, from: string, to: string): Promise<void> };
  publisher: MessagePublisher;
  log: LabelingCompletionLog;
  now?: () => Date;
}

export type LabelingCompletionOutcome =
  | { kind: 'ignored'; reason: string }
  | { kind: 'ended'; job: string; status: string }
  | { kind: 'refused'; job: string; reason: string }
  | { kind: 'version-written'; job: string; versionUri: string; images: number; copied: number }
  | { kind: 'already-complete'; job: string; versionUri: string };

/**
 * One labeling job state change. Completed: the job's output manifest and every image it labels are copied into
 * `labeled-data/<job>/` and the upload marker is written last, so the S3 trigger starts one training with format
 * groundtruth. Failed or Stopped: a message says so and nothing starts. A second delivery of the same event copies
 * only what is missing and leaves a complete marker alone (the trigger starts once per content in any case).
 * A refusal that a retry cannot change is reported and not thrown; any other error is reported, then thrown so
 * that Lambda retries it and, in the end, puts it in the dead-letter queue.
 */
export async function processLabelingEvent(input: unknown, deps: LabelingCompletionDeps): Promise<LabelingCompletionOutcome> {
  const parsed = parseLabelingJobEvent(input);
  if ('problem' in parsed) {
    deps.log.warn('event ignored', { reason: parsed.problem });
    return { kind: 'ignored', reason: parsed.problem };
  }
  const { event } = parsed;
  const project = deps.environment.projectName;
  if (!event.jobName.startsWith(`${project}-`)) return ignored(deps, `labeling job ${event.jobName} is not one of project ${project} (its name does not start with "${project}-")`);
  if (!['Completed', 'Failed', 'Stopped'].includes(event.status)) return ignored(deps, `labeling job ${event.jobName} is ${event.status}`);
  try {
    // The description, not the event, is the truth: it has the counters, the failure reason and the output.
    const job = await deps.jobs.describe(event.jobName);
    if (job.status === 'Failed' || job.status === 'Stopped') {
      deps.log.warn('labeling job ended without labels to use', { job: job.name, status: job.status, failureReason: job.failureReason });
      await deps.publisher.publish(endedMessage(job));
      return { kind: 'ended', job: job.name, status: job.status };
    }
    if (job.status !== 'Completed') return ignored(deps, `labeling job ${job.name} is ${job.status} (the event said ${event.status})`);
    return await completeVersion(job, deps);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    deps.log.error('the labeling completion failed', { job: event.jobName, eventId: event.id, error: `${err.name}: ${err.message}` });
    try {
      await deps.publisher.publish(errorMessage(event.jobName, event.id, err));
    } catch (notifyError) {
      deps.log.error('could not report the failure on SNS', { error: String(notifyError) });
    }
    throw err;
  }
}

async function completeVersion(job: LabelingJob, deps: LabelingCompletionDeps): Promise<LabelingCompletionOutcome> {
  const bucket = deps.environment.trainingBucket;
  const layout = labelingJobLayout(job.name);
  const versionUri = formatS3Uri(bucket, layout.versionRoot);
  let copies: ImageCopy[];
  let manifestKey: string;
  try {
    if (job.counters.total === 0) throw new OutputManifestError(`the job completed with no image labelled (${job.counters.failed} failed, ${job.counters.unlabeled} unlabelled): there is nothing to train on`);
    manifestKey = outputManifestKey(job, bucket, layout.root);
    const manifest = Buffer.from(await deps.store.get(bucket, manifestKey)).toString('utf8');
    copies = imageCopies(manifest, bucket, layout);
    const sources = await listSources(deps.store, bucket, copies);
    const missing = copies.filter((c) => !sources.has(c.from));
    if (missing.length > 0) throw new OutputManifestError(`${missing.length} labelled images are no longer in s3://${bucket}/${PREFIXES.rawImages} (e.g. ${missing[0]?.from ?? ''}): put them back, then redrive the event from the dead-letter queue or start a new job`);
    return await writeVersion(job, deps, { bucket, layout, manifestKey, copies, sources, versionUri });
  } catch (error) {
    if (!(error instanceof OutputManifestError)) throw error;
    deps.log.warn('labels not used', { job: job.name, reason: error.message });
    await deps.publisher.publish(refusedMessage(job.name, error.message));
    return { kind: 'refused', job: job.name, reason: error.message };
  }
}

interface VersionPlan {
  bucket: string;
  layout: ReturnType<typeof labelingJobLayout>;
  manifestKey: string;
  copies: ImageCopy[];
  sources: Map<string, ObjectInfo>;
  versionUri: string;
}

async function writeVersion(job: LabelingJob, deps: LabelingCompletionDeps, plan: VersionPlan): Promise<LabelingCompletionOutcome> {
  const { bucket, layout } = plan;
  const existing = new Map((await listAll(deps.store, bucket, layout.versionRoot)).map((o) => [o.key, o]));
  const manifest = await deps.store.head(bucket, plan.manifestKey);
  // A copy already there with the source's size and ETag is the same bytes: copying it again would only send
  // another Object Created event.
  const same = (source: ObjectInfo, to: string) => {
    const found = existing.get(to);
    return found !== undefined && found.size === source.size && found.etag === source.etag;
  };
  const pending = plan.copies.filter((c) => !same(plan.sources.get(c.from) as ObjectInfo, c.to));
  if (!same(manifest, layout.versionManifestKey)) pending.push({ from: plan.manifestKey, to: layout.versionManifestKey });
  await forEachConcurrently(pending, COPY_CONCURRENCY, (c) => deps.copier.copy(bucket, c.from, c.to));

  const objects = await listAll(deps.store, bucket, layout.versionRoot);
  const marker = await readMarker(deps.store, bucket, layout.versionMarkerKey);
  if (pending.length === 0 && marker !== undefined && matchUploadMarker(marker, layout.versionRoot, objects).complete) {
    deps.log.info('labelled-data version already complete', { job: job.name, versionUri: plan.versionUri });
    return { kind: 'already-complete', job: job.name, versionUri: plan.versionUri };
  }
  // Last: the marker says the version is whole, so the trigger may start as soon as it sees it.
  const now = deps.now?.() ?? new Date();
  await deps.store.put(bucket, layout.versionMarkerKey, `${JSON.stringify(buildUploadMarker(layout.versionRoot, objects, now), null, 2)}\n`, { contentType: 'application/json' });
  await deps.publisher.publish(completedMessage(job, { versionUri: plan.versionUri, images: plan.copies.length, copied: pending.length }));
  deps.log.info('labelled-data version written', { job: job.name, versionUri: plan.versionUri, images: plan.copies.length, copied: pending.length });
  return { kind: 'version-written', job: job.name, versionUri: plan.versionUri, images: plan.copies.length, copied: pending.length };
}

/** The output manifest's key: DescribeLabelingJob's OutputDatasetS3Uri, which must be the job's own under labeling/. */
function outputManifestKey(job: LabelingJob, bucket: string, root: string): string {
  if (job.outputManifestUri === undefined) throw new OutputManifestError('DescribeLabelingJob gives no output manifest (LabelingJobOutput.OutputDatasetS3Uri)');
  const { bucket: outputBucket, key } = parseS3Uri(job.outputManifestUri);
  if (outputBucket !== bucket || !key.startsWith(root)) throw new OutputManifestError(`the output manifest ${job.outputManifestUri} is not under s3://${bucket}/${root}: only jobs yolops label start created are completed`);
  return key;
}

/** Every labelled image's size and ETag, listing each batch folder once (a HEAD per image would cost as many requests as copies). */
async function listSources(store: ObjectStore, bucket: string, copies: readonly ImageCopy[]): Promise<Map<string, ObjectInfo>> {
  const folders = new Set(copies.map((c) => c.from.slice(0, c.from.indexOf('/', PREFIXES.rawImages.length) + 1) || PREFIXES.rawImages));
  const found = new Map<string, ObjectInfo>();
  for (const folder of folders) for (const o of await listAll(store, bucket, folder)) found.set(o.key, o);
  return found;
}

/** The version's marker, or undefined when there is none yet or it is not one this code reads (it is written again). */
async function readMarker(store: ObjectStore, bucket: string, key: string): Promise<UploadMarker | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(bucket, key);
  } catch (error) {
    if (isObjectStoreError(error, 'NotFound')) return undefined;
    throw error;
  }
  try {
    const parsed = uploadMarkerSchema.safeParse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function ignored(deps: LabelingCompletionDeps, reason: string): LabelingCompletionOutcome {
  deps.log.info('event ignored', { reason });
  return { kind: 'ignored', reason };
}


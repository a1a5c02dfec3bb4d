import { createHash } from 'node:crypto';
import type { ConfigProblem } from '../config/errors.ts';
import { ConfigError } from '../config/errors.ts';
import { parseTrainingConfig, type TrainingConfig } from '../config/training-config.ts';
import type { LabelFormatDetection } from '../dataset/detect-label-format.ts';
import { validateDataset } from '../dataset/index.ts';
import { DEFAULT_LABEL_FORMAT, type LabelFormat } from '../dataset/label-formats.ts';
import type { ProblemDraft } from '../dataset/problems.ts';
import { isUserError } from '../errors.ts';
import { PREFIXES } from '../naming.ts';
import { INPUT_PARAMETERS } from '../pipeline/input-parameters.ts';
import { isObjectStoreError } from '../storage/errors.ts';
import { keyProblem } from '../storage/keys.ts';
import { listAll, putIfAbsent, type ObjectInfo, type ObjectStore } from '../storage/object-store.ts';
import { formatS3Uri } from '../storage/s3-uri.ts';
import { claimIsResumable, VersionClaims, type VersionClaim } from './claims.ts';
import type { DatasetVersionRef } from './dataset-version.ts';
import { clientRequestToken, contentFingerprint, executionDisplayName } from './fingerprint.ts';
import { configInvalidMessage, datasetInvalidMessage, labelledDataRefusedMessage, startFailedMessage, trainingStartedMessage } from './notices.ts';
import type { MessagePublisher, PipelineStarter, PublishedMessage, RecheckScheduler, UploadsInProgress } from './ports.ts';
import { decideReadiness, type VersionObservation } from './readiness.ts';
import { detectStoredLabelFormat } from './stored-label-format.ts';
import { UPLOAD_MARKER_NAME, uploadMarkerSchema } from './upload-marker.ts';
import { versionKind } from './version-kind.ts';

export interface TriggerSettings {
  trainingBucket: string;
  pipelineName: string;
  /** No object of a marker-less upload may have arrived for this long before it starts. */
  quietPeriodMs: number;
  /** `config/training-config.json` */
  configKey: string;
  /** A claim with no outcome after this long was abandoned (its holder timed out): longer than the function timeout. */
  claimStaleMs: number;
  /** Files the validator reads at once. */
  validationConcurrency: number;
  /** Attempts at starting one content (the first and the resumed ones) before the trigger gives up. @default 5 */
  maxStartAttempts?: number;
}

/** Structured logging (Powertools' logger in the Lambda). */
export interface TriggerLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface TriggerDeps {
  store: ObjectStore;
  uploads: UploadsInProgress;
  starter: PipelineStarter;
  publisher: MessagePublisher;
  rechecks: RecheckScheduler;
  settings: TriggerSettings;
  /** The pipeline parameters training-config.json sets (one mapping, in core/pipeline). */
  configParameters: (config: TrainingConfig) => Record<string, string>;
  log: TriggerLog;
  now: () => Date;
}

export type VersionResult =
  | { kind: 'started'; executionArn: string; fingerprint: string; via: string }
  | { kind: 'duplicate'; fingerprint: string; reason: string }
  | { kind: 'waiting'; reason: string; recheckInSeconds?: number }
  | { kind: 'invalid'; fingerprint: string; reportUri: string; errors: number }
  | { kind: 'config-invalid'; fingerprint: string; configUri: string }
  | { kind: 'start-failed'; fingerprint: string; error: string };

const MAX_DELAY_SECONDS = 900; // SQS's DelaySeconds ceiling

/**
 * Handles one dataset version that an event (or a scheduled recheck) points at: waits until the upload is
 * over, claims the content exactly once, validates it over S3 with the dataset contract (a labelled-data version:
 * tells its format instead), and either starts one pipeline execution, with InputFormat, or reports why not.
 * Safe to run any number of times, at once, for the same version.
 */
export async function processDatasetVersion(deps: TriggerDeps, ref: DatasetVersionRef, eventKeys: readonly string[], claimant: string): Promise<VersionResult> {
  const { store, settings, log } = deps;
  const bucket = settings.trainingBucket;
  const datasetUri = formatS3Uri(bucket, ref.root);
  const objects = await listAll(store, bucket, ref.root);
  if (objects.length === 0) return { kind: 'waiting', reason: `nothing under ${datasetUri} (deleted?)` };

  const marker = await readMarker(store, bucket, ref, objects);
  const uploadsInProgress = marker.kind === 'valid' ? false : await deps.uploads.anyUnder(bucket, ref.root);
  const observation: VersionObservation = { ref, objects, marker, uploadsInProgress, eventKeys, now: deps.now().getTime(), quietPeriodMs: settings.quietPeriodMs };
  if (marker.kind === 'invalid') log.warn('the upload marker is unreadable; judging the upload by the quiet period instead', { dataset: datasetUri, reason: marker.reason });
  const readiness = decideReadiness(observation);
  if (readiness.kind === 'wait') {
    if (readiness.recheckInMs === undefined) return { kind: 'waiting', reason: readiness.reason };
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(1, Math.ceil(readiness.recheckInMs / 1000) + 1));
    await deps.rechecks.schedule({ bucket, versionRoot: ref.root }, delay);
    return { kind: 'waiting', reason: readiness.reason, recheckInSeconds: delay };
  }

  const fingerprint = contentFingerprint(ref, objects);
  const claims = new VersionClaims(store, bucket);
  const existing = await claims.get(ref, fingerprint);
  if (existing && !claimIsResumable(existing, deps.now().getTime(), settings.claimStaleMs)) {
    return { kind: 'duplicate', fingerprint, reason: existing.outcome ? `this content was handled before (${existing.outcome.kind})` : `another invocation (${existing.claimant}) is handling this content` };
  }

  const config = await readTrainingConfig(store, bucket, settings.configKey);
  if (config.kind === 'invalid') {
    const notice = `${PREFIXES.trigger}notices/config-invalid/${sha256(`${config.contentHash}\0${ref.root}\0${fingerprint}`)}.json`;
    if (await putIfAbsent(store, bucket, notice, JSON.stringify({ dataset: datasetUri, config: config.uri, at: deps.now().toISOString() }), 'application/json')) {
      await deps.publisher.publish(configInvalidMessage({ datasetUri, configUri: config.uri, problems: config.problems }));
    }
    return { kind: 'config-invalid', fingerprint, configUri: config.uri };
  }

  let claim: VersionClaim | undefined;
  if (existing) {
    claim = await claims.resume(ref, existing, claimant, deps.now());
    if (!claim) return { kind: 'duplicate', fingerprint, reason: 'another invocation resumed this content first' };
    log.warn('resuming a claim whose start failed or whose holder vanished', { dataset: datasetUri, attempt: claim.attempt, previous: existing.outcome?.kind ?? 'no outcome' });
  } else {
    const token = clientRequestToken(settings.pipelineName, ref, fingerprint);
    const fresh: VersionClaim = { schemaVersion: 1, datasetUri, fingerprint, objects: objects.length, claimedAt: deps.now().toISOString(), claimant, clientRequestToken: token, attempt: 1 };
    if (!(await claims.create(ref, fresh))) return { kind: 'duplicate', fingerprint, reason: 'another invocation claimed this content first' };
    claim = fresh;
  }

  let outcomeRecorded = false;
  const record = async (outcome: Parameters<VersionClaims['recordOutcome']>[2]): Promise<void> => {
    await claims.recordOutcome(ref, claim, outcome);
    outcomeRecorded = true;
  };
  try {
    // A dataset is validated here against the dataset contract; labelled data only has its format told, since the
    // pipeline's Preprocess step converts it and validates the result.
    let inputFormat: LabelFormat = DEFAULT_LABEL_FORMAT;
    const refuse = async (report: Record<string, unknown>, errors: number, notice: (reportUri: string) => PublishedMessage): Promise<VersionResult> => {
      const reportKey = `${PREFIXES.trigger}reports/${ref.root}${fingerprint}.json`;
      const reportUri = formatS3Uri(bucket, reportKey);
      await store.put(bucket, reportKey, `${JSON.stringify({ fingerprint, claimedAt: claim.claimedAt, ...report }, null, 2)}\n`, { contentType: 'application/json' });
      // Told first, recorded after: a message that could not be sent leaves the claim resumable, so the redelivery
      // sends it (a person is told at least once; no training starts either way).
      await deps.publisher.publish(notice(reportUri));
      await record({ kind: 'invalid', reportUri, errors, at: deps.now().toISOString() });
      return { kind: 'invalid', fingerprint, reportUri, errors };
    };
    if (versionKind(ref) === 'dataset') {
      const validation = await validateDataset(store, { bucket, prefix: ref.root }, { concurrency: settings.validationConcurrency, refusals: keyRefusals(objects) });
      if (!validation.valid) return await refuse({ validation }, validation.errors, (reportUri) => datasetInvalidMessage(validation, reportUri));
    } else {
      const refusals = keyRefusals(objects);
      const detection: LabelFormatDetection = refusals[0]
        ? { kind: 'unknown', problem: `${refusals.length} key(s) cannot be files of an export, e.g. ${refusals[0].problem.message}`, fix: refusals[0].problem.hint }
        : await detectStoredLabelFormat(store, bucket, ref.root, objects, settings.validationConcurrency);
      if (detection.kind === 'unknown') {
        const { problem, fix } = detection;
        return await refuse({ labelFormat: { problem, fix, objects: objects.length } }, 1, (reportUri) => labelledDataRefusedMessage({ datasetUri, problem, fix, reportUri }));
      }
      inputFormat = detection.format;
      log.info('labelled data: format detected', { dataset: datasetUri, format: detection.format, from: detection.summary });
    }

    const parameters = { ...(config.kind === 'found' ? deps.configParameters(config.config) : {}), [INPUT_PARAMETERS.dataUri]: datasetUri, [INPUT_PARAMETERS.format]: inputFormat };
    const startedAt = deps.now();
    const displayName = executionDisplayName(ref, startedAt);
    const via = readiness.via === 'marker' ? 'upload marker' : `quiet period of ${Math.round(settings.quietPeriodMs / 1000)} s`;
    let executionArn: string;
    try {
      ({ executionArn } = await deps.starter.startExecution({
        pipelineName: settings.pipelineName,
        parameters,
        clientRequestToken: claim.clientRequestToken,
        displayName,
        description: `${versionKind(ref) === 'dataset' ? 'Dataset' : `Labelled data (${inputFormat})`} ${datasetUri} (${objects.length} objects, content ${fingerprint.slice(0, 12)}); started by the S3 trigger (${via}) at ${startedAt.toISOString()}; training config: ${config.kind === 'found' ? config.uri : 'deployed defaults'}.`,
      }));
    } catch (error) {
      const text = describeError(error);
      const retryable = !isUserError(error) && claim.attempt < (settings.maxStartAttempts ?? 5);
      await record({ kind: 'start-failed', error: text, retryable, at: deps.now().toISOString() });
      if (retryable) throw error; // the queue delivers the message again; that delivery resumes the claim
      await deps.publisher.publish(startFailedMessage({ datasetUri, error: text, retrying: false }));
      return { kind: 'start-failed', fingerprint, error: text };
    }
    await record({ kind: 'started', executionArn, at: deps.now().toISOString() });
    await deps.publisher.publish(trainingStartedMessage({ datasetUri, executionArn, displayName, via, parameters, ...(config.kind === 'found' ? { configUri: config.uri } : {}) }));
    return { kind: 'started', executionArn, fingerprint, via };
  } catch (error) {
    // Anything that failed between the claim and its outcome (S3 refused a read, a report could not be written)
    // leaves the claim resumable, so the redelivered message takes it up again instead of finding it "in hand".
    if (!outcomeRecorded) {
      await claims.recordOutcome(ref, claim, { kind: 'start-failed', error: describeError(error), retryable: true, at: deps.now().toISOString() }).catch((recordError: unknown) => {
        log.error('could not mark the claim resumable after a failure; it becomes resumable once stale', { dataset: datasetUri, error: describeError(recordError) });
      });
    }
    throw error;
  }
}

/** `Name: message` of an error, for logs and claim records. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

type MarkerState = VersionObservation['marker'];

async function readMarker(store: ObjectStore, bucket: string, ref: DatasetVersionRef, objects: readonly ObjectInfo[]): Promise<MarkerState> {
  const key = `${ref.root}${UPLOAD_MARKER_NAME}`;
  if (!objects.some((o) => o.key === key)) return { kind: 'absent' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(await store.get(bucket, key)).toString('utf8'));
  } catch (error) {
    if (isObjectStoreError(error, 'NotFound')) return { kind: 'absent' };
    return { kind: 'invalid', reason: `${key} is not JSON: ${(error as Error).message}` };
  }
  const parsed = uploadMarkerSchema.safeParse(json);
  return parsed.success ? { kind: 'valid', marker: parsed.data } : { kind: 'invalid', reason: `${key}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ')}` };
}

/** `contentHash`: the invalid file's bytes, hashed, so each version of the file is reported once. */
type ConfigState = { kind: 'absent' } | { kind: 'found'; config: TrainingConfig; uri: string } | { kind: 'invalid'; uri: string; contentHash: string; problems: readonly ConfigProblem[] };

async function readTrainingConfig(store: ObjectStore, bucket: string, key: string): Promise<ConfigState> {
  const uri = formatS3Uri(bucket, key);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(bucket, key);
  } catch (error) {
    if (isObjectStoreError(error, 'NotFound')) return { kind: 'absent' };
    throw error;
  }
  const contentHash = createHash('sha256').update(bytes).digest('hex');
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    return { kind: 'invalid', uri, contentHash, problems: [{ key: '', value: undefined, message: `it is not JSON: ${(error as Error).message}` }] };
  }
  try {
    return { kind: 'found', config: parseTrainingConfig(json, uri), uri };
  } catch (error) {
    if (error instanceof ConfigError) return { kind: 'invalid', uri, contentHash, problems: error.problems };
    throw error;
  }
}

/** Keys S3 holds but no training job could read as a file (`..`, `//`, control characters): refused up front. */
function keyRefusals(objects: readonly ObjectInfo[]): { file: string; problem: ProblemDraft }[] {
  const refusals: { file: string; problem: ProblemDraft }[] = [];
  for (const object of objects) {
    const problem = keyProblem(object.key);
    if (problem === undefined) continue;
    refusals.push({
      file: object.key,
      problem: { code: 'unreadable-file', message: `the key ${JSON.stringify(object.key)} cannot be a file of a dataset: ${problem}; nothing of the dataset was read`, hint: 'delete the object and upload the file under a plain relative path (no "..", "//" or leading "/")' },
    });
  }
  return refusals;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

import { DATA_YAML_NAMES } from '../dataset/contract.ts';
import { isAnnotationFile } from '../dataset/detect-label-format.ts';
import { DATASET_PREFIXES, datasetVersionNameProblem } from '../naming.ts';
import type { S3Location } from '../storage/s3-uri.ts';
import { datasetVersionOfKey, type DatasetVersionRef } from '../trigger/dataset-version.ts';
import { TRIGGER_PREFIXES, versionKind } from '../trigger/version-kind.ts';

/**
 * S3's ceiling for one PUT. The upload engine writes each file with one PUT (the object-store port's `put`), so
 * a bigger file is refused before anything is sent; dataset files (images, labels, data.yaml) are far smaller.
 */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

/**
 * Whether a file of a dataset folder is pushed, by its path relative to the folder: hidden files and folders
 * (`.DS_Store`, `.git/`, an upload marker copied down with the dataset) and Ultralytics' `*.cache` label caches,
 * which it rebuilds, are left out, as `yolops run --dataset` leaves them out of its upload.
 */
export function isPushedDatasetFile(relativePath: string): boolean {
  return !relativePath.split('/').some((part) => part.startsWith('.')) && !relativePath.endsWith('.cache');
}

/**
 * Whether a key names a dataset description (data.yaml or data.yml at any depth). Pushes write them after every
 * other file and remove them first when they change a version: without one, neither the S3 trigger's quiet
 * period nor the local watcher's completeness check takes a half-uploaded version for a finished one.
 */
export function isDatasetDescription(key: string): boolean {
  return DATA_YAML_NAMES.includes(key.slice(key.lastIndexOf('/') + 1));
}

/**
 * The files a push to `root` writes last and removes first when it changes a version: the version's anchor
 * (version-kind.ts), data.yaml for a dataset and the annotation files for labelled data, so that while the push
 * runs neither the trigger's quiet-period rule nor the local watcher takes the version for a finished one.
 */
export function pushAnchorsFor(root: string): (key: string) => boolean {
  const lookup = datasetVersionOfKey(root, TRIGGER_PREFIXES);
  return lookup.kind === 'version' && versionKind(lookup.ref) === 'labelled-data' ? isAnnotationFile : isDatasetDescription;
}

/** What the S3 trigger (and the local watcher) will make of a push destination. */
export type DestinationReading =
  | { kind: 'version'; ref: DatasetVersionRef }
  /** Not a dataset version folder of the training bucket: nothing starts a training for it. */
  | { kind: 'elsewhere'; note: string };

/**
 * Reads a destination folder (`key` ends with `/`) against the training bucket's layout: only
 * `<dataset prefix><version>/` or `labeled-data/<version>/` of the training bucket is a version the trigger
 * starts a training for.
 * A version folder whose name the trigger would refuse comes back as `bad-name`, for the caller to refuse.
 */
export function readPushDestination(location: S3Location, trainingBucket: string): DestinationReading | { kind: 'bad-name'; problem: string } {
  const where = `s3://${location.bucket}/${location.key}`;
  const prefixes = TRIGGER_PREFIXES.join(' or ');
  if (location.bucket !== trainingBucket) return { kind: 'elsewhere', note: `${where} is not in the training data bucket ${trainingBucket}, so no training starts for it` };
  const lookup = datasetVersionOfKey(`${location.key}${DATA_YAML_NAMES[0] ?? 'data.yaml'}`, TRIGGER_PREFIXES);
  if (lookup.kind === 'bad-name') return { kind: 'bad-name', problem: lookup.problem };
  if (lookup.kind === 'version' && lookup.ref.root === location.key) return { kind: 'version', ref: lookup.ref };
  if (lookup.kind === 'version') return { kind: 'elsewhere', note: `${where} is inside the dataset version ${lookup.ref.root}, not the version folder itself, so the trigger does not read this push's marker; push to s3://${trainingBucket}/${lookup.ref.root} to start a training` };
  return { kind: 'elsewhere', note: `${where} is not under ${prefixes} of the training data bucket, so no training starts for it (push to s3://${trainingBucket}/${DATASET_PREFIXES[0]}<version>/ to start one)` };
}

/** The default version name for a dataset folder: its own name when that is a valid version name. */
export function defaultDatasetVersion(folderName: string): { version: string } | { problem: string } {
  const problem = datasetVersionNameProblem(folderName);
  return problem === undefined ? { version: folderName } : { problem };
}

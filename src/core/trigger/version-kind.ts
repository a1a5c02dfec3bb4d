import { isAnnotationFile } from '../dataset/detect-label-format.ts';
import { findDataYamlKey } from '../dataset/index.ts';
import { DATASET_PREFIXES, PREFIXES } from '../naming.ts';
import type { DatasetVersionRef } from './dataset-version.ts';

/**
 * The prefixes whose version folders start a training: the YOLO dataset prefixes, validated by the trigger
 * before it starts, and labeled-data/, whose exports the pipeline's Preprocess step converts and validates.
 */
export const TRIGGER_PREFIXES = [...DATASET_PREFIXES, PREFIXES.labeledData] as const;

/** `dataset`: a split YOLO dataset (InputFormat yolo); `labelled-data`: an export whose format is detected. */
export type VersionKind = 'dataset' | 'labelled-data';

export function versionKind(ref: Pick<DatasetVersionRef, 'prefix'>): VersionKind {
  return ref.prefix === PREFIXES.labeledData ? 'labelled-data' : 'dataset';
}

/**
 * The object whose presence lets an upload without an upload marker count as complete once the folder is quiet:
 * data.yaml for a dataset (where the dataset contract looks for it), an annotation file of any format for
 * labelled data. Uploaders that know this (`yolops dataset push`) write it last.
 */
export interface VersionAnchor {
  /** The anchor's key among the listed keys (full keys under `root`), or undefined when there is none yet. */
  find(root: string, keys: readonly string[]): string | undefined;
  /** What the anchor is, for messages: `data.yaml`, `an annotation file`. */
  name: string;
  /** Why a folder without one waits. */
  missing(root: string): string;
}

const DATASET_ANCHOR: VersionAnchor = {
  find: (root, keys) => findDataYamlKey(root, keys).key,
  name: 'data.yaml',
  missing: (root) => `no data.yaml under ${root} yet (upload it with the dataset; the training starts after it)`,
};

const LABELLED_DATA_ANCHOR: VersionAnchor = {
  find: (root, keys) => keys.find((key) => key.startsWith(root) && isAnnotationFile(key.slice(root.length))),
  name: 'an annotation file',
  missing: (root) => `no annotation file under ${root} yet (a COCO or Label Studio .json, VOC .xml files, a Ground Truth .manifest, or YOLO's data.yaml or classes.txt; the training starts after it)`,
};

export function versionAnchor(ref: Pick<DatasetVersionRef, 'prefix'>): VersionAnchor {
  return versionKind(ref) === 'labelled-data' ? LABELLED_DATA_ANCHOR : DATASET_ANCHOR;
}

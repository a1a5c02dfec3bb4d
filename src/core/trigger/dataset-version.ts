import { DATASET_PREFIXES, datasetVersionNameProblem } from '../naming.ts';

/** One dataset version: the first folder under a dataset prefix. */
export interface DatasetVersionRef {
  /** `split_dataset/`, `sample_dataset/` or `labeled-data/`. */
  prefix: string;
  /** `2026-11-23` */
  version: string;
  /** `split_dataset/2026-11-23/`: always ends with `/`, so `v1` never matches `v10`. */
  root: string;
}

export type VersionLookup =
  | { kind: 'version'; ref: DatasetVersionRef }
  /** The key is under no dataset prefix, or directly under one: it belongs to no version. */
  | { kind: 'outside'; reason: string }
  /** The key is in a version folder whose name cannot be a version: the person should rename it. */
  | { kind: 'bad-name'; prefix: string; name: string; problem: string };

/**
 * The dataset version an object key belongs to. S3 writes keys URL-encoded in its classic notifications
 * ("red flower.jpg" as "red+flower.jpg") and as they are in EventBridge events; the version name allows neither
 * "+" nor "%", so a key whose version only becomes valid once decoded is taken decoded, and anything else as is.
 */
export function datasetVersionOfKey(key: string, prefixes: readonly string[] = DATASET_PREFIXES): VersionLookup {
  const decoded = formDecode(key);
  const first = lookup(key, prefixes);
  if (first.kind === 'version' || decoded === undefined || decoded === key) return first;
  const second = lookup(decoded, prefixes);
  return second.kind === 'version' ? second : first;
}

function lookup(key: string, prefixes: readonly string[]): VersionLookup {
  const prefix = prefixes.find((p) => key.startsWith(p));
  if (prefix === undefined) return { kind: 'outside', reason: `${key} is not under ${prefixes.join(' or ')}` };
  const rest = key.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return { kind: 'outside', reason: `${key} is directly under ${prefix}; a dataset version is a folder: ${prefix}<version>/` };
  const name = rest.slice(0, slash);
  const problem = name === '' ? `${key} has an empty version folder ("${prefix}/")` : datasetVersionNameProblem(name);
  if (problem !== undefined) return { kind: 'bad-name', prefix, name, problem };
  return { kind: 'version', ref: { prefix, version: name, root: `${prefix}${name}/` } };
}

function formDecode(key: string): string | undefined {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return undefined; // a stray "%" that is not an escape: the key is taken as it is
  }
}

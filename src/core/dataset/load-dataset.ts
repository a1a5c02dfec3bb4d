import { isObjectStoreError } from '../storage/errors.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { normalizePrefix, parseS3Uri } from '../storage/s3-uri.ts';
import { DatasetIndex } from './dataset-index.ts';
import { parseDataYaml, type ParsedDataYaml, type SplitDeclaration } from './data-yaml.ts';
import { DATA_YAML_NAMES, DATASET_CONTRACT, IMAGE_EXTENSIONS, type ImageEntry } from './contract.ts';
import { existingConventionalFolders, resolveSplitPath, type SplitPathResolution } from './split-paths.ts';

/** One dataset version: a bucket and the prefix that holds its data.yaml (`''` for the bucket root). */
export interface DatasetLocation {
  bucket: string;
  prefix: string;
}

export interface ResolvedFolder {
  /** The path as data.yaml writes it. */
  path: string;
  resolution: SplitPathResolution;
}

export interface ResolvedSplit {
  declaration: SplitDeclaration;
  folders: ResolvedFolder[];
}

export interface LoadedDataset {
  /** The objects of the dataset: under the folder that holds data.yaml (the location's prefix, or one folder down). */
  index: DatasetIndex;
  /** Every object under the location's prefix (the same as `index` unless data.yaml is one folder down). */
  listing: DatasetIndex;
  /** The data.yaml found, or where it was expected (`<prefix>data.yaml`) when there is none. */
  dataYamlKey: string;
  /** data.yaml files one folder down when none is at the top and there is not exactly one there. */
  nestedCandidates: string[];
  /** Undefined when there is no data.yaml. */
  parsed: ParsedDataYaml | undefined;
  splits: ResolvedSplit[];
}

/** The name data.yaml is expected under (the contract accepts the others of DATA_YAML_NAMES too). */
export const DATA_YAML = DATA_YAML_NAMES[0] ?? 'data.yaml';

/** `s3://bucket/split_dataset/v1` (a pipeline's InputDataUri) as a location; the prefix gets its trailing `/`. */
export function datasetLocationFromUri(uri: string): DatasetLocation {
  const { bucket, key } = parseS3Uri(uri);
  return { bucket, prefix: normalizePrefix(key) };
}

/**
 * Lists the dataset once, finds data.yaml as the training job finds it (the contract's file names at the top of
 * the prefix, else the only folder one level down that has one), reads and parses it, and resolves its split
 * folders relative to the folder that holds it. Reports nothing itself.
 */
export async function loadDataset(store: ObjectStore, location: DatasetLocation): Promise<LoadedDataset> {
  const prefix = normalizePrefix(location.prefix);
  const listing = await DatasetIndex.load(store, location.bucket, prefix);
  const found = findDataYamlKey(listing.prefix, listing.keys());
  const missing = { index: listing, listing, dataYamlKey: `${prefix}${DATA_YAML}`, nestedCandidates: found.nested, parsed: undefined, splits: [] };
  if (found.key === undefined) return missing;
  const dataYamlKey = found.key;
  const root = dataYamlKey.slice(0, dataYamlKey.lastIndexOf('/') + 1);
  const index = root === prefix ? listing : new DatasetIndex(root, listing.keysUnder(root.slice(0, -1)).map((key) => listing.get(key)).filter((o) => o !== undefined));

  let text: string;
  try {
    text = new TextDecoder().decode(await store.get(location.bucket, dataYamlKey));
  } catch (error) {
    // Deleted between the listing and the read: as if it had never arrived.
    if (isObjectStoreError(error, 'NotFound')) return missing;
    throw error;
  }
  const folderExists = (folder: string): boolean => index.folderExists(folder);
  const parsed = parseDataYaml(text, { conventionalFolder: (split) => existingConventionalFolders(split, root, folderExists)[0] });
  const splits = parsed.dataYaml.splits.map((declaration) => ({
    declaration,
    folders: declaration.paths.map((path) => ({ path, resolution: resolveSplitPath(root, path, folderExists) })),
  }));
  return { index, listing, dataYamlKey, nestedCandidates: [], parsed, splits };
}

/**
 * Where the contract says data.yaml is, among the keys of one listing under `prefix`: the contract's file names
 * at the top, else the only folder one level down that has one (`nested` lists them when there are several).
 * The uploader and the watcher can use it to find the file that marks an upload complete.
 */
export function findDataYamlKey(prefix: string, keys: readonly string[]): { key: string | undefined; nested: string[] } {
  const present = new Set(keys);
  for (const name of DATA_YAML_NAMES) if (present.has(`${prefix}${name}`)) return { key: `${prefix}${name}`, nested: [] };
  if (!DATASET_CONTRACT.dataYaml.oneFolderDown) return { key: undefined, nested: [] };
  // A folder with both names counts once, by the contract's order (data.yaml before data.yml).
  const byFolder = new Map<string, string>();
  for (const name of DATA_YAML_NAMES) {
    for (const key of keys) {
      const parts = key.slice(prefix.length).split('/');
      if (!key.startsWith(prefix) || parts.length !== 2 || parts[1] !== name) continue;
      const folder = parts[0] ?? '';
      if (!byFolder.has(folder)) byFolder.set(folder, key);
    }
  }
  const found = [...byFolder.values()].sort();
  return found.length === 1 ? { key: found[0], nested: [] } : { key: undefined, nested: found };
}

/** The image keys under an images folder: the extensions the contract accepts, in any letter case. */
export function imageKeysUnder(index: DatasetIndex, imageDir: string): string[] {
  return index.keysUnder(imageDir).filter((key) => imageEntryOfKey(key) !== undefined);
}

/** The contract's entry for a key's extension, or undefined for files that are not images Ultralytics reads. */
export function imageEntryOfKey(key: string): ImageEntry | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? IMAGE_EXTENSIONS.get(name.slice(dot + 1).toLowerCase()) : undefined;
}

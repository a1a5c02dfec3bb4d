import { isObjectStoreError } from '../storage/errors.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { normalizePrefix, parseS3Uri } from '../storage/s3-uri.ts';
import { DatasetIndex } from './dataset-index.ts';
import { parseDataYaml, type ParsedDataYaml, type SplitDeclaration } from './data-yaml.ts';
import { IMAGE_EXTENSIONS, type ImageFormat } from './image-header.ts';
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
  index: DatasetIndex;
  dataYamlKey: string;
  /** Undefined when there is no data.yaml. */
  parsed: ParsedDataYaml | undefined;
  splits: ResolvedSplit[];
}

export const DATA_YAML = 'data.yaml';

/** `s3://bucket/split_dataset/v1` (a pipeline's InputDataUri) as a location; the prefix gets its trailing `/`. */
export function datasetLocationFromUri(uri: string): DatasetLocation {
  const { bucket, key } = parseS3Uri(uri);
  return { bucket, prefix: normalizePrefix(key) };
}

/** Lists the dataset once, reads and parses data.yaml and resolves its split folders. Reports nothing itself. */
export async function loadDataset(store: ObjectStore, location: DatasetLocation): Promise<LoadedDataset> {
  const prefix = normalizePrefix(location.prefix);
  const index = await DatasetIndex.load(store, location.bucket, prefix);
  const dataYamlKey = `${prefix}${DATA_YAML}`;
  if (!index.has(dataYamlKey)) return { index, dataYamlKey, parsed: undefined, splits: [] };

  let text: string;
  try {
    text = new TextDecoder().decode(await store.get(location.bucket, dataYamlKey));
  } catch (error) {
    // Deleted between the listing and the read: as if it had never arrived.
    if (isObjectStoreError(error, 'NotFound')) return { index, dataYamlKey, parsed: undefined, splits: [] };
    throw error;
  }
  const folderExists = (folder: string): boolean => index.folderExists(folder);
  const parsed = parseDataYaml(text, { conventionalFolder: (split) => existingConventionalFolders(split, prefix, folderExists)[0] });
  const splits = parsed.dataYaml.splits.map((declaration) => ({
    declaration,
    folders: declaration.paths.map((path) => ({ path, resolution: resolveSplitPath(prefix, path, folderExists) })),
  }));
  return { index, dataYamlKey, parsed, splits };
}

/** The image keys under an images folder: the extensions the contract accepts, in any letter case. */
export function imageKeysUnder(index: DatasetIndex, imageDir: string): string[] {
  return index.keysUnder(imageDir).filter((key) => imageFormatOfKey(key) !== undefined);
}

/** The image format a key's extension names, or undefined for files that are not images of the contract. */
export function imageFormatOfKey(key: string): ImageFormat | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? IMAGE_EXTENSIONS.get(name.slice(dot + 1).toLowerCase()) : undefined;
}


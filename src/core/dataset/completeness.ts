import type { ObjectStore } from '../storage/object-store.ts';
import { normalizePrefix } from '../storage/s3-uri.ts';
import type { SplitName } from './data-yaml.ts';
import { imageKeysUnder, loadDataset, type DatasetLocation } from './load-dataset.ts';

export interface DatasetCompleteness {
  /** data.yaml is there and parses, and every split it declares resolves to a folder with images. */
  complete: boolean;
  /** Why not (or what it holds), in one sentence for logs and notifications. */
  reason: string;
  /** Images found per declared split. */
  splits: { split: SplitName; images: number }[];
}

/**
 * Whether an upload is a complete dataset version, cheaply (one listing and one read of data.yaml): the S3
 * trigger and the local watcher call it on every object-created event and start a training only when it says
 * yes. Complete is not valid: the full validation runs after, and its problems are reported, not waited out.
 * Uploaders should write data.yaml last (the CLI does), so its arrival marks the end of the upload.
 */
export async function checkDatasetComplete(store: ObjectStore, location: DatasetLocation): Promise<DatasetCompleteness> {
  const prefix = normalizePrefix(location.prefix);
  const { index, dataYamlKey, parsed, splits } = await loadDataset(store, { bucket: location.bucket, prefix });
  if (!parsed) return { complete: false, reason: `${dataYamlKey} is not uploaded yet`, splits: [] };

  const yamlError = parsed.problems.find((p) => p.code === 'invalid-yaml' || p.code === 'invalid-data-yaml' || p.code === 'missing-split');
  if (yamlError) return { complete: false, reason: `${dataYamlKey} line ${yamlError.line ?? 1}: ${yamlError.message}`, splits: [] };

  const counts = splits.map(({ declaration, folders }) => ({
    split: declaration.split,
    images: folders.reduce((sum, { resolution }) => sum + (resolution.kind === 'found' ? imageKeysUnder(index, resolution.imageDir).length : 0), 0),
  }));
  const empty = splits.find((_, i) => (counts[i]?.images ?? 0) === 0);
  if (empty) {
    const { key, paths } = empty.declaration;
    return { complete: false, reason: `the ${empty.declaration.split} split (${key}: ${paths.join(', ')}) has no images yet`, splits: counts };
  }
  return { complete: true, reason: `complete: ${counts.map((c) => `${c.images} ${c.split}`).join(', ')} images`, splits: counts };
}

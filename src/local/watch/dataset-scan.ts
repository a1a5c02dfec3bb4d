import { checkDatasetComplete, findDataYamlKey } from '../../core/dataset/index.ts';
import { DATASET_PREFIXES } from '../../core/naming.ts';
import type { ObjectInfo, ObjectStore } from '../../core/storage/object-store.ts';
import { contentFingerprint } from '../../core/trigger/fingerprint.ts';
import type { VersionObservation } from './watch-decisions.ts';

/**
 * Lists the prefixes once and describes each dataset version: the folder directly under a prefix. A version
 * with no data.yaml where the dataset contract looks for one (data.yaml or data.yml, at the top or one folder
 * down) is incomplete without further reads; with one, the completeness check (data.yaml parses, every
 * declared split has images) decides.
 */
export async function scanDatasetVersions(store: ObjectStore, bucket: string, prefixes: readonly string[] = DATASET_PREFIXES): Promise<VersionObservation[]> {
  const observations: VersionObservation[] = [];
  for (const prefix of prefixes) {
    const versions = new Map<string, { objects: ObjectInfo[]; keys: string[] }>();
    for await (const object of store.list(bucket, prefix)) {
      const rest = object.key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash <= 0) continue; // an object directly under the prefix belongs to no version
      const version = rest.slice(0, slash);
      let entry = versions.get(version);
      if (!entry) {
        entry = { objects: [], keys: [] };
        versions.set(version, entry);
      }
      entry.objects.push(object);
      entry.keys.push(rest.slice(slash + 1));
    }
    for (const [version, entry] of versions) {
      const key = `${prefix.replace(/\/$/, '')}/${version}`;
      // The S3 trigger's content fingerprint: a version changes whenever any object is added, removed or rewritten.
      const signature = `${entry.objects.length}:${contentFingerprint({ prefix, version, root: `${key}/` }, entry.objects)}`;
      if (findDataYamlKey('', entry.keys).key === undefined) {
        observations.push({ key, signature, complete: false, reason: 'no data.yaml yet' });
        continue;
      }
      const completeness = await checkDatasetComplete(store, { bucket, prefix: `${key}/` });
      observations.push({ key, signature, complete: completeness.complete, reason: completeness.reason });
    }
  }
  return observations;
}

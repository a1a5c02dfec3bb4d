import { checkDatasetComplete, findDataYamlKey } from '../../core/dataset/index.ts';
import { DEFAULT_LABEL_FORMAT } from '../../core/dataset/label-formats.ts';
import type { ObjectInfo, ObjectStore } from '../../core/storage/object-store.ts';
import { contentFingerprint } from '../../core/trigger/fingerprint.ts';
import { detectStoredLabelFormat } from '../../core/trigger/stored-label-format.ts';
import { TRIGGER_PREFIXES, versionAnchor, versionKind } from '../../core/trigger/version-kind.ts';
import type { VersionObservation } from './watch-decisions.ts';

/**
 * Lists the prefixes once and describes each version: the folder directly under a prefix.
 * - A dataset version with no data.yaml where the dataset contract looks for one (data.yaml or data.yml, at the
 *   top or one folder down) is incomplete without further reads; with one, the completeness check (data.yaml
 *   parses, every declared split has images) decides. Its InputFormat is yolo.
 * - A labelled-data version (labeled-data/) is incomplete until it holds an annotation file, as on S3; then its
 *   format is told as the S3 trigger tells it (the first bytes of its .json files), and a folder whose format
 *   cannot be told stays incomplete, with the reason saying what was found and what to upload.
 */
export async function scanDatasetVersions(store: ObjectStore, bucket: string, prefixes: readonly string[] = TRIGGER_PREFIXES): Promise<VersionObservation[]> {
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
      const root = `${key}/`;
      // The S3 trigger's content fingerprint: a version changes whenever any object is added, removed or rewritten.
      const signature = `${entry.objects.length}:${contentFingerprint({ prefix, version, root }, entry.objects)}`;
      if (versionKind({ prefix }) === 'labelled-data') {
        const anchor = versionAnchor({ prefix });
        if (anchor.find(root, entry.objects.map((o) => o.key)) === undefined) {
          observations.push({ key, signature, complete: false, reason: 'no annotation file yet' });
          continue;
        }
        const detection = await detectStoredLabelFormat(store, bucket, root, entry.objects);
        observations.push(
          detection.kind === 'detected'
            ? { key, signature, complete: true, reason: detection.summary, inputFormat: detection.format }
            : { key, signature, complete: false, reason: `${detection.problem}; ${detection.fix}` },
        );
        continue;
      }
      if (findDataYamlKey('', entry.keys).key === undefined) {
        observations.push({ key, signature, complete: false, reason: 'no data.yaml yet' });
        continue;
      }
      const completeness = await checkDatasetComplete(store, { bucket, prefix: root });
      observations.push({ key, signature, complete: completeness.complete, reason: completeness.reason, inputFormat: DEFAULT_LABEL_FORMAT });
    }
  }
  return observations;
}

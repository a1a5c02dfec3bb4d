import type { ModelVersionRecord } from '../../core/registry/model-version.ts';

/** Which registered version to serve, and what to tell the person about it. */
export type ServedVersionChoice =
  | { kind: 'chosen'; record: ModelVersionRecord; /** Set when the version is not Approved: serving it is allowed, but worth a word. */ note?: string }
  | { kind: 'none-approved'; message: string }
  | { kind: 'not-found'; message: string };

/**
 * Without a version, the newest Approved one (what a deployment would serve); a version named explicitly is
 * served whatever its status, with a note when it is not Approved, so a candidate can be tried before approval.
 */
export function chooseServedVersion(group: string, versions: readonly ModelVersionRecord[], requested?: number): ServedVersionChoice {
  if (requested !== undefined) {
    const record = versions.find((v) => v.version === requested);
    if (!record) return { kind: 'not-found', message: `model ${group} version ${requested} does not exist in the local registry: yolops models list shows the versions there are` };
    if (record.approvalStatus === 'Approved') return { kind: 'chosen', record };
    return { kind: 'chosen', record, note: `version ${requested} is ${record.approvalStatus}, not Approved: serving it anyway because it was named` };
  }
  const approved = versions.filter((v) => v.approvalStatus === 'Approved').sort((a, b) => a.version - b.version).at(-1);
  if (approved) return { kind: 'chosen', record: approved };
  const newest = [...versions].sort((a, b) => a.version - b.version).at(-1);
  const how = newest
    ? `approve one with \`yolops models approve <version>\` (the newest is ${newest.version}, ${newest.approvalStatus}), or name a version: \`yolops serve ${newest.version}\``
    : 'train one first with `yolops run --dataset <dir>`, then approve it with `yolops models approve <version>`';
  return { kind: 'none-approved', message: `no Approved version of ${group} in the local registry to serve: ${how}` };
}

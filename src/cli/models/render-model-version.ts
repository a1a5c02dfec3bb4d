import type { ModelVersionRecord } from '../../core/registry/model-version.ts';
import { table } from '../output.ts';

const metricLabel = (name: string): string => (name === 'mAP50_95' ? 'mAP50-95' : name);

/** One version in full: artifact, metrics, lineage and the decisions taken on it. */
export function formatVersion(v: ModelVersionRecord): string {
  const lines = [
    `${v.modelPackageGroupName} version ${v.version}: ${v.approvalStatus}`,
    `  artifact:  ${v.artifactUri}`,
    `  metrics:   ${Object.entries(v.metrics).map(([k, n]) => `${metricLabel(k)} ${n.toFixed(4)}`).join(', ') || '-'}`,
    `  lineage:   execution ${v.lineage.executionId ?? '-'}, dataset ${v.lineage.datasetUri ?? '-'}, code ${v.lineage.codeVersion ?? '-'}`,
    `  created:   ${v.createdAt}`,
  ];
  if (v.approvalDescription) lines.push(`  decision:  ${v.approvalDescription}`);
  for (const change of v.approvalHistory) lines.push(`  ${change.at}: ${change.from} -> ${change.to} by ${change.by}${change.reason ? ` (${change.reason})` : ''}`);
  return lines.join('\n');
}

/** Versions as a table, in the order given. */
export function versionsTable(versions: readonly ModelVersionRecord[]): string {
  return table(
    ['version', 'status', 'mAP50-95', 'mAP50', 'created', 'execution'],
    versions.map((v) => [String(v.version), v.approvalStatus, v.metrics['mAP50_95']?.toFixed(4) ?? '-', v.metrics['mAP50']?.toFixed(4) ?? '-', v.createdAt.replace('T', ' ').slice(0, 19), v.lineage.executionId ?? '-']),
  );
}

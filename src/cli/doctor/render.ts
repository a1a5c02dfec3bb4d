import { table } from '../output.ts';
import { countByStatus, type Finding } from './finding.ts';

/** Findings as a table, each fix on the line below its finding, and the counts at the end. */
export function renderFindings(findings: readonly Finding[]): string {
  const rows = findings.flatMap((f) => [[f.status, f.check, f.detail], ...(f.fix ? [['', '', `-> ${f.fix}`]] : [])]);
  const counts = countByStatus(findings);
  return `${table(['status', 'check', 'finding'], rows)}\n\n${counts.ok} ok, ${counts.warn} warn, ${counts.fail} fail\n`;
}

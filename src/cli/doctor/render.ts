import { table } from '../output.ts';
import { countByStatus, type Finding } from './finding.ts';

/** Findings as a table, each fix on the line below its finding (outside the column widths), and the counts at the end. */
export function renderFindings(findings: readonly Finding[]): string {
  const [header = '', rule = '', ...rows] = table(['status', 'check', 'finding'], findings.map((f) => [f.status, f.check, f.detail])).split('\n');
  const indent = ' '.repeat(rule.lastIndexOf(' ') + 1);
  const lines = [header, rule, ...rows.flatMap((row, i) => [row, ...(findings[i]?.fix ? [`${indent}-> ${findings[i]?.fix}`] : [])])];
  const counts = countByStatus(findings);
  return `${lines.join('\n')}\n\n${counts.ok} ok, ${counts.warn} warn, ${counts.fail} fail\n`;
}

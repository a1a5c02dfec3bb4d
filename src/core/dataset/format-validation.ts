import type { DatasetValidation } from './validation-result.ts';

/**
 * The validation as text for a terminal: one line per problem in `file:line` form (editors and CI logs make
 * those clickable), its fix indented below, then the summary. `--json` prints the result object instead.
 */
export function formatValidation(result: DatasetValidation): string {
  const lines: string[] = [];
  const verdict = result.valid ? 'valid' : 'NOT valid';
  lines.push(`${result.dataset.uri}: ${verdict} (${plural(result.errors, 'error')}, ${plural(result.warnings, 'warning')})`);
  for (const problem of result.problems) {
    const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
    lines.push(`${problem.severity.padEnd(7)} ${where}: ${problem.message} [${problem.code}]`);
    for (const hintLine of problem.hint.split('\n')) lines.push(`        fix: ${hintLine}`);
  }
  for (const omitted of result.omitted) lines.push(`        ... and ${plural(omitted.count, `more ${omitted.code} ${omitted.severity}`)}`);

  const { summary } = result;
  if (summary.splits.length > 0) {
    lines.push('');
    for (const split of summary.splits) {
      lines.push(`${split.split.padEnd(5)} ${plural(split.images, 'image')}, ${plural(split.labelFiles, 'label file')}, ${plural(split.backgroundImages, 'background image')}, ${plural(split.boxes, 'box', 'boxes')}`);
    }
    const classes = summary.classes.map((c) => `${c.name} ${c.boxes}`).join(', ');
    if (classes) lines.push(`boxes per class: ${classes}`);
  }
  return lines.join('\n');
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

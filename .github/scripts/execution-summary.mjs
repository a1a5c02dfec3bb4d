// Reads what `yolops pipeline start --json` printed (a file) and tells GitHub about it: the execution ARN as the
// step output `execution-arn` ($GITHUB_OUTPUT), and a short Markdown summary of the run ($GITHUB_STEP_SUMMARY).
// Plain JavaScript for whatever Node.js the runner has; no dependencies.
import { appendFileSync, readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node execution-summary.mjs <pipeline-start.json>');
  process.exit(2);
}

let started;
try {
  started = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`execution-summary: cannot read ${file} as JSON: ${error.message}`);
  process.exit(1);
}
if (started === null || typeof started !== 'object' || typeof started.executionArn !== 'string' || started.executionArn === '') {
  console.error(`execution-summary: ${file} has no executionArn; it holds ${JSON.stringify(started).slice(0, 200)}`);
  process.exit(1);
}

/** The parameters as name/value pairs, whether given as an object or as SageMaker's [{ Name, Value }] list. */
function parameterPairs(parameters) {
  if (Array.isArray(parameters)) return parameters.map((p) => [String(p.Name ?? p.name), String(p.Value ?? p.value)]);
  if (parameters !== null && typeof parameters === 'object') return Object.entries(parameters).map(([name, value]) => [name, String(value)]);
  return [];
}

/** A value inside a Markdown table cell: no line breaks, no column separators. */
const cell = (value) => String(value).replaceAll('|', '\\|').replace(/\s+/g, ' ');

const lines = [
  '### Training pipeline execution started',
  '',
  `- Execution: \`${cell(started.executionArn)}\``,
  ...(typeof started.displayName === 'string' ? [`- Name: ${cell(started.displayName)}`] : []),
  ...(typeof started.consoleUrl === 'string' ? [`- Console: [open in the SageMaker console](${started.consoleUrl})`] : []),
];
const pairs = parameterPairs(started.parameters);
if (pairs.length > 0) lines.push('', '| Parameter | Value |', '| --- | --- |', ...pairs.map(([name, value]) => `| ${cell(name)} | ${cell(value)} |`));

const output = process.env.GITHUB_OUTPUT;
const summary = process.env.GITHUB_STEP_SUMMARY;
if (output) appendFileSync(output, `execution-arn=${started.executionArn}\n`);
if (summary) appendFileSync(summary, `${lines.join('\n')}\n`);
else console.log(lines.join('\n'));

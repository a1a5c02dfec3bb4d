import { table } from '../output.ts';
import type { ConfigReport } from './config-report.ts';

const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

function keyValues(entries: [string, unknown][]): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `${key.padEnd(width)}  ${show(value)}`).join('\n');
}

/** The report as sections of aligned key/value lines. */
export function renderConfigReport(report: ConfigReport): string {
  const overridden = new Set(report.target === 'local' ? Object.keys(report.trainingConfig.local_overrides) : []);
  const training = Object.entries(report.effectiveTrainingConfig)
    .filter(([key]) => key !== 'local_overrides')
    .map(([key, value]): [string, unknown] => [key, overridden.has(key) ? `${show(value)}  (local_overrides; ${show(report.trainingConfig[key as keyof typeof report.trainingConfig])} on aws)` : value]);
  const sections: [string, string][] = [
    ['target', report.target],
    ['files', keyValues(Object.entries(report.files))],
    ['cdk.json context', keyValues(Object.entries(report.cdkContext))],
    [`training-config.json${report.target === 'local' ? ' (as local runs use it)' : ''}`, keyValues(training)],
    ['resource names', keyValues(Object.entries(report.resourceNames))],
    [
      'pipeline parameters (defaults)',
      table(
        ['name', 'type', 'default'],
        report.pipelineParameters.map((p) => [p.Name, p.Type, p.DefaultValue === undefined ? '(set per execution)' : JSON.stringify(p.DefaultValue)]),
      ),
    ],
  ];
  const { aws } = report;
  if (aws) {
    const region = 'problem' in aws.region ? `problem: ${aws.region.problem}` : `${aws.region.value} (from ${aws.region.source})`;
    const caller = aws.caller.available
      ? `${aws.caller.value.arn} (account ${aws.caller.value.account}${aws.caller.value.matchesCdkJson ? ', as in cdk.json' : `, NOT cdk.json's ${aws.configuredAccount}`})`
      : `unknown (needs credentials: ${aws.caller.reason})`;
    sections.push(['aws', keyValues([['region', region], ...(aws.endpoint ? ([['endpoint', `${aws.endpoint} (AWS_ENDPOINT_URL)`]] as [string, unknown][]) : []), ['account (cdk.json)', aws.configuredAccount], ['credentials', caller]])]);
  }
  return `${sections.map(([title, body]) => (title === 'target' ? `target: ${body}` : `${title}:\n${indent(body)}`)).join('\n\n')}\n`;
}

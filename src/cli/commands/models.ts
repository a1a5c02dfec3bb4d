import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { resourceNames } from '../../core/naming.ts';
import type { ModelVersionRecord } from '../../core/registry/model-version.ts';
import { localLayout, LocalModelRegistry } from '../../local/index.ts';
import { printJson, table } from '../output.ts';
import { integerOption } from '../options.ts';
import { loadProjectConfig } from '../project.ts';
import type { CliContext } from '../context.ts';

function formatVersion(v: ModelVersionRecord): string {
  const lines = [
    `${v.modelPackageGroupName} version ${v.version}: ${v.approvalStatus}`,
    `  artifact:  ${v.artifactUri}`,
    `  metrics:   ${Object.entries(v.metrics).map(([k, n]) => `${k === 'mAP50_95' ? 'mAP50-95' : k} ${n.toFixed(4)}`).join(', ') || '-'}`,
    `  lineage:   execution ${v.lineage.executionId ?? '-'}, dataset ${v.lineage.datasetUri ?? '-'}, code ${v.lineage.codeVersion ?? '-'}`,
    `  created:   ${v.createdAt}`,
  ];
  if (v.approvalDescription) lines.push(`  decision:  ${v.approvalDescription}`);
  for (const change of v.approvalHistory) lines.push(`  ${change.at}: ${change.from} -> ${change.to} by ${change.by}${change.reason ? ` (${change.reason})` : ''}`);
  return lines.join('\n');
}

export function registerModelsCommands(program: Command, ctx: CliContext): void {
  const project = ctx.project;
  const models = program.command('models').description('the local model registry (versions, metrics, approval)');
  const open = (): { registry: LocalModelRegistry; group: string } => {
    const p = project();
    return { registry: new LocalModelRegistry(localLayout(p.localRoot).registry), group: resourceNames(loadProjectConfig(p).context).modelPackageGroup };
  };

  models
    .command('list')
    .description('versions of the model package group, newest first')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const { registry, group } = open();
      const versions = (await registry.list(group)).sort((a, b) => b.version - a.version);
      if (options.json) return printJson(versions);
      if (versions.length === 0) return void process.stdout.write(`no versions in ${group} yet\n`);
      process.stdout.write(
        `${table(
          ['version', 'status', 'mAP50-95', 'mAP50', 'created', 'execution'],
          versions.map((v) => [String(v.version), v.approvalStatus, v.metrics['mAP50_95']?.toFixed(4) ?? '-', v.metrics['mAP50']?.toFixed(4) ?? '-', v.createdAt.replace('T', ' ').slice(0, 19), v.lineage.executionId ?? '-']),
        )}\n`,
      );
    });

  models
    .command('show')
    .description('one version: artifact, metrics, lineage, approval history')
    .argument('<version>', 'version number', integerOption('<version>', 1))
    .option('--json', 'print it as JSON')
    .action(async (version: number, options: { json?: boolean }) => {
      const { registry, group } = open();
      const v = await registry.get(group, version);
      if (options.json) printJson(v);
      else process.stdout.write(`${formatVersion(v)}\n`);
    });

  for (const action of ['approve', 'reject'] as const) {
    models
      .command(action)
      .description(`${action} a version (records who, when and why)`)
      .argument('<version>', 'version number', integerOption('<version>', 1))
      .option('--reason <text>', 'why, kept in the approval history')
      .option('--json', 'print the updated version as JSON')
      .action(async (version: number, options: { reason?: string; json?: boolean }) => {
        const { registry, group } = open();
        const input = { by: userInfo().username, ...(options.reason ? { reason: options.reason } : {}) };
        const v = await (action === 'approve' ? registry.approve(group, version, input) : registry.reject(group, version, input));
        if (options.json) printJson(v);
        else process.stdout.write(`${group} version ${v.version}: ${v.approvalStatus}\n`);
      });
  }
}

import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { downloadArtifact } from '../models/download-artifact.ts';
import { openModelRegistry, withVersion } from '../models/registry-access.ts';
import { formatVersion, versionsTable } from '../models/render-model-version.ts';
import { integerOption } from '../options.ts';
import { printJson } from '../output.ts';

export function registerModelsCommands(program: Command, ctx: CliContext): void {
  const models = program.command('models').description('the model registry of the target (versions, metrics, approval, artifacts): local, or SageMaker with --target aws');

  models
    .command('list')
    .description('versions of the model package group, newest first')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const { registry, group } = await openModelRegistry(ctx);
      const versions = (await registry.list(group)).sort((a, b) => b.version - a.version);
      if (options.json) return printJson(versions);
      if (versions.length === 0) return void process.stdout.write(`no versions in ${group} yet\n`);
      process.stdout.write(`${versionsTable(versions)}\n`);
    });

  models
    .command('show')
    .description('one version: artifact, metrics, lineage, approval history')
    .argument('<version>', 'version number', integerOption('<version>', 1))
    .option('--json', 'print it as JSON')
    .action(async (version: number, options: { json?: boolean }) => {
      const access = await openModelRegistry(ctx);
      const v = await withVersion(access, version, () => access.registry.get(access.group, version));
      if (options.json) printJson(v);
      else process.stdout.write(`${formatVersion(v)}\n`);
    });

  for (const action of ['approve', 'reject'] as const) {
    models
      .command(action)
      .description(`${action} a version (records when and why; locally also who)`)
      .argument('<version>', 'version number', integerOption('<version>', 1))
      .option('--reason <text>', 'why: the approval history locally, ApprovalDescription on SageMaker')
      .option('--json', 'print the updated version as JSON')
      .action(async (version: number, options: { reason?: string; json?: boolean }) => {
        const access = await openModelRegistry(ctx);
        const { registry, group } = access;
        const input = { by: userInfo().username, ...(options.reason ? { reason: options.reason } : {}) };
        const v = await withVersion(access, version, () => (action === 'approve' ? registry.approve(group, version, input) : registry.reject(group, version, input)));
        if (options.json) printJson(v);
        else process.stdout.write(`${group} version ${v.version}: ${v.approvalStatus}\n`);
      });
  }

  models
    .command('download')
    .description("download a version's model.tar.gz into a new folder (nothing is overwritten)")
    .argument('<version>', 'version number', integerOption('<version>', 1))
    .argument('[dir]', 'the folder to create (default: ./<group>-v<version>); an existing one must be empty')
    .option('--extract', 'also unpack it into <dir>/model/ (best.pt, last.pt, results.csv, ...)')
    .option('--json', 'print what was written as JSON')
    .action(async (version: number, dir: string | undefined, options: { extract?: boolean; json?: boolean }) => {
      const access = await openModelRegistry(ctx);
      const v = await withVersion(access, version, () => access.registry.get(access.group, version));
      const result = await downloadArtifact(access.store, v.artifactUri, dir ?? `${access.group}-v${version}`, { extract: options.extract === true });
      if (options.json) return printJson({ modelPackageGroupName: v.modelPackageGroupName, version: v.version, artifactUri: v.artifactUri, ...result });
      const lines = [`${v.modelPackageGroupName} version ${v.version}: ${result.file} (${result.bytes} bytes)`];
      if (result.extracted) {
        const best = result.extracted.files.find((f) => f === 'best.pt' || f.endsWith('/best.pt'));
        lines.push(`  unpacked ${result.extracted.files.length} files into ${result.extracted.dir}${best ? `; weights: ${result.extracted.dir}/${best}` : ''}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}

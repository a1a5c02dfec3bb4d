import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { promoteOnAwsTarget, stagesOnAwsTarget } from '../models/aws-stages.ts';
import { downloadArtifact } from '../models/download-artifact.ts';
import { localStageViews, noteStagesNaming, pointStagingAt, promoteLocally, stageChangeLine, waitForLocalFollowers } from '../models/local-stage-changes.ts';
import { openModelRegistry, withVersion } from '../models/registry-access.ts';
import { formatVersion, versionsTable } from '../models/render-model-version.ts';
import { stagesTable } from '../models/stages-view.ts';
import { CliError } from '../errors.ts';
import { integerOption } from '../options.ts';
import { info, printJson } from '../output.ts';

/** How long `promote --wait` waits locally: a model server's start timeout (180 s) and a margin. */
const LOCAL_WAIT_MS = 240_000;

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
    const command = models
      .command(action)
      .description(`${action} a version (records when and why; locally also who)${action === 'approve' ? '; locally it then points the staging stage at it' : ''}`)
      .argument('<version>', 'version number', integerOption('<version>', 1))
      .option('--reason <text>', 'why: the approval history locally, ApprovalDescription on SageMaker')
      .option('--json', 'print the updated version as JSON');
    if (action === 'approve') command.option('--no-deploy', 'local target: approve only, leave the staging stage as it is');
    command.action(async (version: number, options: { reason?: string; json?: boolean; deploy?: boolean }) => {
      const access = await openModelRegistry(ctx);
      const { registry, group } = access;
      // On AWS the deployer reacts to the approval itself; a flag it would not see must not look honoured.
      if (options.deploy === false && access.target === 'aws') throw new CliError('--no-deploy is for the local target (its staging stage); leave it out with --target aws');
      const input = { by: userInfo().username, ...(options.reason ? { reason: options.reason } : {}) };
      const v = await withVersion(access, version, () => (action === 'approve' ? registry.approve(group, version, input) : registry.reject(group, version, input)));
      if (options.json) printJson(v);
      else process.stdout.write(`${group} version ${v.version}: ${v.approvalStatus}\n`);
      if (access.target !== 'local') return;
      if (action === 'reject') return noteStagesNaming(ctx, version);
      if (options.deploy === false) return;
      const line = stageChangeLine('staging', await pointStagingAt(ctx, access, version, input));
      // --json keeps stdout one JSON document: the stage line goes to stderr then.
      if (options.json) info(line);
      else process.stdout.write(`${line}\n`);
    });
  }

  models
    .command('promote')
    .description('point production at an Approved version: the local production stage, or (--target aws) the production endpoint')
    .argument('<version>', 'version number (must be Approved)', integerOption('<version>', 1))
    .option('--reason <text>', "why: kept in the stage's history")
    .option('--wait', 'wait until production serves it (locally: every `yolops serve --stage production` has switched)')
    .option('--json', 'print the stage change as JSON')
    .action(async (version: number, options: { reason?: string; wait?: boolean; json?: boolean }) => {
      if (ctx.target() === 'aws') return promoteOnAwsTarget(ctx, version, { wait: options.wait === true, json: options.json === true });
      const access = await openModelRegistry(ctx);
      const update = await promoteLocally(ctx, access, version, { by: userInfo().username, ...(options.reason ? { reason: options.reason } : {}) });
      if (options.json) printJson({ stage: 'production', version: update.record.version, changed: update.kind === 'changed', previousVersion: update.kind === 'changed' ? update.previousVersion : update.record.version, record: update.record });
      else process.stdout.write(`${stageChangeLine('production', update)}\n`);
      if (options.wait) await waitForLocalFollowers(ctx, 'production', version, LOCAL_WAIT_MS);
    });

  // `models stages` rather than a top-level `endpoints`: a local stage is a record of which version each stage
  // names (a server may or may not follow it), changed by `models approve` and `models promote` beside it.
  models
    .command('stages')
    .description('the deployment stages (staging, production): locally the version each names, since when, and whether a local server serves it; with --target aws what each endpoint serves')
    .option('--json', 'print them as JSON (with each stage\'s history of changes)')
    .action(async (options: { json?: boolean }) => {
      if (ctx.target() === 'aws') return stagesOnAwsTarget(ctx, { json: options.json === true });
      const views = await localStageViews(ctx);
      if (options.json) return printJson(views.map(({ stage, record, followers }) => ({ stage, record: record ?? null, servedBy: followers })));
      process.stdout.write(`${stagesTable(views)}\n`);
    });

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

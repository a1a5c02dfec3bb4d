import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resourceNames } from '../../core/naming.ts';
import { buildCodeBundle } from '../../local/index.ts';
import { CliError } from '../errors.ts';
import { printJson } from '../output.ts';
import { loadProjectConfig } from '../project.ts';
import type { CliContext } from '../context.ts';

export function registerCodeCommands(program: Command, ctx: CliContext): void {
  const project = ctx.project;
  const code = program.command('code').description('the training code the pipeline runs (training/)');
  code
    .command('bundle')
    .description('pack training/ as SageMaker script mode takes it (sourcedir.tar.gz + processing_entrypoint.sh) into <dir>, named by its content version')
    .argument('<dir>', 'an empty or new directory')
    .option('--json', 'print version and files as JSON')
    .action(async (dir: string, options: { json?: boolean }) => {
      const target = resolve(dir);
      if (existsSync(target) && readdirSync(target).length > 0) throw new CliError(`${target} is not empty: choose a new directory`);
      const p = project();
      const bundle = await buildCodeBundle(p.trainingCodeDir, target);
      const bucket = resourceNames(loadProjectConfig(p).context).trainingDataBucket;
      const codeUri = `s3://${bucket}/code/${bundle.version}/`;
      if (options.json) return printJson({ ...bundle, codeUri });
      process.stdout.write(
        `code version ${bundle.version} (${bundle.files.length} files) in ${target}\n` +
          `upload:  aws s3 cp --recursive ${target} ${codeUri}\n` +
          `then start executions with  Name=CodeUri,Value=${codeUri} Name=CodeVersion,Value=${bundle.version}\n`,
      );
    });
}

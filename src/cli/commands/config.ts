import type { Command } from 'commander';
import { buildConfigReport } from '../config/config-report.ts';
import { renderConfigReport } from '../config/render-config-report.ts';
import type { CliContext } from '../context.ts';
import { printJson } from '../output.ts';

export function registerConfigCommands(program: Command, ctx: CliContext): void {
  const config = program.command('config').description('the configuration as yolops resolves it');
  config
    .command('show')
    .description('the target, cdk.json context and training-config.json (validated), every resource name, the pipeline parameters\' defaults; for aws also the region and account in use')
    .option('--json', 'print it as JSON')
    .action(async (options: { json?: boolean }) => {
      const report = await buildConfigReport({ project: ctx.project(), target: ctx.target(), env: process.env, openSession: ctx.aws });
      if (options.json) printJson(report);
      else process.stdout.write(renderConfigReport(report));
    });
}

import type { Command } from 'commander';
import { chooseServedVersion, localLayout, pythonEnvironment, REPO_ROOT, serveVersionLocally } from '../../local/index.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { openModelRegistry } from '../models/registry-access.ts';
import { integerOption } from '../options.ts';
import { info } from '../output.ts';

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve a registered version of the local registry (SageMaker hosting contract: /ping, /invocations) until Ctrl-C')
    .argument('[version]', 'version number (default: the newest Approved one); any status when named', integerOption('[version]', 1))
    .option('--port <n>', 'port (default: a free one)', integerOption('--port', 1))
    .option('--host <address>', 'address to bind; another machine can reach it only when you open it up, e.g. 0.0.0.0', '127.0.0.1')
    .action(async (version: number | undefined, options: { port?: number; host: string }) => {
      if (ctx.target() === 'aws') throw new CliError('serving on AWS (a SageMaker endpoint) is not built yet: `yolops serve` serves a version of the local registry (leave out --target aws)');
      const { registry, group } = await openModelRegistry(ctx);
      const choice = chooseServedVersion(group, await registry.list(group), version);
      if (choice.kind !== 'chosen') throw new CliError(choice.message);
      const { record } = choice;
      if (choice.note) info(`note: ${choice.note}`);
      const project = ctx.project();
      info(`starting the model server for ${group} version ${record.version} (it answers once the model is loaded) ...`);
      const server = await serveVersionLocally(record, {
        layout: localLayout(project.localRoot),
        python: pythonEnvironment(`${REPO_ROOT}/.venv`),
        trainingDir: project.trainingCodeDir,
        host: options.host,
        ...(options.port ? { port: options.port } : {}),
      });
      process.stdout.write(`serving ${group} version ${record.version} (${record.approvalStatus}) at ${server.endpoint}\n`);
      info(`try it: yolops predict <image> --endpoint ${server.endpoint}; server log: ${server.logFile}; Ctrl-C stops it`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.stop();
    });
}

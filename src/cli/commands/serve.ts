import type { Command } from 'commander';
import type { ModelVersionRecord } from '../../core/registry/model-version.ts';
import { chooseServedVersion, followStage, localLayout, LocalStageStore, ModelLoadError, pythonEnvironment, REPO_ROOT, serveVersionLocally, type FollowEvent, type LocalStage, type ModelServer } from '../../local/index.ts';
import type { CliContext } from '../context.ts';
import { CliError, EXIT } from '../errors.ts';
import { stageOption } from '../models/local-stages.ts';
import { openModelRegistry } from '../models/registry-access.ts';
import { integerOption } from '../options.ts';
import { info } from '../output.ts';

interface ServeOptions {
  port?: number;
  host: string;
  stage?: LocalStage;
}

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve a registered version of the local registry (SageMaker hosting contract: /ping, /invocations) until Ctrl-C')
    .argument('[version]', 'version number (default: the newest Approved one); any status when named', integerOption('[version]', 1))
    .option('--stage <stage>', 'serve what the local stage (staging or production) names, and switch to each version it names next without refusing a request', stageOption)
    .option('--port <n>', 'port (default: a free one); with --stage the stable port in front of the model server', integerOption('--port', 1))
    .option('--host <address>', 'address to bind; another machine can reach it only when you open it up, e.g. 0.0.0.0', '127.0.0.1')
    .action(async (version: number | undefined, options: ServeOptions) => {
      if (ctx.target() === 'aws') throw new CliError('`yolops serve` runs a server on this machine (leave out --target aws); on AWS, approving a version deploys it to the staging endpoint, `yolops models promote <version> --target aws` to production, and `yolops predict --target aws --stage staging|production` sends images to them');
      if (options.stage && version !== undefined) throw new CliError(`name a version or --stage, not both: --stage ${options.stage} serves the version the stage names (yolops models stages shows it)`);
      const { registry, group } = await openModelRegistry(ctx);
      const project = ctx.project();
      const layout = localLayout(project.localRoot);
      const startServer = (record: ModelVersionRecord, serverOptions: { host?: string; port?: number } = {}): Promise<ModelServer> =>
        serveVersionLocally(record, { layout, python: pythonEnvironment(`${REPO_ROOT}/.venv`), trainingDir: project.trainingCodeDir, ...serverOptions }).catch((error: unknown) => {
          // The model itself is at fault: the thing asked for ran and failed (exit 1), with the server's reason.
          throw error instanceof ModelLoadError ? new CliError(error.message, { exitCode: EXIT.failed, cause: error }) : error;
        });

      if (options.stage) {
        const stage = options.stage;
        let first = true;
        const follower = await followStage({
          stage,
          stages: new LocalStageStore(layout.stages),
          registry,
          group,
          startServer: (record) => {
            // Later starts are told by the follower's own events.
            if (first) info(`starting the model server for the ${stage} stage, ${group} version ${record.version} (it answers once the model is loaded) ...`);
            first = false;
            return startServer(record);
          },
          host: options.host,
          ...(options.port ? { port: options.port } : {}),
          onEvent: (event) => reportFollowEvent(stage, event),
        });
        process.stdout.write(`serving the ${stage} stage (${group} version ${follower.version()}) at ${follower.endpoint}; it follows the stage\n`);
        info(`try it: yolops predict <image> --endpoint ${follower.endpoint}; answers name their version in the x-yolops-model-version header; Ctrl-C stops it`);
        await untilStopped(follower.died, () => follower.stop());
        return;
      }

      const choice = chooseServedVersion(group, await registry.list(group), version);
      if (choice.kind !== 'chosen') throw new CliError(choice.message);
      const { record } = choice;
      if (choice.note) info(`note: ${choice.note}`);
      info(`starting the model server for ${group} version ${record.version} (it answers once the model is loaded) ...`);
      const server = await startServer(record, { host: options.host, ...(options.port ? { port: options.port } : {}) });
      process.stdout.write(`serving ${group} version ${record.version} (${record.approvalStatus}) at ${server.endpoint}\n`);
      info(`try it: yolops predict <image> --endpoint ${server.endpoint}; server log: ${server.logFile}; Ctrl-C stops it`);
      await untilStopped(server.died, () => server.stop());
    });
}

/**
 * Waits for Ctrl-C or SIGTERM, then stops; a server that exits on its own meanwhile ends the command with
 * exit 1 and the tail of its log (the stop still runs, for the proxy and any server left).
 */
async function untilStopped(died: Promise<string>, stop: () => Promise<void>): Promise<void> {
  const outcome = await new Promise<{ died: string } | undefined>((resolve) => {
    process.once('SIGINT', () => resolve(undefined));
    process.once('SIGTERM', () => resolve(undefined));
    void died.then((message) => resolve({ died: message }));
  });
  await stop();
  if (outcome) throw new CliError(outcome.died, { exitCode: EXIT.failed });
}

/** A switch is news on stdout (one line a script can wait for); problems go to stderr. */
function reportFollowEvent(stage: LocalStage, event: FollowEvent): void {
  switch (event.kind) {
    case 'starting':
      return info(`the ${stage} stage now names version ${event.to}: starting its server beside version ${event.from} ...`);
    case 'switched':
      return void process.stdout.write(`${stage}: switched from version ${event.from} to version ${event.to}\n`);
    case 'switch-failed':
      return info(`yolops: the ${stage} stage names version ${event.to}, but its server did not start, so version ${event.still} keeps serving: ${event.reason}`);
    case 'record-problem':
      return info(`yolops: ${event.reason}`);
  }
}

import type { Command } from 'commander';
import { resourceNames } from '../../core/naming.ts';
import { localLayout, pythonEnvironment, REPO_ROOT, startMlflowServer } from '../../local/index.ts';
import { info } from '../output.ts';
import { integerOption } from '../options.ts';
import { loadProjectConfig, type Project } from '../project.ts';

export function registerMlflowCommand(program: Command, project: () => Project): void {
  program
    .command('mlflow')
    .description('serve the local MLflow UI over the runs of every local execution, until Ctrl-C')
    .option('--port <n>', 'port on 127.0.0.1 (default: a free one)', integerOption('--port', 1))
    .action(async (options: { port?: number }) => {
      const p = project();
      const layout = localLayout(p.localRoot);
      const bucket = resourceNames(loadProjectConfig(p).context).mlflowArtifactsBucket;
      const server = await startMlflowServer({
        python: pythonEnvironment(`${REPO_ROOT}/.venv`),
        backendStoreDb: layout.mlflowDb,
        artifactsDir: `${layout.buckets}/${bucket}`,
        ...(options.port ? { port: options.port } : {}),
      });
      info(`MLflow UI: ${server.url} (Ctrl-C stops it)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.stop();
    });
}

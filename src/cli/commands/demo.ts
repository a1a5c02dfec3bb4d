import type { Command } from 'commander';
import { synthesizeDataset } from '../../core/dataset/index.ts';
import { resourceNames } from '../../core/naming.ts';
import { formatS3Uri } from '../../core/storage/s3-uri.ts';
import { FolderObjectStore } from '../../local/folder-object-store.ts';
import { localLayout } from '../../local/index.ts';
import { EXIT } from '../errors.ts';
import { formatSeconds, info } from '../output.ts';
import { integerOption } from '../options.ts';
import { loadProjectConfig, type Project } from '../project.ts';
import { buildExecutionReport, formatExecutionReport } from '../render/execution-report.ts';
import { runLocally } from './run.ts';

export function registerDemoCommand(program: Command, project: () => Project): void {
  program
    .command('demo')
    .description('generate the sample dataset into the local training-data bucket (sample_dataset/) and run the whole pipeline on it')
    .option('--seed <n>', 'dataset seed', integerOption('--seed', 0), 0)
    .action(async (options: { seed: number }) => {
      const started = Date.now();
      const p = project();
      const { context } = loadProjectConfig(p);
      const layout = localLayout(p.localRoot);
      const bucket = resourceNames(context).trainingDataBucket;
      const store = new FolderObjectStore({ root: layout.buckets });
      await store.createBucket(bucket);

      const version = `demo-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}`;
      const prefix = `sample_dataset/${version}/`;
      const dataset = await synthesizeDataset({ store, bucket, prefix, seed: options.seed });
      info(`sample dataset: ${dataset.files} files (${dataset.names.join(', ')}) -> ${formatS3Uri(bucket, prefix)}`);
      info(`  (folder ${store.objectPath(bucket, prefix.slice(0, -1))})`);

      const record = await runLocally(p, { inputDataUri: dataset.uri, parameters: {} });
      const report = await buildExecutionReport(p.localRoot, record);
      info('');
      process.stdout.write(`${formatExecutionReport(report)}\n`);
      process.stdout.write(
        `\nbrowse the MLflow run: npx yolops mlflow   (the demo's server stopped with it; this serves the same store)\n` +
          `list runs and models:  npx yolops runs list; npx yolops models list\n` +
          `demo wall time: ${formatSeconds((Date.now() - started) / 1000)}\n`,
      );
      if (!record.registeredModel) process.exitCode = EXIT.failed;
    });
}

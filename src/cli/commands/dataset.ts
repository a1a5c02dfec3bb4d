import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { synthesizeDataset } from '../../core/dataset/index.ts';
import { openDirectoryAsBucket, validateDirectory } from '../directory-store.ts';
import { CliError, EXIT } from '../errors.ts';
import { info, printJson } from '../output.ts';
import { integerOption } from '../options.ts';
import type { CliContext } from '../context.ts';

export function registerDatasetCommands(program: Command, _ctx: CliContext): void {
  const dataset = program.command('dataset').description('YOLO datasets: generate a synthetic one, validate one');

  dataset
    .command('synth')
    .description('write a seeded synthetic detection dataset (shapes on noise, train/val, YOLO layout) into <dir>')
    .argument('<dir>', 'an empty or new directory')
    .option('--seed <n>', 'same seed, same bytes', integerOption('--seed', 0), 0)
    .option('--train <n>', 'train images', integerOption('--train', 1), 160)
    .option('--val <n>', 'val images', integerOption('--val', 1), 40)
    .option('--image-size <px>', 'side of the square images', integerOption('--image-size', 32), 128)
    .option('--classes <n>', 'number of classes (1-8)', integerOption('--classes', 1), 3)
    .option('--json', 'print the summary as JSON')
    .action(async (dir: string, options: { seed: number; train: number; val: number; imageSize: number; classes: number; json?: boolean }) => {
      const target = resolve(dir);
      if (existsSync(target) && (!statSync(target).isDirectory() || readdirSync(target).length > 0)) {
        throw new CliError(`${target} exists and is not an empty directory: choose a new one, so no dataset is mixed with another`);
      }
      mkdirSync(target, { recursive: true });
      const started = Date.now();
      const { store, bucket, close } = openDirectoryAsBucket(target);
      try {
        const result = await synthesizeDataset({
          store, bucket, seed: options.seed, trainImages: options.train, valImages: options.val, imageSize: options.imageSize, classes: options.classes,
        });
        if (options.json) {
          printJson({ ...result, bucket: undefined, uri: undefined, directory: target });
          return;
        }
        const splits = result.splits.map((s) => `${s.split} ${s.images} images (${s.backgroundImages} background, ${s.boxes} boxes)`).join(', ');
        info(`wrote ${result.files} files (${(result.bytes / 1e6).toFixed(1)} MB) to ${target} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        info(`classes: ${result.names.join(', ')}; ${splits}`);
      } finally {
        close();
      }
    });

  dataset
    .command('validate')
    .description('check <dir> against the dataset contract: every problem with file and line, and a summary')
    .argument('<dir>', 'the directory holding data.yaml')
    .option('--json', 'print the full result as JSON')
    .option('--max-problems <n>', 'problems shown per kind; the rest are counted', integerOption('--max-problems', 1), 20)
    .action(async (dir: string, options: { json?: boolean; maxProblems: number }) => {
      const target = resolve(dir);
      if (!existsSync(target) || !statSync(target).isDirectory()) throw new CliError(`${target} is not a directory`);
      const { result, report } = await validateDirectory(target, { maxProblemsPerKind: options.maxProblems });
      if (options.json) printJson(result);
      else process.stdout.write(`${report}\n`);
      if (!result.valid) process.exitCode = EXIT.failed;
    });
}

import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { synthesizeDataset } from '../../core/dataset/index.ts';
import { DEFAULT_LABEL_FORMAT, isLabelFormat, LABEL_FORMATS, type LabelFormat } from '../../core/dataset/label-formats.ts';
import { DATASET_PREFIXES, PREFIXES } from '../../core/naming.ts';
import { formatS3Uri, normalizePrefix, parseS3Uri, type S3Location } from '../../core/storage/s3-uri.ts';
import { defaultDatasetVersion, readPushDestination } from '../../core/transfer/dataset-push.ts';
import { versionKind } from '../../core/trigger/version-kind.ts';
import { DEFAULT_PUSH_CONCURRENCY, detectFolderLabelFormat, pushDataset, type PushDatasetResult, type PushProgress } from '../../transfer/index.ts';
import { openDirectoryAsBucket, validateDirectory } from '../directory-store.ts';
import { CliError, EXIT } from '../errors.ts';
import { info, printJson } from '../output.ts';
import { integerOption } from '../options.ts';
import { transferProgress } from '../render/transfer-progress.ts';
import { explainMissingBucket, openTargetStore } from '../target-store.ts';
import type { CliContext } from '../context.ts';
import { registerDatasetConvert } from '../dataset/convert.ts';
import { registerDatasetStatsCommand } from '../dataset/stats.ts';

export function registerDatasetCommands(program: Command, ctx: CliContext): void {
  const dataset = program.command('dataset').description('YOLO datasets: generate a synthetic one, convert a labelled export into one, validate one, look at its statistics, push one (or an export) to the training data bucket');

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

  registerDatasetConvert(dataset, ctx);

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

  registerDatasetStatsCommand(dataset, ctx);

  dataset
    .command('push')
    .description(
      'validate <dir> and upload it as a dataset version (default destination: split_dataset/<version>/ of the training data bucket, ' +
        'on the --target: the local buckets folder or S3), sending only what is missing or changed, and the upload marker last, ' +
        'so the S3 trigger (or `yolops local watch`) starts exactly one training for it; each file is one PUT, so files over 5 GiB are refused. ' +
        `With --from <format>, <dir> is a labelled export (${LABEL_FORMATS.join(', ')}) pushed to labeled-data/<version>/: its format is checked, ` +
        "not its labels (the pipeline's Preprocess step converts and validates it, and the training starts with that InputFormat)",
    )
    .argument('<dir>', 'the dataset folder (holding data.yaml), or with --from the export folder (annotation files and images)')
    .argument('[destination]', "s3://<bucket>/<prefix>/ instead of the training data bucket's split_dataset/<version>/ (with --from: labeled-data/<version>/)")
    .option('--from <format>', `push a labelled export in this format (${LABEL_FORMATS.join(', ')}) to labeled-data/; the folder's detected format must be this one`)
    .option('--version <name>', "the dataset version (default: the folder's name, when it is a valid version name: letters, digits, '.', '_', '-')")
    .option('--concurrency <n>', 'files read and sent at once', integerOption('--concurrency', 1), DEFAULT_PUSH_CONCURRENCY)
    .option('--delete', 'remove objects under the destination that the folder does not have (otherwise the push refuses them)')
    .option('--force', 'upload even when validation finds errors (the trigger then reports them instead of training); not with --from, which validates nothing')
    .option('--json', 'print the result as JSON (no progress)')
    .option('--quiet', 'no progress, only the summary')
    .action(async (dir: string, destinationArg: string | undefined, options: PushOptions) => {
      const folder = resolve(dir);
      if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new CliError(`${folder} is not a directory`);
      const from = options.from === undefined ? undefined : labelFormatOption(options.from, options.force === true);
      const target = await openTargetStore(ctx);
      const location = pushLocation(folder, destinationArg, options.version, target.names.trainingDataBucket, from === undefined ? DATASET_PREFIXES[0] : PREFIXES.labeledData);
      const destination = formatS3Uri(location.bucket, location.key);
      const reading = readPushDestination(location, target.names.trainingDataBucket);
      if (reading.kind === 'bad-name') throw new CliError(`${destination}: ${reading.problem}`);
      if (from !== undefined && from !== DEFAULT_LABEL_FORMAT && reading.kind === 'version' && versionKind(reading.ref) === 'dataset') {
        throw new CliError(`${destination} is a YOLO dataset folder: the trigger would validate the ${from} export as a YOLO dataset and refuse it; push it to s3://${location.bucket}/${PREFIXES.labeledData}<version>/ (the default with --from)`);
      }
      const note = reading.kind === 'elsewhere' ? reading.note : undefined;
      if (note !== undefined && !options.json) info(`note: ${note}`);

      if (from !== undefined) await checkExportFormat(folder, from);
      // A labelled export is not a YOLO dataset: the Preprocess step converts and validates it, so nothing is validated here.
      const { result: validation, report } = from === undefined ? await validateDirectory(folder) : { result: { valid: true, errors: 0 }, report: '' };
      if (!validation.valid) {
        if (!options.force) {
          if (options.json) printJson({ destination, valid: false, uploaded: 0, validation });
          else process.stderr.write(`${report}\n`);
          throw new CliError(`${folder} is not a valid dataset (${validation.errors} errors): nothing was uploaded; fix it, or add --force to upload it anyway`, { exitCode: EXIT.failed });
        }
        if (!options.json) info(`warning: ${folder} is not a valid dataset (${validation.errors} errors); uploading it anyway (--force)`);
      }

      const showProgress = !options.json && !options.quiet;
      // The heading waits for the first progress report, which comes after the destination was listed, so a
      // refusal (a missing bucket, objects the folder lacks) stays the only line.
      let headed = false;
      const bar = showProgress ? transferProgress({ tty: process.stderr.isTTY === true, write: (text) => process.stderr.write(text) }) : undefined;
      const progress = bar && {
        update: (p: PushProgress) => {
          if (!headed) info(`pushing ${folder} to ${destination} (${target.target} target)`);
          headed = true;
          bar.update(p);
        },
        done: () => bar.done(),
      };
      let result: PushDatasetResult;
      try {
        await target.prepareBucket(location.bucket);
        result = await pushDataset({
          store: target.store, bucket: location.bucket, root: location.key, dir: folder, concurrency: options.concurrency, deleteExtra: options.delete === true,
          ...(progress ? { onProgress: (p) => progress.update(p) } : {}),
        });
      } catch (error) {
        throw explainMissingBucket(error, location.bucket, target);
      } finally {
        progress?.done();
      }
      const facts = {
        ...result, markerUri: formatS3Uri(location.bucket, result.markerKey), target: target.target, ...(from === undefined ? { valid: validation.valid } : { inputFormat: from }),
        startsTraining: reading.kind === 'version', ...(note === undefined ? {} : { note }),
      };
      if (options.json) return printJson(facts);
      process.stdout.write(`${summaryLine(result)}\n`);
    });
}

interface PushOptions {
  from?: string;
  version?: string;
  concurrency: number;
  delete?: boolean;
  force?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** --from's format; --force has nothing to force where nothing is validated. */
function labelFormatOption(value: string, force: boolean): LabelFormat {
  if (!isLabelFormat(value)) throw new CliError(`--from ${value}: not a label format; give one of ${LABEL_FORMATS.join(', ')}`);
  if (force) throw new CliError(`--force overrides the YOLO validation, which --from ${value} does not run (the pipeline's Preprocess step validates the export): leave --force out`);
  return value;
}

/** Refuses a folder whose detected format is not `from`, saying what it looks like and what to do. */
async function checkExportFormat(folder: string, from: LabelFormat): Promise<void> {
  const detection = await detectFolderLabelFormat(folder);
  if (detection.kind === 'unknown') throw new CliError(`${folder} is not a ${from} export yolops can tell: ${detection.problem}; ${detection.fix}`);
  if (detection.format !== from) throw new CliError(`${folder} looks like a ${detection.format} export (${detection.summary}), not ${from}: push it with --from ${detection.format}, or push the ${from} export's folder`);
}

/** The destination folder: the argument, else `<prefix><version>/` of the training data bucket. */
function pushLocation(folder: string, destination: string | undefined, version: string | undefined, trainingBucket: string, prefix: string): S3Location {
  if (destination !== undefined) {
    if (version !== undefined) throw new CliError(`give either a destination (${destination}) or --version ${version}, not both: the version is the destination's last folder`);
    const { bucket, key } = parseS3Uri(destination);
    const prefix = normalizePrefix(key);
    if (prefix === '') throw new CliError(`${destination} names a whole bucket: push into a folder of it, e.g. s3://${bucket}/${DATASET_PREFIXES[0]}<version>/`);
    return { bucket, key: prefix };
  }
  if (version === undefined) {
    const fromName = defaultDatasetVersion(basename(folder));
    if ('problem' in fromName) throw new CliError(`the folder's name cannot be the dataset version (${fromName.problem}): name one with --version <name>`);
    version = fromName.version;
  }
  const fromFlag = defaultDatasetVersion(version);
  if ('problem' in fromFlag) throw new CliError(`--version: ${fromFlag.problem}`);
  return { bucket: trainingBucket, key: `${prefix}${version}/` };
}

function summaryLine(r: PushDatasetResult): string {
  const deleted = r.deleted.length > 0 ? `, ${r.deleted.length} removed` : '';
  const marker = r.markerWritten ? `marker ${r.markerKey} written` : 'marker unchanged (nothing to do)';
  return (
    `pushed ${r.files} files (${(r.bytes / 1e6).toFixed(1)} MB) to ${r.destination}: ${r.uploaded} uploaded (${(r.bytesUploaded / 1e6).toFixed(1)} MB), ` +
    `${r.unchanged} unchanged${deleted}; ${marker}; ${r.seconds.toFixed(1)} s, ${r.requests.total} requests`
  );
}

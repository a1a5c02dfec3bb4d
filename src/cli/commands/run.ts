import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { constants, tmpdir } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_LABEL_FORMAT, isLabelFormat, LABEL_FORMATS, type LabelFormat } from '../../core/dataset/label-formats.ts';
import { datasetVersionNameProblem, resourceNames } from '../../core/naming.ts';
import type { ConfigParameterName } from '../../core/pipeline/config-parameters.ts';
import { INPUT_PARAMETERS } from '../../core/pipeline/input-parameters.ts';
import { bucketNameProblem } from '../../core/storage/keys.ts';
import { parseS3Uri } from '../../core/storage/s3-uri.ts';
import { DatasetRejectedError, isSplitYoloFolder, localLayout, runPipelineLocally, type ExecutionRecord, type RunEvent } from '../../local/index.ts';
import { detectFolderLabelFormat } from '../../transfer/index.ts';
import { validateDirectory } from '../directory-store.ts';
import { runPythonModule } from '../python-module.ts';
import { compileLocalPipeline } from '../local-pipeline.ts';
import { CliError, EXIT } from '../errors.ts';
import { info, printJson } from '../output.ts';
import { loadProjectConfig, type Project } from '../project.ts';
import { buildExecutionReport, formatExecutionReport } from '../render/execution-report.ts';
import { progressPrinter } from '../render/progress.ts';

/** Ctrl-C and SIGTERM while an execution runs: the first stops it cleanly, the third quits at once. */
export interface SignalStop {
  signal: AbortSignal;
  /** The signal that stopped the run, if one did. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

/**
 * The first SIGINT/SIGTERM aborts `signal` with the reason ("stopped by SIGINT (Ctrl-C)"): the runner stops
 * the job's process group, records the execution as Stopped with that reason and notifies. A second one only
 * says it is still stopping; a third exits at once (the exit hooks kill the job and the MLflow server), which
 * leaves the record as its last atomic write: Stopped, or Executing with a dead runner, which reads as Stopped.
 */
export function stopOnSignals(): SignalStop {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let count = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    count += 1;
    if (count === 1) {
      received = name;
      info(`\n${name}: stopping the execution (its job is stopped, the record saved as Stopped)...`);
      controller.abort(new Error(`stopped by ${name}${name === 'SIGINT' ? ' (Ctrl-C)' : ''}`));
    } else if (count === 2) {
      info(`${name}: still stopping; send it once more to quit at once (\`yolops runs retry\` continues the execution either way)`);
    } else {
      process.exit(128 + (constants.signals[name] ?? 2));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    received: () => received,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** The exit code of a finished command: 0 when it succeeded, 128 + the signal when one stopped it, else 1. */
export function exitCodeOf(record: ExecutionRecord, stop: SignalStop): number {
  if (record.status === 'Succeeded') return EXIT.ok;
  const signal = stop.received();
  if (record.status === 'Stopped' && signal) return 128 + (constants.signals[signal] ?? 2);
  return EXIT.failed;
}

export interface LocalRunRequest {
  datasetDir?: string;
  inputDataUri?: string;
  datasetVersion?: string;
  /** The data's label format (the InputFormat parameter). @default the pipeline's default, yolo */
  inputFormat?: LabelFormat;
  parameters: Record<string, string>;
  verbose?: boolean;
  onEvent?: (event: RunEvent) => void;
  /** @default stop on this process's SIGINT/SIGTERM */
  stop?: SignalStop;
}

/** The compiled pipeline (with training-config.json's local_overrides as defaults) run by the local runner. */
export async function runLocally(project: Project, request: LocalRunRequest): Promise<ExecutionRecord> {
  const { context, json } = compileLocalPipeline(project);
  const stop = request.stop ?? stopOnSignals();
  const print = progressPrinter({ verbose: request.verbose ?? false });
  try {
    return await runPipelineLocally({
      root: project.localRoot,
      definition: json,
      context,
      trainingDir: project.trainingCodeDir,
      // A local folder was validated where it lay, before its upload (the `run` command); anything else here.
      validateDataset: request.datasetDir === undefined,
      parameterOverrides: request.parameters,
      signal: stop.signal,
      onEvent: (event) => {
        print(event);
        request.onEvent?.(event);
      },
      ...(request.datasetDir ? { datasetDir: request.datasetDir } : {}),
      ...(request.datasetVersion ? { datasetVersion: request.datasetVersion } : {}),
      ...(request.inputDataUri ? { inputDataUri: request.inputDataUri } : {}),
      ...(request.inputFormat ? { inputFormat: request.inputFormat } : {}),
    });
  } catch (error) {
    // The dataset ran through the contract and failed it: the thing asked for failed (exit 1), not the usage.
    if (error instanceof DatasetRejectedError) throw new CliError(error.message, { exitCode: EXIT.failed, cause: error });
    throw error;
  } finally {
    if (!request.stop) stop.dispose();
  }
}

/**
 * A folder given without --from is taken as the format its files say, as the S3 trigger and the local watcher
 * tell a labelled-data version's format; a folder whose format cannot be told is taken as a YOLO dataset, whose
 * checks then say what is missing.
 */
async function detectedFormat(dir: string): Promise<LabelFormat> {
  const detection = await detectFolderLabelFormat(dir);
  if (detection.kind !== 'detected') return DEFAULT_LABEL_FORMAT;
  if (detection.format !== DEFAULT_LABEL_FORMAT) info(`${dir} holds a labelled export (${detection.summary}); give --from to say otherwise`);
  return detection.format;
}

/** `--from`: one of the label formats, or a usage error listing them. */
function labelFormat(value: string): LabelFormat {
  // Commander puts it after "option '--from <format>' argument '<value>' is invalid.".
  if (!isLabelFormat(value)) throw new InvalidArgumentError(`Use one of ${LABEL_FORMATS.join(', ')} (the label formats yolops reads).`);
  return value;
}

function collectParameter(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`--param expects Name=value (e.g. --param Epochs=5), got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

async function assertValidDirectory(dir: string): Promise<void> {
  const { result, report } = await validateDirectory(dir);
  if (!result.valid) throw new CliError(`dataset ${dir} is not valid, no execution started and nothing uploaded:\n${report}`, { exitCode: EXIT.failed });
}

/**
 * An export is converted once before anything is uploaded, into a scratch folder thrown away after: a refused
 * export ends here with its problems, as a refused YOLO dataset does, and starts no execution. The Preprocess
 * step converts it again, with the same split (the converter is deterministic).
 */
async function assertConvertible(project: Project, dir: string, format: LabelFormat, parameters: Readonly<Record<string, string>>): Promise<void> {
  const { training } = loadProjectConfig(project);
  const split: ConfigParameterName = 'SplitRatios';
  const seed: ConfigParameterName = 'SplitSeed';
  const scratch = mkdtempSync(join(tmpdir(), 'yolops-export-check-'));
  const args = ['convert', '--from', format, dir, join(scratch, 'dataset'), '--split', parameters[split] ?? training.split_ratios.join(','), '--seed', parameters[seed] ?? String(training.split_seed)];
  try {
    // Warnings and the first errors are shown as they come; the converter's last line is the refusal itself.
    await runPythonModule('yolops_dataprep', args, { trainingDir: project.trainingCodeDir, onStderrLine: (line) => (/^(warning|error): /.test(line) ? info(line) : undefined) });
  } catch (error) {
    if (error instanceof CliError && error.exitCode === EXIT.usage) throw new CliError(`export ${dir} was refused, no execution started and nothing uploaded: ${error.message}`, { exitCode: EXIT.failed });
    throw error;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** `--input` names a bucket of the local backend that exists: a typo ends here, before anything starts. */
export function assertInputBucketExists(project: Project, uri: string, flag = '--input'): void {
  const { bucket } = parseS3Uri(uri);
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) throw new CliError(`${flag} ${uri}: invalid bucket name "${bucket}": ${problem}`);
  const buckets = localLayout(project.localRoot).buckets;
  if (!existsSync(join(buckets, bucket))) {
    const trainingData = resourceNames(loadProjectConfig(project).context).trainingDataBucket;
    throw new CliError(`${flag} ${uri}: there is no bucket "${bucket}" in ${buckets}; datasets go to s3://${trainingData}/split_dataset/<version>/`);
  }
}

export function registerRunCommand(program: Command, project: () => Project): void {
  program
    .command('run')
    .description('run the pipeline locally on a dataset or labelled export: preprocess, train, evaluate, gate, register, notify')
    .option('--dataset <dir>', 'a local folder, uploaded as a new version to the local training-data bucket: a split YOLO dataset under split_dataset/, a labelled export under labeled-data/ (either checked first: nothing is uploaded or started when it is refused)')
    .option('--input <s3-uri>', 'a version already in the local training-data bucket (s3://<bucket>/split_dataset/<version>/ or s3://<bucket>/labeled-data/<version>/)')
    .option('--from <format>', `the data's label format, one of ${LABEL_FORMATS.join(', ')} (the InputFormat parameter; the Preprocess step converts and splits anything but a split YOLO dataset; default: told from the --dataset folder's files, else ${DEFAULT_LABEL_FORMAT})`, labelFormat)
    .option('--version <name>', 'the version folder name for --dataset (default: local-<timestamp>)')
    .option('--param <Name=value>', 'override a pipeline parameter (repeatable), e.g. --param Epochs=5 --param QualityThreshold=0.3', collectParameter, {})
    .option('--verbose', 'stream the jobs\' output')
    .option('--json', 'print the execution record as JSON when done')
    .action(async (options: { dataset?: string; input?: string; from?: LabelFormat; version?: string; param: Record<string, string>; verbose?: boolean; json?: boolean }) => {
      if (!options.dataset === !options.input) throw new CliError('give exactly one of --dataset <dir> or --input <s3-uri>');
      if (options.version !== undefined && !options.dataset) throw new CliError('--version names the folder a --dataset is uploaded to; it needs --dataset');
      const versionProblem = options.version === undefined ? undefined : datasetVersionNameProblem(options.version);
      if (versionProblem !== undefined) throw new CliError(`--version: ${versionProblem}`);
      if (options.dataset && !(existsSync(options.dataset) && statSync(options.dataset).isDirectory())) {
        throw new CliError(`--dataset ${options.dataset} is not a directory`);
      }
      // The format decides where a folder goes and whether it is validated first, so it is settled here, once.
      const formatParameter = options.param[INPUT_PARAMETERS.format];
      if (options.from !== undefined && formatParameter !== undefined && formatParameter !== options.from) {
        throw new CliError(`--from ${options.from} and --param ${INPUT_PARAMETERS.format}=${formatParameter} disagree; give the format once, with --from`);
      }
      const format = options.from ?? formatParameter ?? (options.dataset ? await detectedFormat(resolve(options.dataset)) : DEFAULT_LABEL_FORMAT);
      if (!isLabelFormat(format)) throw new CliError(`--param ${INPUT_PARAMETERS.format}=${format}: not a label format yolops reads; use one of ${LABEL_FORMATS.join(', ')}`);
      const p = project();
      if (options.input) assertInputBucketExists(p, options.input);
      // A split YOLO dataset is validated where it is, before the upload: a rejected dataset leaves nothing in the
      // bucket. An export (or an unsplit YOLO folder) is uploaded as it is: the Preprocess step converts and checks it.
      if (options.dataset) {
        const dir = resolve(options.dataset);
        if (format === DEFAULT_LABEL_FORMAT && (await isSplitYoloFolder(dir))) await assertValidDirectory(dir);
        else await assertConvertible(p, dir, format, options.param);
      }
      const stop = stopOnSignals();
      let record: ExecutionRecord;
      try {
        record = await runLocally(p, {
          stop,
          parameters: options.param,
          ...(options.dataset ? { datasetDir: resolve(options.dataset) } : {}),
          ...(options.input ? { inputDataUri: options.input } : {}),
          ...(options.version ? { datasetVersion: options.version } : {}),
          inputFormat: format,
          ...(options.verbose ? { verbose: true } : {}),
        });
      } finally {
        stop.dispose();
      }
      const report = await buildExecutionReport(p.localRoot, record);
      if (options.json) printJson(report);
      else {
        info('');
        process.stdout.write(`${formatExecutionReport(report)}\n`);
      }
      process.exitCode = exitCodeOf(record, stop);
    });
}

import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { datasetVersionNameProblem, resourceNames } from '../../core/naming.ts';
import { bucketNameProblem } from '../../core/storage/keys.ts';
import { parseS3Uri } from '../../core/storage/s3-uri.ts';
import { DatasetRejectedError, localLayout, runPipelineLocally, type ExecutionRecord, type RunEvent } from '../../local/index.ts';
import { validateDirectory } from '../directory-store.ts';
import { compileLocalPipeline } from '../local-pipeline.ts';
import { CliError, EXIT } from '../errors.ts';
import { info, printJson } from '../output.ts';
import { loadProjectConfig, type Project } from '../project.ts';
import { buildExecutionReport, formatExecutionReport } from '../render/execution-report.ts';
import { progressPrinter } from '../render/progress.ts';

export interface LocalRunRequest {
  datasetDir?: string;
  inputDataUri?: string;
  datasetVersion?: string;
  parameters: Record<string, string>;
  verbose?: boolean;
  onEvent?: (event: RunEvent) => void;
}

/** The compiled pipeline (with training-config.json's local_overrides as defaults) run by the local runner. */
export async function runLocally(project: Project, request: LocalRunRequest): Promise<ExecutionRecord> {
  const { context, json } = compileLocalPipeline(project);
  const controller = new AbortController();
  const onSignal = (): void => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
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
      signal: controller.signal,
      onEvent: (event) => {
        print(event);
        request.onEvent?.(event);
      },
      ...(request.datasetDir ? { datasetDir: request.datasetDir } : {}),
      ...(request.datasetVersion ? { datasetVersion: request.datasetVersion } : {}),
      ...(request.inputDataUri ? { inputDataUri: request.inputDataUri } : {}),
    });
  } catch (error) {
    // The dataset ran through the contract and failed it: the thing asked for failed (exit 1), not the usage.
    if (error instanceof DatasetRejectedError) throw new CliError(error.message, { exitCode: EXIT.failed, cause: error });
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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

/** `--input` names a bucket of the local backend that exists: a typo ends here, before anything starts. */
function assertInputBucketExists(project: Project, uri: string): void {
  const { bucket } = parseS3Uri(uri);
  const problem = bucketNameProblem(bucket);
  if (problem !== undefined) throw new CliError(`--input ${uri}: invalid bucket name "${bucket}": ${problem}`);
  const buckets = localLayout(project.localRoot).buckets;
  if (!existsSync(join(buckets, bucket))) {
    const trainingData = resourceNames(loadProjectConfig(project).context).trainingDataBucket;
    throw new CliError(`--input ${uri}: there is no bucket "${bucket}" in ${buckets}; datasets go to s3://${trainingData}/split_dataset/<version>/`);
  }
}

export function registerRunCommand(program: Command, project: () => Project): void {
  program
    .command('run')
    .description('run the pipeline locally on a dataset: train, evaluate, gate, register, notify')
    .option('--dataset <dir>', 'a local YOLO dataset folder; uploaded as a new version under split_dataset/ in the local training-data bucket')
    .option('--input <s3-uri>', 'a dataset version already in the local training-data bucket (s3://<bucket>/split_dataset/<version>/)')
    .option('--version <name>', 'the version folder name for --dataset (default: local-<timestamp>)')
    .option('--param <Name=value>', 'override a pipeline parameter (repeatable), e.g. --param Epochs=5 --param QualityThreshold=0.3', collectParameter, {})
    .option('--verbose', 'stream the jobs\' output')
    .option('--json', 'print the execution record as JSON when done')
    .action(async (options: { dataset?: string; input?: string; version?: string; param: Record<string, string>; verbose?: boolean; json?: boolean }) => {
      if (!options.dataset === !options.input) throw new CliError('give exactly one of --dataset <dir> or --input <s3-uri>');
      if (options.version !== undefined && !options.dataset) throw new CliError('--version names the folder a --dataset is uploaded to; it needs --dataset');
      const versionProblem = options.version === undefined ? undefined : datasetVersionNameProblem(options.version);
      if (versionProblem !== undefined) throw new CliError(`--version: ${versionProblem}`);
      if (options.dataset && !(existsSync(options.dataset) && statSync(options.dataset).isDirectory())) {
        throw new CliError(`--dataset ${options.dataset} is not a directory`);
      }
      const p = project();
      if (options.input) assertInputBucketExists(p, options.input);
      // Validated where it is, before the upload: a rejected dataset leaves nothing in the bucket.
      if (options.dataset) await assertValidDirectory(resolve(options.dataset));
      const record = await runLocally(p, {
        parameters: options.param,
        ...(options.dataset ? { datasetDir: resolve(options.dataset) } : {}),
        ...(options.input ? { inputDataUri: options.input } : {}),
        ...(options.version ? { datasetVersion: options.version } : {}),
        ...(options.verbose ? { verbose: true } : {}),
      });
      const report = await buildExecutionReport(p.localRoot, record);
      if (options.json) printJson(report);
      else {
        info('');
        process.stdout.write(`${formatExecutionReport(report)}\n`);
      }
      if (record.status !== 'Succeeded') process.exitCode = EXIT.failed;
    });
}

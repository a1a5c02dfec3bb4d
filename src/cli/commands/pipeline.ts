import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { isLabelFormat, LABEL_FORMATS } from '../../core/dataset/label-formats.ts';
import { resourceNames } from '../../core/naming.ts';
import { INPUT_PARAMETERS } from '../../core/pipeline/input-parameters.ts';
import { PIPELINE_DEFINITION_VERSION, synthesizeTrainingPipelineFromFiles } from '../../core/pipeline/index.ts';
import { datasetVersionOfKey } from '../../core/trigger/dataset-version.ts';
import { executionDisplayName } from '../../core/trigger/fingerprint.ts';
import { parseS3Uri } from '../../core/storage/s3-uri.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { compileLocalPipeline } from '../local-pipeline.ts';
import { info, printJson } from '../output.ts';
import { integerOption, intervalOption } from '../options.ts';
import { loadProjectConfig } from '../project.ts';
import { assertCodeBundleUploaded, upsertAwsPipeline } from '../pipeline-upsert.ts';
import { executionConsoleUrl } from '../render/run-view-aws.ts';
import { localRunView } from '../render/run-view-local.ts';
import { formatRunView } from '../render/run-view-format.ts';
import type { RunView } from '../render/run-view.ts';
import { buildExecutionReport } from '../render/execution-report.ts';
import { LATEST, awsRunSource, type RunSource } from '../run-sources.ts';
import { declaredParameters, startParameters, type StartOverrides } from '../start-parameters.ts';
import { watchRun } from '../watch-run.ts';
import { exitCodeOf, assertInputBucketExists, runLocally, stopOnSignals } from './run.ts';
import { printRun, printRunList, runExitCode, runSource } from './runs.ts';

const DEFAULT_LIST_LIMIT = 20;
const DEFAULT_INTERVAL_SECONDS = 15;

/**
 * Follows one execution to its end, printing each change; Ctrl-C (or SIGTERM) stops the watching, never the
 * execution. The exit code: 0 Succeeded, 1 Failed or Stopped, 130/143 when a signal ended the watching.
 */
async function watchToEnd(source: RunSource, reference: string, options: { intervalSeconds: number; print: (line: string) => void }): Promise<{ view?: RunView; exitCode: number }> {
  const controller = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    signalled = name;
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const view = await watchRun(source, reference, { intervalMs: options.intervalSeconds * 1000, signal: controller.signal, print: options.print });
    if (view === undefined) {
      info(`stopped watching; the execution goes on: yolops${source.target === 'aws' ? ' --target aws' : ''} pipeline status ${reference}`);
      return { exitCode: signalled === 'SIGTERM' ? 143 : 130 };
    }
    return { view, exitCode: runExitCode(view) };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

interface StartOptions extends StartOverrides {
  wait?: boolean;
  interval: number;
  json?: boolean;
}

export function registerPipelineCommands(program: Command, ctx: CliContext): void {
  const project = ctx.project;
  const pipeline = program
    .command('pipeline')
    .description('the pipeline: its definition, deploying it, starting and following executions (on the --target: local or aws)');
  pipeline
    .command('synth')
    .description(`print the SageMaker Pipeline definition JSON (Version ${PIPELINE_DEFINITION_VERSION}) compiled from the TypeScript definition, cdk.json and training-config.json`)
    .option('--code-version <version>', 'give CodeUri and CodeVersion defaults pointing at code/<version>/ in the training bucket')
    .option('--compact', 'one line, as CloudFormation and UpsertPipeline receive it')
    .action((options: { codeVersion?: string; compact?: boolean }) => {
      const { json } = synthesizeTrainingPipelineFromFiles(
        { root: project().dir },
        { pretty: !options.compact, ...(options.codeVersion ? { codeVersion: options.codeVersion } : {}) },
      );
      process.stdout.write(`${json}\n`);
    });

  pipeline
    .command('upsert')
    .description(
      'aws: compile the definition as the pipeline stack does (the MLflow App ARN from SSM, CodeUri/CodeVersion of the code version) and UpdatePipeline the deployed pipeline, keeping its role; ' +
        'local: check the definition (the local runner compiles it at each run, so there is nothing to deploy)',
    )
    .option('--code-version <version>', 'the code bundle under code/<version>/ the definition defaults to (default: what `yolops code push` uploads: the git commit of a clean training/, else its content hash)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { codeVersion?: string; json?: boolean }) => {
      const p = project();
      if (ctx.target() === 'local') {
        const { json } = compileLocalPipeline(p);
        const definition = JSON.parse(json) as { Steps: unknown[]; Parameters: unknown[] };
        const result = { target: 'local', valid: true, parameters: definition.Parameters.length, steps: definition.Steps.length, deployed: false };
        if (options.json) return printJson(result);
        process.stdout.write(`the definition is valid (${result.steps} top-level steps, ${result.parameters} parameters); the local target has nothing to deploy: the local runner compiles it at each run\n`);
        return;
      }
      const result = await upsertAwsPipeline(await ctx.aws(), p, options.codeVersion);
      if (options.json) return printJson({ target: 'aws', ...result });
      process.stdout.write(
        `${result.updated ? 'updated' : 'unchanged (already deployed)'}: pipeline ${result.pipelineName}\n` +
          `code version ${result.codeVersion} (${result.codeUri})${result.mlflowAppArn ? `\nMLflow App ${result.mlflowAppArn}` : ''}\n`,
      );
    });

  pipeline
    .command('start')
    .description('start an execution with these overrides (the rest keep the deployed defaults); local: run it here, to its end')
    .option('--data <uri|version>', 'the dataset, s3://<training bucket>/<prefix>/<version>/ or a version name under split_dataset/ (labeled-data/ with a --format other than yolo) (default: the dataset of the newest execution, so new code trains on the data trained last)')
    .option('--format <format>', `the data's label format (InputFormat), one of ${LABEL_FORMATS.join(', ')}; the Preprocess step converts and splits anything but a split YOLO dataset (default: the deployed default, yolo; without --data, the newest execution's)`)
    .option('--epochs <n>', 'Epochs')
    .option('--batch-size <n|auto>', 'BatchSize')
    .option('--instance-type <type>', 'TrainingInstanceType, e.g. ml.g5.xlarge')
    .option('--spot', 'UseSpotInstances=true: managed spot capacity')
    .option('--no-spot', 'UseSpotInstances=false: on-demand capacity')
    .option('--code-version <version>', 'aws: run the code bundle under code/<version>/ (CodeUri and CodeVersion)')
    .option('--wait', 'aws: then follow it to its end, as `pipeline watch` (exit code as there)')
    .option('--interval <seconds>', 'with --wait: time between two polls', intervalOption, DEFAULT_INTERVAL_SECONDS)
    .option('--json', 'print { executionArn, displayName, parameters, consoleUrl } (and `run`, the run view, once it has ended)')
    .action(async (options: StartOptions) => {
      // With both --spot and --no-spot declared, commander leaves `spot` undefined unless one is given.
      const overrides: StartOverrides = {
        ...(options.data !== undefined ? { data: options.data } : {}),
        ...(options.format !== undefined ? { format: options.format } : {}),
        ...(options.epochs !== undefined ? { epochs: options.epochs } : {}),
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        ...(options.instanceType !== undefined ? { instanceType: options.instanceType } : {}),
        ...(options.spot !== undefined ? { spot: options.spot } : {}),
        ...(options.codeVersion !== undefined ? { codeVersion: options.codeVersion } : {}),
      };
      if (overrides.data === undefined) {
        const newest = await datasetOfNewestRun(await runSource(ctx));
        overrides.data = newest.dataset;
        // The same data read the same way: a labelled export keeps the format it was started with.
        if (overrides.format === undefined && newest.format !== undefined) overrides.format = newest.format;
      }
      if (ctx.target() === 'local') return startLocally(overrides, options);
      return startOnAws(overrides, options);
    });

  /** The InputDataUri (and InputFormat) of the newest execution: what `start` without --data trains on (a code push's retraining). */
  async function datasetOfNewestRun(source: RunSource): Promise<{ dataset: string; format?: string }> {
    const newest = (await source.list(1))[0];
    if (newest?.dataset === undefined) {
      throw new CliError(`--data is needed: ${newest === undefined ? 'there is no execution yet' : `the newest execution ${newest.id} names no dataset`} to take the dataset from; give --data <version> or s3://<training bucket>/split_dataset/<version>/`);
    }
    const format = newest.parameters[INPUT_PARAMETERS.format];
    info(`no --data: training on ${newest.dataset}${format ? ` (${format})` : ''}, the dataset of the newest execution ${newest.id}`);
    return { dataset: newest.dataset, ...(format ? { format } : {}) };
  }

  async function startLocally(overrides: StartOverrides, options: StartOptions): Promise<void> {
    if (overrides.codeVersion !== undefined) throw new CliError('--code-version is for --target aws: the local runner bundles training/ as it is at each run');
    const p = project();
    const { context, training, json } = compileLocalPipeline(p);
    const parameters = startParameters(overrides, { config: training, declared: declaredParameters(json), trainingDataBucket: resourceNames(context).trainingDataBucket });
    const { InputDataUri: dataUri, InputFormat: format, ...rest } = parameters;
    if (dataUri === undefined) throw new Error('startParameters gave no InputDataUri for a --data it was given');
    assertInputBucketExists(p, dataUri, '--data');
    const stop = stopOnSignals();
    try {
      const record = await runLocally(p, { stop, parameters: rest, inputDataUri: dataUri, ...(format !== undefined && isLabelFormat(format) ? { inputFormat: format } : {}) });
      const run = localRunView(record, { report: await buildExecutionReport(p.localRoot, record) });
      if (options.json) printJson({ executionArn: record.executionArn, parameters, run });
      else {
        info('');
        process.stdout.write(`${formatRunView(run)}\n`);
      }
      process.exitCode = exitCodeOf(record, stop);
    } finally {
      stop.dispose();
    }
  }

  async function startOnAws(overrides: StartOverrides, options: StartOptions): Promise<void> {
    const session = await ctx.aws();
    const { names } = session;
    const { training } = loadProjectConfig(project());
    // Checked against what is deployed: the pipeline must exist and declare every parameter sent.
    const deployed = await session.pipelines.describePipeline(names.pipeline);
    const parameters = startParameters(overrides, { config: training, declared: declaredParameters(deployed.definition), trainingDataBucket: names.trainingDataBucket });
    if (overrides.codeVersion !== undefined) await assertCodeBundleUploaded(session, overrides.codeVersion);
    const dataUri = parameters['InputDataUri'] as string;
    const now = new Date();
    const ref = datasetVersionOfKey(parseS3Uri(dataUri).key);
    const displayName = ref.kind === 'version' ? executionDisplayName(ref.ref, now) : `yolops-cli-${now.toISOString().replace(/[-:]/g, '').slice(0, 13)}`;
    const { executionArn } = await session.pipelines.startExecution({
      pipelineName: names.pipeline,
      parameters,
      clientRequestToken: `yolops-cli-${randomUUID()}`,
      displayName,
      description: `Started with yolops pipeline start at ${now.toISOString()}: ${Object.entries(parameters).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    });
    const executionId = executionArn.slice(executionArn.lastIndexOf('/') + 1);
    const consoleUrl = executionConsoleUrl(session.region, names.pipeline, executionId);
    const started = { executionArn, displayName, parameters, consoleUrl };
    if (!options.wait) {
      if (options.json) return printJson(started);
      process.stdout.write(`started ${executionArn}\n${consoleUrl}\nfollow it: yolops --target aws pipeline watch ${executionId}\n`);
      return;
    }
    if (!options.json) process.stdout.write(`started ${executionArn}\n${consoleUrl}\n`);
    const { view, exitCode } = await watchToEnd(awsRunSource(session), executionArn, { intervalSeconds: options.interval, print: options.json ? info : (line) => process.stdout.write(`${line}\n`) });
    if (options.json) printJson({ ...started, ...(view ? { run: view } : {}) });
    process.exitCode = exitCode;
  }

  pipeline
    .command('status')
    .description('one execution with its steps; exit code 0 when it Succeeded or is still running (Executing, Stopping), 1 when it Failed or was Stopped')
    .argument('<execution>', `an execution id, an execution ARN, or "${LATEST}"`)
    .option('--json', 'print the run view as JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      process.exitCode = runExitCode(await printRun(await runSource(ctx), reference, options));
    });

  pipeline
    .command('watch')
    .description('follow one execution step by step until it ends (training jobs\' progress and metrics as SageMaker reports them); exit code 0 Succeeded, 1 Failed or Stopped; Ctrl-C stops watching, not the execution')
    .argument('<execution>', `an execution id, an execution ARN, or "${LATEST}"`)
    .option('--interval <seconds>', 'time between two polls', intervalOption, DEFAULT_INTERVAL_SECONDS)
    .action(async (reference: string, options: { interval: number }) => {
      const source = await runSource(ctx);
      const resolved = await source.resolve(reference);
      const { exitCode } = await watchToEnd(source, resolved, { intervalSeconds: options.interval, print: (line) => process.stdout.write(`${line}\n`) });
      process.exitCode = exitCode;
    });

  pipeline
    .command('list')
    .description('executions, newest first (the same as `yolops runs list`)')
    .option('--limit <n>', 'at most this many', integerOption('--limit', 1), DEFAULT_LIST_LIMIT)
    .option('--json', 'print them as JSON')
    .action(async (options: { limit: number; json?: boolean }) => {
      await printRunList(await runSource(ctx), options);
    });
}

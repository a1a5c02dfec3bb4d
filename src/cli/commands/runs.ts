import type { Command } from 'commander';
import { retryPipelineLocally, type ExecutionRecord } from '../../local/index.ts';
import { loadCdkContext } from '../../core/config/cdk-context.ts';
import { CliError, EXIT } from '../errors.ts';
import { info, printJson } from '../output.ts';
import { integerOption } from '../options.ts';
import { buildExecutionReport, formatExecutionReport } from '../render/execution-report.ts';
import { progressPrinter } from '../render/progress.ts';
import { formatRunList, formatRunView } from '../render/run-view-format.ts';
import type { RunView } from '../render/run-view.ts';
import { LATEST, awsRunSource, localRunSource, type RunSource } from '../run-sources.ts';
import { exitCodeOf, stopOnSignals } from './run.ts';
import type { CliContext } from '../context.ts';

/** Where the command reads executions from, by the target (`--target`, YOLOPS_TARGET, or local). */
export async function runSource(ctx: CliContext): Promise<RunSource> {
  return ctx.target() === 'aws' ? awsRunSource(await ctx.aws()) : localRunSource(ctx.project());
}

/** One execution as `runs show` and `pipeline status` print it (text, or the run view as JSON); its view. */
export async function printRun(source: RunSource, reference: string, options: { json?: boolean }): Promise<RunView> {
  const view = await source.load(await source.resolve(reference));
  if (options.json) printJson(view);
  else process.stdout.write(`${formatRunView(view)}\n`);
  return view;
}

/**
 * The exit code a run's status gives `pipeline status` and `pipeline watch`: 1 when it Failed or was Stopped;
 * 0 when it Succeeded, and while it runs (a status query about a running execution has not failed).
 */
export function runExitCode(view: Pick<RunView, 'status'>): number {
  return view.status === 'Failed' || view.status === 'Stopped' ? EXIT.failed : EXIT.ok;
}

export async function printRunList(source: RunSource, options: { limit?: number; json?: boolean }): Promise<void> {
  const runs = await source.list(options.limit);
  if (options.json) return printJson(runs);
  if (runs.length === 0) {
    const how = source.target === 'aws' ? '`yolops --target aws pipeline start --data <version>`, or upload a dataset version' : '`npx yolops run --dataset <dir>` or `npm run demo`';
    return void process.stdout.write(`no executions yet: start one with ${how}\n`);
  }
  process.stdout.write(`${formatRunList(runs)}\n`);
}

export function registerRunsCommands(program: Command, ctx: CliContext): void {
  const project = ctx.project;
  const runs = program.command('runs').description('pipeline executions on the --target (local or aws), in one shape on both');

  runs
    .command('list')
    .description('executions, newest first (a local one whose runner died shows as Stopped, with the reason)')
    .option('--limit <n>', 'at most this many (default: all locally, 20 on aws)', integerOption('--limit', 1))
    .option('--json', 'print them as JSON')
    .action(async (options: { limit?: number; json?: boolean }) => {
      const source = await runSource(ctx);
      await printRunList(source, { ...options, ...(options.limit === undefined && source.target === 'aws' ? { limit: 20 } : {}) });
    });

  runs
    .command('show')
    .description('one execution: steps, metrics, decisions, the registered model, where to look further')
    .argument('<execution>', `an execution id (an execution ARN too on aws), or "${LATEST}"`)
    .option('--json', 'print it as JSON')
    .action(async (reference: string, options: { json?: boolean }) => {
      await printRun(await runSource(ctx), reference, options);
    });

  runs
    .command('retry')
    .description('local: continue a Failed or Stopped execution from its first unfinished step (as SageMaker\'s RetryPipelineExecution): succeeded steps keep their outputs, training resumes from its checkpoint and MLflow run')
    .argument('<execution-id>')
    .option('--verbose', 'stream the jobs\' output')
    .option('--json', 'print the execution record as JSON when done')
    .action(async (id: string, options: { verbose?: boolean; json?: boolean }) => {
      if (ctx.target() === 'aws') {
        throw new CliError(
          `runs retry continues local executions; on AWS SageMaker does it itself: aws sagemaker retry-pipeline-execution --pipeline-execution-arn <arn> --client-request-token $(uuidgen) (\`yolops --target aws runs show ${id}\` prints the ARN)`,
        );
      }
      const p = project();
      const stop = stopOnSignals();
      let record: ExecutionRecord;
      try {
        record = await retryPipelineLocally({
          root: p.localRoot,
          context: loadCdkContext(p.cdkJson),
          executionId: id,
          signal: stop.signal,
          onEvent: progressPrinter({ verbose: options.verbose ?? false }),
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

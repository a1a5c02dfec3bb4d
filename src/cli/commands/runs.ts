import type { Command } from 'commander';
import { ExecutionStore, localLayout, retryPipelineLocally, type ExecutionRecord } from '../../local/index.ts';
import { loadCdkContext } from '../../core/config/cdk-context.ts';
import { formatSeconds, info, printJson, table } from '../output.ts';
import { buildExecutionReport, formatExecutionReport } from '../render/execution-report.ts';
import { progressPrinter } from '../render/progress.ts';
import { exitCodeOf, stopOnSignals } from './run.ts';
import type { CliContext } from '../context.ts';

export function registerRunsCommands(program: Command, ctx: CliContext): void {
  const project = ctx.project;
  const runs = program.command('runs').description('local pipeline executions');

  runs
    .command('list')
    .description('executions, newest first (one whose runner died shows as Stopped, with the reason)')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const store = new ExecutionStore(localLayout(project().localRoot).executions);
      const list = await store.list();
      if (options.json) return printJson(list.map((s) => ({ ...s.record, runnerGone: s.runnerGone })));
      if (list.length === 0) return void process.stdout.write('no executions yet: start one with `npx yolops run --dataset <dir>` or `npm run demo`\n');
      process.stdout.write(
        `${table(
          ['execution', 'status', 'started', 'duration', 'dataset', 'model version'],
          list.map(({ record, runnerGone }) => [
            record.executionId,
            runnerGone ? `${record.status} (runner gone)` : record.status,
            record.startedAt.replace('T', ' ').slice(0, 19),
            record.durationSeconds !== undefined ? formatSeconds(record.durationSeconds) : '-',
            String(record.parameters['InputDataUri'] ?? '-'),
            record.registeredModel ? String(record.registeredModel.version) : '-',
          ]),
        )}\n`,
      );
    });

  runs
    .command('show')
    .description('one execution: steps, metrics, the gate, the registered model, where the files are')
    .argument('<execution-id>')
    .option('--json', 'print it as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const root = project().localRoot;
      const store = new ExecutionStore(localLayout(root).executions);
      const summary = await store.show(id);
      const report = await buildExecutionReport(root, summary.record);
      if (options.json) printJson({ ...report, runnerGone: summary.runnerGone });
      else process.stdout.write(`${formatExecutionReport(report)}\n`);
    });

  runs
    .command('retry')
    .description('continue a Failed or Stopped execution from its first unfinished step (as SageMaker\'s RetryPipelineExecution): succeeded steps keep their outputs, training resumes from its checkpoint and MLflow run')
    .argument('<execution-id>')
    .option('--verbose', 'stream the jobs\' output')
    .option('--json', 'print the execution record as JSON when done')
    .action(async (id: string, options: { verbose?: boolean; json?: boolean }) => {
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

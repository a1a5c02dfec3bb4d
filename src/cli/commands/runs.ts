import type { Command } from 'commander';
import { ExecutionStore, localLayout } from '../../local/index.ts';
import { CliError } from '../errors.ts';
import { formatSeconds, printJson, table } from '../output.ts';
import type { Project } from '../project.ts';
import { buildExecutionReport, formatExecutionReport } from '../render/execution-report.ts';

export function registerRunsCommands(program: Command, project: () => Project): void {
  const runs = program.command('runs').description('local pipeline executions');

  runs
    .command('list')
    .description('executions, newest first')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const store = new ExecutionStore(localLayout(project().localRoot).executions);
      const list = await store.list();
      if (options.json) return printJson(list.map((s) => ({ ...s.record, orphaned: s.orphaned })));
      if (list.length === 0) return void process.stdout.write('no executions yet: start one with `npx yolops run --dataset <dir>` or `npm run demo`\n');
      process.stdout.write(
        `${table(
          ['execution', 'status', 'started', 'duration', 'dataset', 'model version'],
          list.map(({ record, orphaned }) => [
            record.executionId,
            orphaned ? `${record.status} (runner gone)` : record.status,
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
      let record;
      try {
        record = await store.get(id);
      } catch (error) {
        throw new CliError(`cannot read execution ${id}: ${(error as Error).message}`, { cause: error });
      }
      if (!record) throw new CliError(`no execution ${id}: \`npx yolops runs list\` shows the ones there are`);
      const report = await buildExecutionReport(root, record);
      if (options.json) printJson(report);
      else process.stdout.write(`${formatExecutionReport(report)}\n`);
    });
}

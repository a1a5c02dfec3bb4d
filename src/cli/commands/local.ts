import type { Command } from 'commander';
import { resourceNames } from '../../core/naming.ts';
import { localLayout, watchLocally, type WatchEvent } from '../../local/index.ts';
import { info } from '../output.ts';
import { integerOption } from '../options.ts';
import { compileLocalPipeline } from '../local-pipeline.ts';
import type { Project } from '../project.ts';
import { progressPrinter } from '../render/progress.ts';
import { stopOnSignals } from './run.ts';

function printWatchEvent(event: WatchEvent): void {
  switch (event.type) {
    case 'watching':
      info(`watching ${event.bucket} (${event.prefixes.join(', ')}); drop a dataset version folder (with data.yaml) or a labelled export (labeled-data/<version>/) there; Ctrl-C stops (a running execution is saved as Stopped and continued when the watcher starts again)`);
      break;
    case 'dataset-waiting':
      info(`  ${event.key}: waiting (${event.reason})`);
      break;
    case 'dataset-starting':
      info(`${event.key}: complete, starting an execution on ${event.inputDataUri} (InputFormat ${event.inputFormat})`);
      break;
    case 'dataset-continuing':
      info(`${event.key}: execution ${event.executionId} did not finish, ${event.how === 'retry' ? 'continuing it from its first unfinished step' : 'starting it'}`);
      break;
    case 'claim-unreadable':
      info(`warning: claim of ${event.key} cannot be read: ${event.error}`);
      break;
    case 'dataset-finished':
      info(`${event.key}: execution ${event.executionId ?? '-'} ${event.status ?? 'ended'}`);
      break;
    case 'dataset-start-failed':
      info(`${event.key}: not started: ${event.error}`);
      break;
    case 'scan-failed':
      info(`warning: scanning the bucket failed: ${event.error}`);
      break;
  }
}

export function registerLocalCommands(program: Command, project: () => Project): void {
  const local = program.command('local').description('the local backend');
  local
    .command('watch')
    .description('watch the local training-data bucket (split_dataset/, sample_dataset/, labeled-data/) and start one execution per complete dataset version or labelled export, as the S3 trigger does on AWS')
    .option('--settle <seconds>', 'how long a complete version must stay unchanged before it starts', integerOption('--settle', 0), 10)
    .action(async (options: { settle: number }) => {
      const p = project();
      const { context, json } = compileLocalPipeline(p);
      info(`bucket folder: ${localLayout(p.localRoot).buckets}/${resourceNames(context).trainingDataBucket}`);
      const stop = stopOnSignals();
      try {
        await watchLocally({
          root: p.localRoot,
          definition: json,
          context,
          trainingDir: p.trainingCodeDir,
          signal: stop.signal,
          settleMs: options.settle * 1000,
          onEvent: progressPrinter(),
          onWatchEvent: printWatchEvent,
        });
      } finally {
        stop.dispose();
      }
    });
}

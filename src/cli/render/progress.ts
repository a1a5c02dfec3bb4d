import type { RunEvent } from '../../local/index.ts';
import { formatSeconds, info } from '../output.ts';

/** Renders a local execution's events as progress lines on stderr (stdout stays free for --json). */
export function progressPrinter(options: { verbose?: boolean } = {}): (event: RunEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'execution-started':
        if (event.attempt === 1) info(`execution ${event.executionId} started (${event.pipelineName})`);
        else info(`execution ${event.executionId} retried (attempt ${event.attempt}${event.fromStep ? `, from step ${event.fromStep}` : ''}; succeeded steps keep their outputs)`);
        break;
      case 'leftover-stopped':
        info(`stopped the ${event.what} (process group ${event.pid}) the earlier runner left running`);
        break;
      case 'mlflow-server-started':
        info(`MLflow server: ${event.url}`);
        break;
      case 'step-started':
        info(`> ${event.step} (${event.stepType})`);
        break;
      case 'epoch': {
        const m = event.metrics;
        const show = (key: string): string => (m[key] !== undefined ? ` ${key} ${m[key].toFixed(4)}` : '');
        info(`  epoch ${event.epoch}/${event.epochs}${show('train/box_loss')}${show('val/mAP50')}${show('val/mAP50-95')}`);
        break;
      }
      case 'step-finished': {
        const took = event.durationSeconds !== undefined ? ` in ${formatSeconds(event.durationSeconds)}` : '';
        const why = event.failureReason ?? event.stopReason ?? event.notExecutedReason;
        info(`  ${event.step}: ${event.status}${took}${why ? `: ${why}` : ''}`);
        break;
      }
      case 'condition':
        info(`  ${event.step}: ${event.outcome ? 'condition met' : 'condition not met'}`);
        break;
      case 'notification':
        // A failed notification also arrives as a 'warning' event, printed below.
        break;
      case 'warning':
        info(`warning: ${event.message}`);
        break;
      case 'log':
        if (options.verbose) info(`  | ${event.line}`);
        break;
      case 'execution-finished':
        break;
    }
  };
}

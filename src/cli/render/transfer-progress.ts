import type { PushProgress } from '../../transfer/index.ts';

const BAR_WIDTH = 24;
/** A terminal is redrawn at most this often: thousands of small files finish faster than anyone reads. */
const REDRAW_MS = 100;
/** Without a terminal (CI logs), a line at each of these fractions of the files. */
const PLAIN_STEPS = [0.25, 0.5, 0.75];

/** One line of progress: `[#########...............]  38%  3,800/10,000 files  9.1/24.0 MB  2.4 s`. */
export function formatTransferProgress(progress: PushProgress, elapsedSeconds: number): string {
  const fraction = progress.filesTotal === 0 ? 1 : progress.filesDone / progress.filesTotal;
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const files = `${progress.filesDone.toLocaleString('en-US')}/${progress.filesTotal.toLocaleString('en-US')} files`;
  const phase = progress.phase === 'checking' ? '  comparing' : progress.phase === 'finishing' ? '  writing the marker' : '';
  return `${bar} ${percent}  ${files}  ${megabytes(progress.bytesDone)}/${megabytes(progress.bytesTotal)} MB  ${elapsedSeconds.toFixed(1)} s${phase}`;
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

export interface ProgressSink {
  update(progress: PushProgress): void;
  /** Ends the progress display (a terminal's line is finished with a newline). */
  done(): void;
}

/**
 * Progress on stderr: on a terminal one line redrawn in place; otherwise a plain line at each quarter, so a CI
 * log shows that the push moves without thousands of lines.
 */
export function transferProgress(options: { tty: boolean; write: (text: string) => void; now?: () => number }): ProgressSink {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let lastDraw = -Infinity;
  let drawn = false;
  let last: PushProgress | undefined;
  let nextStep = 0;
  const elapsed = (): number => (now() - started) / 1000;
  return {
    update(progress) {
      const phaseChanged = last?.phase !== progress.phase;
      last = progress;
      if (options.tty) {
        if (!phaseChanged && now() - lastDraw < REDRAW_MS) return;
        lastDraw = now();
        drawn = true;
        options.write(`\r\x1b[2K${formatTransferProgress(progress, elapsed())}`);
        return;
      }
      const fraction = progress.filesTotal === 0 ? 1 : progress.filesDone / progress.filesTotal;
      let crossed = false;
      while (nextStep < PLAIN_STEPS.length && fraction >= (PLAIN_STEPS[nextStep] ?? 1)) {
        nextStep += 1;
        crossed = true;
      }
      if (crossed && fraction < 1) options.write(`${formatTransferProgress(progress, elapsed())}\n`);
    },
    done() {
      if (options.tty && drawn && last) options.write(`\r\x1b[2K${formatTransferProgress(last, elapsed())}\n`);
    },
  };
}

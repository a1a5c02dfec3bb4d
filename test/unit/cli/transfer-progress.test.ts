import { describe, expect, it } from 'vitest';
import { formatTransferProgress, transferProgress } from '../../../src/cli/render/transfer-progress.ts';
import type { PushProgress } from '../../../src/transfer/index.ts';

const at = (filesDone: number, phase: PushProgress['phase'] = 'uploading'): PushProgress => ({ phase, filesDone, filesTotal: 10_000, bytesDone: filesDone * 2_400, bytesTotal: 24_000_000 });

describe('transfer progress', () => {
  it('one line: bar, percent, files, megabytes, seconds, and the phase when it is not the upload', () => {
    expect(formatTransferProgress(at(3_800), 2.44)).toBe('[#########...............]  38%  3,800/10,000 files  9.1/24.0 MB  2.4 s');
    expect(formatTransferProgress(at(0, 'checking'), 0)).toBe('[........................]   0%  0/10,000 files  0.0/24.0 MB  0.0 s  comparing');
    expect(formatTransferProgress(at(10_000, 'finishing'), 9)).toMatch(/^\[#{24}\] 100% .*writing the marker$/);
  });

  it('without a terminal: a plain line at each quarter, whatever the number of updates', () => {
    const lines: string[] = [];
    const sink = transferProgress({ tty: false, write: (t) => lines.push(t), now: () => 0 });
    for (let done = 0; done <= 10_000; done += 1) sink.update(at(done));
    sink.done();
    expect(lines.map((l) => l.match(/(\d+)%/)?.[1])).toEqual(['25', '50', '75']);
    expect(lines.every((l) => l.endsWith('\n') && !l.includes('\r'))).toBe(true);
  });

  it('on a terminal: redrawn in place at most every 100 ms and on a phase change, ended with a newline', () => {
    const writes: string[] = [];
    let clock = 0;
    const sink = transferProgress({ tty: true, write: (t) => writes.push(t), now: () => clock });
    sink.update(at(0, 'checking'));
    sink.update(at(1, 'checking')); // same instant: not redrawn
    sink.update(at(2)); // new phase: redrawn
    clock = 50;
    sink.update(at(3)); // too soon
    clock = 150;
    sink.update(at(4));
    sink.done();
    expect(writes).toHaveLength(4);
    expect(writes.slice(0, 3).every((w) => w.startsWith('\r\x1b[2K') && !w.endsWith('\n'))).toBe(true);
    expect(writes[2]).toContain(' 4/10,000 files');
    expect(writes[3]?.startsWith('\r\x1b[2K') && writes[3].endsWith('\n')).toBe(true);
    expect(writes[3]).toContain(' 4/10,000 files');
  });
});

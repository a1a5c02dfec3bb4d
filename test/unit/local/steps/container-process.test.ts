import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeExit, runContainerProcess } from '../../../../src/local/steps/container-process.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-process-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const alive = (marker: string): boolean => execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').some((l) => l.includes(marker) && !l.startsWith('ps '));

describe('runContainerProcess', () => {
  it('logs stdout and stderr, and hands over lines split on \\n and \\r', async () => {
    const lines: string[] = [];
    const result = await runContainerProcess({
      command: 'bash',
      args: ['-c', 'printf "one\\ntwo\\r three\\n"; echo err >&2; printf "no newline"'],
      cwd: dir,
      env: process.env,
      logFile: join(dir, 'logs', 'stdout.log'),
      onLine: (l) => lines.push(l),
    });
    expect(result).toMatchObject({ exitCode: 0, timedOut: false, aborted: false });
    expect(lines).toEqual(expect.arrayContaining(['one', 'two', ' three', 'err', 'no newline']));
    const log = await readFile(join(dir, 'logs', 'stdout.log'), 'utf8');
    expect(log).toContain('one\ntwo\r three\n');
    expect(log).toContain('err\n');
    // stdout and stderr are two pipes: which one's last line lands last is a race, so only membership is
    // asserted; what matters is that the unterminated last line is flushed into the tail at exit.
    expect(result.tail).toEqual(expect.arrayContaining(['err', 'no newline']));
  });

  it('reports the exit code', async () => {
    const result = await runContainerProcess({ command: 'bash', args: ['-c', 'echo failing; exit 3'], cwd: dir, env: process.env, logFile: join(dir, 'log') });
    expect(result.exitCode).toBe(3);
    expect(describeExit(result)).toBe('exited with code 3');
  });

  it('kills the whole process group past the timeout (workers included)', async () => {
    const marker = `yolops-test-worker-${process.pid}-${Date.now()}`;
    const started = Date.now();
    const result = await runContainerProcess({ command: 'bash', args: ['-c', `bash -c "exec -a ${marker} sleep 30" & wait`], cwd: dir, env: process.env, logFile: join(dir, 'log'), timeoutSeconds: 0.5 });
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(result.timedOut).toBe(true);
    expect(describeExit(result, 0.5)).toBe('stopped after MaxRuntimeInSeconds (0.5 s)');
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(marker)).toBe(false);
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runContainerProcess({ command: 'sleep', args: ['30'], cwd: dir, env: process.env, logFile: join(dir, 'log'), signal: controller.signal });
    expect(result.aborted).toBe(true);
    expect(describeExit(result)).toBe('stopped before it finished (the run was interrupted)');
  });

  it('fails when the command does not exist', async () => {
    await expect(runContainerProcess({ command: join(dir, 'missing'), args: [], cwd: dir, env: process.env, logFile: join(dir, 'log') })).rejects.toThrow(/ENOENT/);
  });
});

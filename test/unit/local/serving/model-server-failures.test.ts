// How a server's start and end are noticed: real child processes (a few lines of Node's http server), since
// what matters is what the process does on the wire and when it exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, startGroupServer } from '../../../../src/local/process-group.ts';
import { loadFailureReason } from '../../../../src/local/serving/model-server.ts';

const work = mkdtempSync(join(tmpdir(), 'yolops-group-server-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A server answering /ping with `status` and `{"error": error}` (200: `{}`). */
function pingServer(port: number, status: number, error: string): string[] {
  const body = status === 200 ? '{}' : JSON.stringify({ error });
  return ['-e', `require('node:http').createServer((q, s) => { s.writeHead(${status}, {'content-type': 'application/json'}); s.end(${JSON.stringify(body)}); }).listen(${port}, '127.0.0.1'); console.log('listening');`];
}

describe('loadFailureReason', () => {
  it("reads the reason from the server's 503 'the model failed to load' answer only", () => {
    expect(loadFailureReason({ status: 503, body: '{"error": "the model failed to load: Cannot load /w/best.pt: bad magic. Fix: serve a yolops best.pt."}' })).toBe(
      'Cannot load /w/best.pt: bad magic. Fix: serve a yolops best.pt.',
    );
    expect(loadFailureReason({ status: 503, body: JSON.stringify({ error: 'the model failed to load: Cannot load best.pt: ERROR\n  not a checkpoint\n' }) })).toBe('Cannot load best.pt: ERROR not a checkpoint');
    expect(loadFailureReason({ status: 503, body: '{"error": "the model is loading"}' })).toBeUndefined();
    expect(loadFailureReason({ status: 503, body: '<html>busy</html>' })).toBeUndefined();
    expect(loadFailureReason({ status: 500, body: '{"error": "the model failed to load: x"}' })).toBeUndefined();
  });
});

describe('startGroupServer', () => {
  it('gives up at once when the health answer says the server will never be ready', async () => {
    const port = await freeLoopbackPort();
    const started = Date.now();
    const failure = await startGroupServer({
      name: 'test server',
      command: process.execPath,
      args: pingServer(port, 503, 'the model failed to load: no weights'),
      logFile: join(work, 'never.log'),
      healthUrl: `http://127.0.0.1:${port}/ping`,
      startTimeoutMs: 60_000,
      startFailure: loadFailureReason,
    }).catch((e: unknown) => e);
    expect((failure as Error).message).toMatch(/^test server cannot start: no weights; last lines of .*never\.log:\nlistening/);
    expect(Date.now() - started).toBeLessThan(15_000);
    // The group was stopped before the error was thrown: the port is free again.
    await expect(fetch(`http://127.0.0.1:${port}/ping`)).rejects.toThrow();
  }, 30_000);

  it('tells its holder when the server exits on its own, and not when it was stopped', async () => {
    const start = async (log: string): Promise<Awaited<ReturnType<typeof startGroupServer>>> => {
      const port = await freeLoopbackPort();
      return startGroupServer({ name: 'test server', command: process.execPath, args: pingServer(port, 200, ''), logFile: join(work, log), healthUrl: `http://127.0.0.1:${port}/ping`, startTimeoutMs: 20_000 });
    };
    const crashing = await start('crash.log');
    process.kill(-crashing.pgid, 'SIGKILL');
    expect(await crashing.exited).toEqual({ code: null, signal: 'SIGKILL', stopped: false });
    expect(await crashing.logTail()).toContain('listening');
    await crashing.stop();

    const stopped = await start('stop.log');
    await stopped.stop();
    expect(await stopped.exited).toMatchObject({ stopped: true });
  }, 40_000);
});

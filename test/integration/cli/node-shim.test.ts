// bin/yolops.js started by a Node.js other than 24 re-runs the CLI on the Node 24 in node_modules. A signal sent to
// that first process (kill, a closed terminal) must reach the CLI, or the runner would go on without anyone
// waiting for it. Runs where the machine has another Node (this project's machines have Node 20 as `node`);
// skipped, and says so, where it has none.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-shim-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const otherNode = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].find((path) => {
  if (!existsSync(path)) return false;
  const version = spawnSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  return version !== '' && !version.startsWith('24.');
});

async function reachable(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

describe.skipIf(otherNode === undefined)(`bin/yolops.js on another Node (${otherNode ?? 'none on this machine'})`, () => {
  it('passes SIGTERM on to the CLI on Node 24: the MLflow UI it serves stops and nothing is left running', async () => {
    const shim = spawn(otherNode as string, [join(repo, 'bin', 'yolops.js'), 'mlflow'], {
      cwd: repo,
      env: { ...process.env, YOLOPS_HOME: join(work, 'home'), MLFLOW_TRACKING_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      shim.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /MLflow UI: (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match?.[1]) resolve(match[1]);
      });
      shim.on('exit', (code) => reject(new Error(`yolops mlflow ended (exit ${code}) before serving:\n${stderr}`)));
    });
    expect(await reachable(url)).toBe(true);

    const exited = new Promise<number | null>((resolve) => shim.on('exit', (code) => resolve(code)));
    shim.kill('SIGTERM');
    expect(await exited).toBe(0);
    // The server's process group went with the CLI: the address answers no more.
    expect(await reachable(url)).toBe(false);
  }, 120_000);
});

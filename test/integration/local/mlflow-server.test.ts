import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../src/local/layout.ts';
import { MlflowClient } from '../../../src/local/mlflow/mlflow-client.ts';
import { MlflowServerError, startMlflowServer } from '../../../src/local/mlflow/mlflow-server.ts';
import { freeLoopbackPort, groupAlive } from '../../../src/local/process-group.ts';
import { pythonEnvironment } from '../../../src/local/python-env.ts';
import { processesMentioning } from './helpers.ts';

const python = pythonEnvironment(join(REPO_ROOT, '.venv'));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-mlflow-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('MLflow server manager', () => {
  it('starts a real server with sqlite and proxied artifacts, and stops its whole process group', async () => {
    const server = await startMlflowServer({ python, backendStoreDb: join(dir, 'mlflow', 'mlflow.db'), artifactsDir: join(dir, 'artifacts') });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(await (await fetch(`${server.url}/health`)).text()).toBe('OK');
      const response = await fetch(`${server.url}/api/2.0/mlflow/experiments/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'yolo-training' }) });
      expect(response.ok).toBe(true);
      const client = new MlflowClient(server.url);
      expect(await client.experimentId('yolo-training')).toMatch(/^\d+$/);
      expect(await client.experimentId('nope')).toBeUndefined();
      expect(await client.findExecutionRun('yolo-training', 'abc')).toBeUndefined();
      expect(processesMentioning(dir).length).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
    expect(groupAlive(server.pgid)).toBe(false);
    expect(processesMentioning(dir)).toEqual([]);
    await server.stop(); // a second stop is a no-op
  });

  it('reports a server that exits while starting, with the end of its log', async () => {
    // A stand-in `mlflow` that fails the way a broken install or store does.
    const fake = join(dir, 'fake-venv');
    await mkdir(join(fake, 'bin'), { recursive: true });
    await writeFile(join(fake, 'bin', 'mlflow'), '#!/usr/bin/env bash\necho "sqlalchemy.exc.OperationalError: unable to open database file" >&2\nexit 3\n', { mode: 0o755 });
    const error = await startMlflowServer({ python: pythonEnvironment(fake), backendStoreDb: join(dir, 'c', 'mlflow.db'), artifactsDir: join(dir, 'c-art') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowServerError);
    expect((error as Error).message).toMatch(/MLflow server exited while starting \(code 3\); last lines of .*server\.log:\n.*unable to open database file/s);
  });

  it('refuses a port another server holds (it would answer /health in its place) and leaves no process', async () => {
    const port = await freeLoopbackPort();
    const blocker = await startMlflowServer({ python, backendStoreDb: join(dir, 'a', 'mlflow.db'), artifactsDir: join(dir, 'a-art'), port });
    try {
      const error = await startMlflowServer({ python, backendStoreDb: join(dir, 'b', 'mlflow.db'), artifactsDir: join(dir, 'b-art'), port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MlflowServerError);
      expect((error as Error).message).toBe(`port ${port} on 127.0.0.1 is in use: pick another (or leave the port to the runner)`);
      expect(processesMentioning(join(dir, 'b'))).toEqual([]);
    } finally {
      await blocker.stop();
    }
  });
});

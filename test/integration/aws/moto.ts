import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonEnvironment } from '../../../src/local/python-env.ts';
import { REPO_ROOT } from '../../../src/local/layout.ts';
import { freeLoopbackPort, startGroupServer, type GroupServer } from '../../../src/local/process-group.ts';

/** Account and region moto answers for (its default account), and the credentials every client uses with it. */
export const MOTO_ACCOUNT = '123456789012';
export const MOTO_REGION = 'us-east-1';

export interface AwsClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle: true;
}

export interface MotoServer {
  endpoint: string;
  pgid: number;
  logFile: string;
  /** The config to build any AWS SDK v3 client against this server. */
  clientConfig: AwsClientConfig;
  /** Forgets every bucket, pipeline, topic and queue (POST /moto-api/reset), so a test starts from nothing. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts moto's server (from the project's .venv, installed by the dev lock) on a free loopback port, in its own
 * process group, and resolves once it answers. Tests start it in `beforeAll` and stop it in `afterAll`; the exit
 * hooks of process-group.ts kill it if a test run dies first.
 */
export async function startMoto(): Promise<MotoServer> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const logFile = join(mkdtempSync(join(tmpdir(), 'yolops-moto-')), 'moto.log');
  const python = pythonEnvironment(join(REPO_ROOT, '.venv'));
  const server: GroupServer = await startGroupServer({
    name: 'moto server',
    command: join(python.binDir, 'moto_server'),
    args: ['-H', '127.0.0.1', '-p', String(port)],
    // No real credentials or endpoints of the caller's may leak into moto or out of it.
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), PYTHONUNBUFFERED: '1', AWS_DEFAULT_REGION: MOTO_REGION },
    logFile,
    healthUrl: `${endpoint}/moto-api/`,
    startTimeoutMs: 60_000,
  });
  return {
    endpoint,
    pgid: server.pgid,
    logFile,
    clientConfig: { endpoint, region: MOTO_REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, forcePathStyle: true },
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}: ${await response.text()}`);
    },
    stop: server.stop,
  };
}

import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { synthesizeDataset, type SynthesizedDataset } from '../../../src/core/dataset/index.ts';
import { synthesizeTrainingPipelineFromFiles } from '../../../src/core/pipeline/index.ts';
import type { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import type { JsonObject } from '../../../src/local/json.ts';
import { REPO_ROOT } from '../../../src/local/layout.ts';

export const CONTEXT = { project_name: 'yolops', aws_account_id: '123456789012' } as const;
export const TRAINING_BUCKET = 'yolops-training-data-123456789012';
export const ARTIFACTS_BUCKET = 'yolops-model-artifacts-123456789012';

/** The compiler's real output for this repository's config (what `yolops pipeline synth` prints). */
export function compiledDefinition(): JsonObject {
  return JSON.parse(synthesizeTrainingPipelineFromFiles({ root: REPO_ROOT }).json) as JsonObject;
}

/** Tiny CPU trainings: a couple of epochs on 64 px images (docs: seconds per epoch on 2 cores). */
export const TINY_TRAINING = { Epochs: 2, ImageSize: 64, BatchSize: '8', Model: 'yolo11n.yaml', Patience: 0, Seed: 0 } as const;

/** The environment jobs get in tests: offline Ultralytics, both cores, no tracking server of the caller's. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, YOLO_OFFLINE: 'true', OMP_NUM_THREADS: '2', ...extra };
  if (!('MLFLOW_TRACKING_URI' in extra)) delete env['MLFLOW_TRACKING_URI'];
  if (!('YOLOPS_WEBHOOK_URL' in extra)) delete env['YOLOPS_WEBHOOK_URL'];
  return env;
}

export async function tinyDataset(store: FolderObjectStore, version: string): Promise<SynthesizedDataset> {
  await store.createBucket(TRAINING_BUCKET);
  return synthesizeDataset({ store, bucket: TRAINING_BUCKET, prefix: `split_dataset/${version}/`, trainImages: 24, valImages: 8, imageSize: 64, seed: 7 });
}

export interface WebhookReceiver {
  url: string;
  received: JsonObject[];
  /** HTTP status to answer with, per request in order (then 200). */
  answers: number[];
  close(): Promise<void>;
}

/** A real HTTP server on loopback that records JSON POSTs. */
export async function webhookReceiver(): Promise<WebhookReceiver> {
  const received: JsonObject[] = [];
  const answers: number[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const status = answers.shift() ?? 200;
      if (status === 200) received.push({ method: request.method ?? '', contentType: request.headers['content-type'] ?? '', body: JSON.parse(body) as JsonObject });
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status === 200 ? 'ok' : `status ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}/hooks/yolops?token=secret`,
    received,
    answers,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

/** Command lines of live processes mentioning `needle` (e.g. a test's root folder). */
export function processesMentioning(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(needle) && !/\sZ/.test(line.slice(0, 20)) && !line.includes('ps -eo'));
}

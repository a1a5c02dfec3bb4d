import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeDataset, type SynthesizedDataset } from '../../../src/core/dataset/index.ts';
import { synthesizeTrainingPipelineFromFiles } from '../../../src/core/pipeline/index.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
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

/**
 * A COCO detection export of a synthetic dataset, as a labelling tool writes one: every image (both splits of the
 * synthesized YOLO dataset, unsplit) under `images/`, and `annotations.json` with pixel boxes and 1-based
 * category ids. Written to `dir`, a plain folder; returns the class names and the image count.
 */
export async function writeCocoExport(dir: string, options: { images: number; imageSize: number; seed: number }): Promise<{ names: string[]; images: number }> {
  const scratch = await mkdtemp(join(tmpdir(), 'yolops-coco-src-'));
  try {
    const store = new FolderObjectStore({ root: scratch });
    await store.createBucket('synth');
    const trainImages = Math.ceil(options.images * 0.75);
    const synthesized = await synthesizeDataset({ store, bucket: 'synth', prefix: 'yolo/', trainImages, valImages: options.images - trainImages, imageSize: options.imageSize, seed: options.seed, backgroundFraction: 0 });
    const root = join(scratch, 'synth', 'yolo');
    const size = options.imageSize;
    const images: JsonObject[] = [];
    const annotations: JsonObject[] = [];
    await mkdir(join(dir, 'images'), { recursive: true });
    for (const split of ['train', 'val']) {
      for (const file of (await readdir(join(root, 'images', split))).sort()) {
        const id = images.length + 1;
        const fileName = `${split}-${file}`;
        await copyFile(join(root, 'images', split, file), join(dir, 'images', fileName));
        images.push({ id, file_name: fileName, width: size, height: size });
        const labels = await readFile(join(root, 'labels', split, file.replace(/\.png$/, '.txt')), 'utf8');
        for (const line of labels.split('\n').filter((l) => l.trim() !== '')) {
          const [cls, cx, cy, w, h] = line.trim().split(/\s+/).map(Number) as [number, number, number, number, number];
          const bbox = [(cx - w / 2) * size, (cy - h / 2) * size, w * size, h * size];
          annotations.push({ id: annotations.length + 1, image_id: id, category_id: cls + 1, bbox, area: w * size * h * size, iscrowd: 0 });
        }
      }
    }
    const categories = synthesized.names.map((name, index) => ({ id: index + 1, name, supercategory: 'shape' }));
    await writeFile(join(dir, 'annotations.json'), JSON.stringify({ info: { description: 'synthetic shapes' }, images, annotations, categories }));
    return { names: synthesized.names, images: images.length };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Polls `predicate` every 50 ms until it holds; fails the test after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

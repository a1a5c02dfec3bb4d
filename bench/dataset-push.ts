// `yolops dataset push` against `aws s3 cp --recursive` (AWS CLI v1), uploading the same dataset folder of
// about 10,000 small files to the same moto server, side by side in one run, in alternating order:
//
//   (a) loopback: through a counting proxy (bench/latency-proxy.ts) that adds no latency, so both tools' requests
//       are counted the same way; moto, one Python process, bounds both sides here.
//   (b) latency:  the same proxy holding every request --latency-ms (default 20 ms) before forwarding it, a model
//       of S3's first-byte latency, where requests in flight overlap their waits.
//
// Each upload goes to a fresh, empty bucket (moto is reset first), so every run uploads every file. Then the
// same folder is pushed again unchanged onto the last push's destination: seconds and requests (counted by the
// proxy), beside `aws s3 sync` of the same unchanged folder. With --concurrency-sweep, `yolops dataset push` is
// also timed at each of those concurrencies in mode (b), to choose its default.
//
//   node bench/dataset-push.ts [--files 10000] [--rounds 2] [--latency-ms 20] [--modes loopback,latency]
//                              [--concurrency-sweep 8,16,32,64] [--image-size 48]
//
// Both tools run as the processes a person starts (`node bin/yolops.js`, `aws`), so their start-up is in the
// time, and the push's validation of the folder too (it is part of the command). The dataset is valid (a
// synthetic one: 48-pixel PNGs of about 2-3 KB, label files, data.yaml), so nothing needs --force.
// AWS CLI v1 comes from PyPI, installed by uv into a venv in the bench's scratch folder, never into the
// project's Python environment (its botocore pin conflicts with moto's).
// Target: push at least 2x faster than `aws s3 cp --recursive` (its default of 10 requests in flight).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/aws/clients.ts';
import { synthesizeDataset } from '../src/core/dataset/index.ts';
import { FolderObjectStore } from '../src/local/folder-object-store.ts';
import { REPO_ROOT } from '../src/local/layout.ts';
import { startMoto, type MotoServer } from '../test/integration/aws/moto.ts';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.ts';

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '2' },
    'latency-ms': { type: 'string', default: '20' },
    modes: { type: 'string', default: 'loopback,latency' },
    'concurrency-sweep': { type: 'string', default: '' },
    'image-size': { type: 'string', default: '48' },
  },
});
const wholeNumber = (name: string, text: string, min: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`);
  return n;
};
const files = wholeNumber('files', values.files, 10);
const rounds = wholeNumber('rounds', values.rounds, 1);
const latencyMs = wholeNumber('latency-ms', values['latency-ms'], 0);
const imageSize = wholeNumber('image-size', values['image-size'], 32);
const sweep = values['concurrency-sweep'] === '' ? [] : values['concurrency-sweep'].split(',').map((s) => wholeNumber('concurrency-sweep', s.trim(), 1));
type Mode = 'loopback' | 'latency';
const modes = values.modes.split(',').map((m) => m.trim()) as Mode[];
for (const m of modes) if (m !== 'loopback' && m !== 'latency') throw new RangeError(`--modes takes loopback and/or latency, got ${JSON.stringify(m)}`);

const BUCKET = 'yolops-training-data-123456789012';
/** Synthetic images with objects get a label file; the synthesizer leaves about 10% as background images. */
const FILES_PER_IMAGE = 1.9;

interface Timing {
  seconds: number;
  requests: number;
}

const scratch = mkdtempSync(join(tmpdir(), 'yolops-bench-push-'));
let moto: MotoServer | undefined;
const proxies: LatencyProxy[] = [];

function run(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(command, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status}: ${result.stderr.slice(-2000)}`);
}

/** AWS CLI v1 in its own venv under the scratch folder. */
function installAwsCli(): string {
  const venv = join(scratch, 'awscli-venv');
  run('uv', ['venv', '--quiet', venv], process.env);
  run('uv', ['pip', 'install', '--quiet', '--python', join(venv, 'bin', 'python'), 'awscli'], process.env);
  return join(venv, 'bin', 'aws');
}

async function makeDataset(): Promise<{ dir: string; count: number; bytes: number }> {
  const store = new FolderObjectStore({ root: join(scratch, 'datasets') });
  await store.createBucket('dataset');
  const images = Math.max(2, Math.round((files - 1) / FILES_PER_IMAGE));
  const valImages = Math.max(1, Math.round(images * 0.2));
  const result = await synthesizeDataset({ store, bucket: 'dataset', trainImages: images - valImages, valImages, imageSize, seed: 11, concurrency: 32 });
  return { dir: store.bucketPath('dataset'), count: result.files, bytes: result.bytes };
}

/** A project folder deployed to moto's region, so `yolops --target aws` finds its bucket names there. */
function makeProject(): string {
  const project = join(scratch, 'project');
  mkdirSync(project);
  const cdk = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  writeFileSync(join(project, 'cdk.json'), JSON.stringify({ ...cdk, context: { ...cdk.context, aws_region: 'us-east-1' } }));
  writeFileSync(join(project, 'training-config.json'), readFileSync(join(REPO_ROOT, 'training-config.json')));
  return project;
}

function awsEnv(endpoint: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: scratch,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(scratch, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'no-aws-credentials'),
    AWS_ENDPOINT_URL: endpoint,
    YOLOPS_TARGET: 'aws',
    YOLOPS_HOME: join(scratch, 'yolops-home'),
  };
}

async function freshBucket(server: MotoServer): Promise<void> {
  await server.reset();
  const client = createS3Client(server.clientConfig);
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  client.destroy();
}

async function timed(proxy: LatencyProxy, work: () => void): Promise<Timing> {
  await proxy.reset();
  const started = performance.now();
  work();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, requests: (await proxy.stats()).requests };
}

function yolopsPush(project: string, endpoint: string, dir: string, version: string, concurrency?: number): void {
  const args = [join(REPO_ROOT, 'bin', 'yolops.js'), 'dataset', 'push', dir, '--version', version, '--quiet', ...(concurrency === undefined ? [] : ['--concurrency', String(concurrency)])];
  const result = spawnSync(process.execPath, args, { cwd: project, env: awsEnv(endpoint), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`yolops dataset push exited with ${result.status}: ${result.stderr}`);
}

function awsCopy(aws: string, endpoint: string, dir: string, version: string, verb: 'cp' | 'sync'): void {
  const args = verb === 'cp' ? ['s3', 'cp', '--recursive', '--only-show-errors', dir, `s3://${BUCKET}/split_dataset/${version}/`] : ['s3', 'sync', '--only-show-errors', dir, `s3://${BUCKET}/split_dataset/${version}/`];
  const result = spawnSync(aws, ['--endpoint-url', endpoint, ...args], { env: awsEnv(endpoint), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`aws ${args.join(' ')} exited with ${result.status}: ${result.stderr}`);
}

const fmt = (t: Timing, count: number): string => `${t.seconds.toFixed(1).padStart(6)} s  ${Math.round(count / t.seconds).toString().padStart(5)} files/s  ${t.requests} requests`;

async function main(): Promise<void> {
  console.log(`machine: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const aws = installAwsCli();
  const awsVersion = spawnSync(aws, ['--version'], { encoding: 'utf8' });
  console.log(`AWS CLI: ${(awsVersion.stdout || awsVersion.stderr).trim()}`);
  const dataset = await makeDataset();
  console.log(`dataset: ${dataset.count} files, ${(dataset.bytes / 1e6).toFixed(1)} MB (${Math.round(dataset.bytes / dataset.count)} bytes per file on average)`);
  const project = makeProject();
  moto = await startMoto();
  for (const mode of modes) {
    const proxy = await startLatencyProxy(moto.endpoint, mode === 'latency' ? latencyMs : 0);
    proxies.push(proxy);
    console.log(`\n(${mode === 'latency' ? 'b' : 'a'}) ${mode}${mode === 'latency' ? ` (${latencyMs} ms per request)` : ' (counting proxy, no added latency)'}`);
    const push: Timing[] = [];
    const cp: Timing[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const pushFirst = (round + (mode === 'latency' ? 1 : 0)) % 2 === 0;
      for (const tool of pushFirst ? (['push', 'cp'] as const) : (['cp', 'push'] as const)) {
        await freshBucket(moto);
        const version = `bench-${mode}-${round}-${tool}`;
        const t = await timed(proxy, () => (tool === 'push' ? yolopsPush(project, proxy.endpoint, dataset.dir, version) : awsCopy(aws, proxy.endpoint, dataset.dir, version, 'cp')));
        (tool === 'push' ? push : cp).push(t);
        console.log(`  round ${round + 1}  ${tool === 'push' ? 'yolops dataset push      ' : 'aws s3 cp --recursive    '}${fmt(t, dataset.count)}`);
      }
    }
    const mean = (ts: Timing[]): number => ts.reduce((s, t) => s + t.seconds, 0) / ts.length;
    console.log(`  mean: push ${mean(push).toFixed(1)} s, aws s3 cp ${mean(cp).toFixed(1)} s: push is ${(mean(cp) / mean(push)).toFixed(2)}x faster (target >= 2x)`);

    // The last upload's destination holds the whole folder: push it again unchanged, and sync it unchanged.
    await freshBucket(moto);
    yolopsPush(project, proxy.endpoint, dataset.dir, 'bench-repush');
    const repush = await timed(proxy, () => yolopsPush(project, proxy.endpoint, dataset.dir, 'bench-repush'));
    console.log(`  re-push unchanged        ${repush.seconds.toFixed(1).padStart(6)} s  ${repush.requests} requests`);
    const resync = await timed(proxy, () => awsCopy(aws, proxy.endpoint, dataset.dir, 'bench-repush', 'sync'));
    console.log(`  aws s3 sync unchanged    ${resync.seconds.toFixed(1).padStart(6)} s  ${resync.requests} requests`);

    if (mode === 'latency') {
      for (const concurrency of sweep) {
        await freshBucket(moto);
        const t = await timed(proxy, () => yolopsPush(project, proxy.endpoint, dataset.dir, `bench-sweep-${concurrency}`, concurrency));
        console.log(`  push --concurrency ${String(concurrency).padEnd(5)} ${fmt(t, dataset.count)}`);
      }
    }
  }
}

try {
  await main();
} finally {
  for (const proxy of proxies) await proxy.stop();
  await moto?.stop();
  rmSync(scratch, { recursive: true, force: true });
}

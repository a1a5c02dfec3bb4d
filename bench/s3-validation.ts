// Dataset validation over S3, as the S3 trigger Lambda runs it before it starts a training (one paginated
// listing, then per image a ranged GET of its header and a GET of its label file, `concurrency` requests in
// flight), against the same validator with concurrency 1, which keeps exactly one request in flight
// (src/core/dataset: one listing page after the other, then each image's reads awaited before the next image's;
// the bench checks it: the serial runs must never have two requests in flight). Side by side in one run, on
// synthetic datasets of about 10,000 and 50,000 objects served by moto:
//
//   (a) loopback: the S3 client talks to moto directly. moto is one Python process, so its CPU time per request,
//       not the network, bounds both sides: this is the raw loopback figure, and it understates what
//       concurrency buys on S3.
//   (b) latency:  moto behind a proxy (bench/latency-proxy.ts, its own process) that holds every request
//       --latency-ms (default 20 ms) before forwarding it. This models S3's first-byte latency (~10-30 ms per
//       GET), where requests in flight overlap their waits. Requests are counted in the proxy.
//
//   node bench/s3-validation.ts [--objects 10000,50000] [--concurrency 32] [--latency-ms 20]
//                               [--modes loopback,latency] [--skip-serial-above N] [--image-size 32]
//
// Target: ratio (serial seconds / concurrent seconds) >= 10 at concurrency 32 (the trigger's setting) in (b).
// The reports of all runs on one dataset must be deep-equal, or the bench fails; a few faults are planted in each
// dataset so the reports carry problems, not only counts. The dataset is written to moto first (high write
// concurrency, small PNGs); that fill time is printed on its own line and is not part of any ratio.
// --skip-serial-above N leaves the serial runs out for datasets of more than N objects (no ratio is printed for
// them; nothing is extrapolated).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../src/aws/clients.ts';
import { S3ObjectStore } from '../src/aws/s3-object-store.ts';
import { synthesizeDataset, validateDataset, type DatasetValidation } from '../src/core/dataset/index.ts';
import { REPO_ROOT } from '../src/local/layout.ts';
import { startMoto, type MotoServer } from '../test/integration/aws/moto.ts';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.ts';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000,50000' },
    concurrency: { type: 'string', default: '32' },
    'latency-ms': { type: 'string', default: '20' },
    modes: { type: 'string', default: 'loopback,latency' },
    'skip-serial-above': { type: 'string' },
    'image-size': { type: 'string', default: '32' },
    'fill-concurrency': { type: 'string', default: '64' },
  },
});
const wholeNumber = (name: string, text: string, min: number): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`);
  return n;
};
const sizes = values.objects.split(',').map((s) => wholeNumber('objects', s.trim(), 20));
const concurrency = wholeNumber('concurrency', values.concurrency, 1);
const latencyMs = wholeNumber('latency-ms', values['latency-ms'], 0);
const skipSerialAbove = values['skip-serial-above'] === undefined ? Infinity : wholeNumber('skip-serial-above', values['skip-serial-above'], 0);
const imageSize = wholeNumber('image-size', values['image-size'], 32);
const fillConcurrency = wholeNumber('fill-concurrency', values['fill-concurrency'], 1);
type Mode = 'loopback' | 'latency';
const modes = values.modes.split(',').map((m) => m.trim());
for (const m of modes) if (m !== 'loopback' && m !== 'latency') throw new RangeError(`--modes takes loopback and/or latency, got ${JSON.stringify(m)}`);

const BUCKET = 'bench-validation';
const PREFIX = 'split_dataset/bench/';
/** Synthetic images with objects get a label file; the synthesizer leaves about 10% as background images. */
const OBJECTS_PER_IMAGE = 1.9;

interface Run {
  seconds: number;
  requests: number;
  maxInFlight: number;
  /** CPU seconds spent during the run by this process (the validator and the SDK), moto, and the proxy. */
  cpu: { client: number; moto: number; proxy: number };
  result: DatasetValidation;
}

/** CPU seconds (user + system) a process has used so far, from /proc; 0 where there is no /proc. */
function processCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command name (which may hold spaces): state is field 3, utime 14 and stime 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function cpuNow(moto: MotoServer, proxy: LatencyProxy | undefined): Run['cpu'] {
  const own = process.cpuUsage();
  return { client: (own.user + own.system) / 1e6, moto: processCpuSeconds(moto.pgid), proxy: processCpuSeconds(proxy?.pid) };
}

/** Counts the HTTP requests an S3 client sends (each attempt, retries included) and the most in flight at once. */
function countRequests(client: S3Client): { requests: number; maxInFlight: number } {
  const counter = { requests: 0, maxInFlight: 0 };
  let inFlight = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.requests += 1;
      inFlight += 1;
      counter.maxInFlight = Math.max(counter.maxInFlight, inFlight);
      try {
        return await next(args);
      } finally {
        inFlight -= 1;
      }
    },
    { step: 'finalizeRequest', priority: 'low', name: 'benchRequestCounter' },
  );
  return counter;
}

async function validateOnce(moto: MotoServer, endpoint: string, proxy: LatencyProxy | undefined, runConcurrency: number): Promise<Run> {
  // A fresh client per run, as a fresh Lambda has: sockets are opened inside the measured time on both sides.
  const client = createS3Client({ endpoint, region: moto.clientConfig.region, credentials: moto.clientConfig.credentials });
  const counter = countRequests(client);
  await proxy?.reset();
  const cpuBefore = cpuNow(moto, proxy);
  const started = performance.now();
  const result = await validateDataset(new S3ObjectStore(client), { bucket: BUCKET, prefix: PREFIX }, { concurrency: runConcurrency });
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuNow(moto, proxy);
  const cpu = { client: cpuAfter.client - cpuBefore.client, moto: cpuAfter.moto - cpuBefore.moto, proxy: cpuAfter.proxy - cpuBefore.proxy };
  client.destroy();
  if (proxy) {
    const stats = await proxy.stats();
    if (stats.requests !== counter.requests) console.warn(`  note: the proxy forwarded ${stats.requests} requests, the client sent ${counter.requests}`);
    return { seconds, requests: stats.requests, maxInFlight: stats.maxInFlight, cpu, result };
  }
  return { seconds, requests: counter.requests, maxInFlight: counter.maxInFlight, cpu, result };
}

/** Writes a synthetic dataset of about `objects` objects to moto, plus a few faults; returns the objects written. */
async function fill(moto: MotoServer, objects: number): Promise<{ objects: number; bytes: number; seconds: number }> {
  const client = createS3Client({ endpoint: moto.endpoint, region: moto.clientConfig.region, credentials: moto.clientConfig.credentials });
  const store = new S3ObjectStore(client);
  const started = performance.now();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const images = Math.max(2, Math.round((objects - 1 - FAULTS.length) / OBJECTS_PER_IMAGE));
  const valImages = Math.max(1, Math.round(images * 0.2));
  const dataset = await synthesizeDataset({ store, bucket: BUCKET, prefix: PREFIX, trainImages: images - valImages, valImages, imageSize, seed: 7, concurrency: fillConcurrency });
  const aValidImage = await store.get(BUCKET, `${PREFIX}images/val/val_00000.png`);
  let bytes = dataset.bytes;
  for (const fault of FAULTS) {
    const body = fault.body === 'valid-png' ? aValidImage : fault.body;
    await store.put(BUCKET, `${PREFIX}${fault.key}`, body);
    bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  }
  const seconds = (performance.now() - started) / 1000;
  client.destroy();
  return { objects: dataset.files + FAULTS.length, bytes, seconds };
}

/** Planted problems, so the compared reports hold problems and not only counts. */
const FAULTS: { key: string; body: string | Uint8Array | 'valid-png' }[] = [
  { key: 'images/train/zz_corrupt.png', body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5, 6, 7, 8]) },
  { key: 'labels/train/zz_orphan.txt', body: '0 0.5 0.5 0.2 0.2\n' },
  { key: 'images/val/zz_bad_label.png', body: 'valid-png' },
  { key: 'labels/val/zz_bad_label.txt', body: '0 0.5 0.5 0.2 0.2\n9 0.5 0.5 0.2 0.2\n0 1.7 0.5 0.2 0.2\n' },
  { key: 'images/train/notes.md', body: 'not an image\n' },
];

function motoVersion(): string {
  const out = spawnSync(join(REPO_ROOT, '.venv', 'bin', 'python'), ['-c', 'import moto; print(moto.__version__)'], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : 'unknown';
}

const f1 = (n: number): string => n.toFixed(1);
const f2 = (n: number): string => n.toFixed(2);

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')).join('\n');
}

console.log(`S3 dataset validation: serial (concurrency 1) vs concurrency ${concurrency}, on moto ${motoVersion()}`);
console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load average ${loadavg().map(f2).join(' ')} at start, Node ${process.version}`);
console.log(`modes: ${modes.map((m) => (m === 'loopback' ? '(a) loopback = moto direct, raw loopback figure (moto CPU-bound)' : `(b) latency = moto behind a proxy adding ${latencyMs} ms per request, models S3's first-byte latency`)).join('; ')}`);

const moto = await startMoto();
let proxy: LatencyProxy | undefined;
let failed = false;
try {
  if (modes.includes('latency')) proxy = await startLatencyProxy(moto.endpoint, latencyMs);
  for (const size of sizes) {
    await moto.reset();
    const filled = await fill(moto, size);
    console.log(`\n== about ${size} objects: filled ${filled.objects} objects (${f1(filled.bytes / 1e6)} MB, ${imageSize} px PNGs) in ${f1(filled.seconds)} s (${Math.round(filled.objects / filled.seconds)} objects/s, ${fillConcurrency} writes in flight, straight to moto)`);
    const serialToo = filled.objects <= skipSerialAbove;
    if (!serialToo) console.log(`   serial runs skipped: ${filled.objects} objects > --skip-serial-above ${skipSerialAbove}; no ratio for this size`);
    const rows = [['mode', 'objects', 'requests', 'serial s', `c=${concurrency} s`, 'ratio', 'serial req/s', `c=${concurrency} req/s`, 'max in flight s/c']];
    let reference: { label: string; result: DatasetValidation } | undefined;
    const cpuLines: string[] = [];
    const concurrentRate: Partial<Record<Mode, number>> = {};
    for (const mode of modes as Mode[]) {
      const endpoint = mode === 'latency' && proxy ? proxy.endpoint : moto.endpoint;
      const via = mode === 'latency' ? proxy : undefined;
      const serial = serialToo ? await validateOnce(moto, endpoint, via, 1) : undefined;
      const parallel = await validateOnce(moto, endpoint, via, concurrency);
      for (const [label, run] of [[`${mode} serial`, serial], [`${mode} c=${concurrency}`, parallel]] as const) {
        if (!run) continue;
        if (!reference) reference = { label, result: run.result };
        else if (!isDeepStrictEqual(run.result, reference.result)) {
          failed = true;
          console.error(`   MISMATCH: the ${label} report differs from the ${reference.label} report`);
          console.error(`   ${reference.label}: ${JSON.stringify(reference.result).slice(0, 2000)}`);
          console.error(`   ${label}: ${JSON.stringify(run.result).slice(0, 2000)}`);
        }
      }
      if (serial && serial.maxInFlight !== 1) {
        failed = true;
        console.error(`   NOT SERIAL: the ${mode} serial run had ${serial.maxInFlight} requests in flight at once`);
      }
      const cpu = (label: string, run: Run): string => {
        const total = run.cpu.client + run.cpu.moto + run.cpu.proxy;
        return `${label} ${f1(run.cpu.client)} client + ${f1(run.cpu.moto)} moto${via ? ` + ${f1(run.cpu.proxy)} proxy` : ''} in ${f1(run.seconds)} s wall ` +
          `(${f2((1000 * run.cpu.client) / run.requests)} + ${f2((1000 * run.cpu.moto) / run.requests)} ms/request; ${f2(total / run.seconds)} of ${cpus().length} cores busy)`;
      };
      cpuLines.push(`   CPU s, ${mode}: ${[serial ? cpu('serial', serial) : undefined, cpu(`c=${concurrency}`, parallel)].filter(Boolean).join('; ')}`);
      concurrentRate[mode] = parallel.requests / parallel.seconds;
      if (serial && serial.requests !== parallel.requests) console.log(`   note: ${mode}: the serial run sent ${serial.requests} requests, the concurrent one ${parallel.requests} (retries?)`);
      rows.push([
        mode === 'loopback' ? '(a) loopback' : `(b) +${latencyMs} ms`,
        String(filled.objects),
        String(parallel.requests),
        serial ? f1(serial.seconds) : 'skipped',
        f1(parallel.seconds),
        serial ? `${f1(serial.seconds / parallel.seconds)}x` : 'n/a',
        serial ? String(Math.round(serial.requests / serial.seconds)) : 'n/a',
        String(Math.round(parallel.requests / parallel.seconds)),
        `${serial ? serial.maxInFlight : '-'}/${parallel.maxInFlight}`,
      ]);
    }
    const r = reference?.result;
    if (r) console.log(`   report: valid=${r.valid}, ${r.errors} errors, ${r.warnings} warnings, ${r.summary.totals.images} images, ${r.summary.totals.labelFiles} label files, ${r.summary.imagesInspected} inspected; all runs deep-equal: ${failed ? 'NO' : 'yes'}`);
    console.log(table(rows).replace(/^/gm, '   '));
    for (const line of cpuLines) console.log(line);
    const { loopback, latency } = concurrentRate;
    if (loopback !== undefined && latency !== undefined && latency >= 0.8 * loopback) {
      console.log(`   (b) at c=${concurrency} ran at ${Math.round((100 * latency) / loopback)}% of the loopback c=${concurrency} rate: bound by CPU on this machine (moto + client + proxy per request), not by the added latency`);
    }
  }
  console.log(`\nload average ${loadavg().map(f2).join(' ')} at the end. Target: ratio >= 10x in (b) at concurrency 32; (a) shows moto's own throughput bound.`);
} finally {
  await proxy?.stop();
  await moto.stop();
}
if (failed) process.exitCode = 1;

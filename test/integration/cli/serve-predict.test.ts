// `yolops serve` and `yolops predict` as a user runs them: a version trained and registered by a real (tiny) run,
// served by the real inference server in its own process group, and real images sent to it over HTTP.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-serve-'));
const home = join(work, 'home');
const dataset = join(work, 'dataset');
const env = { ...process.env, YOLOPS_HOME: home, YOLO_OFFLINE: 'true', OMP_NUM_THREADS: '2', MLFLOW_TRACKING_URI: '', YOLOPS_DEBUG: '', YOLOPS_ENDPOINT: '' };

function yolops(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repo, 'bin', 'yolops.js'), ...args], { cwd: repo, encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Two validation images of the synthetic dataset (64 x 64 PNGs). */
let images: string[] = [];
let serve: ChildProcess | undefined;
let serveExit: Promise<number | null> | undefined;

function stopServe(signal: NodeJS.Signals): void {
  // The CLI runs in its own process group (detached); its SIGTERM handler stops the server's group.
  if (serve?.pid !== undefined && serve.exitCode === null && serve.signalCode === null) process.kill(-serve.pid, signal);
}

beforeAll(() => {
  const synth = yolops('dataset', 'synth', dataset, '--train', '16', '--val', '8', '--image-size', '64');
  expect(synth.status, synth.stderr).toBe(0);
  const run = yolops('run', '--dataset', dataset, '--param', 'Epochs=1', '--param', 'ImageSize=64', '--param', 'BatchSize=8', '--param', 'QualityThreshold=0', '--json');
  expect(run.status, run.stderr).toBe(0);
  images = readdirSync(join(dataset, 'images', 'val')).sort().slice(0, 2).map((n) => join(dataset, 'images', 'val', n));
}, 150_000);

afterAll(async () => {
  stopServe('SIGTERM');
  await Promise.race([serveExit, new Promise((r) => setTimeout(r, 15_000))]);
  stopServe('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}, 30_000);

describe('yolops serve and predict (local)', () => {
  let endpoint = '';

  it('refuses to serve when no version is Approved, and says how to approve one (exit 2)', () => {
    const result = yolops('serve');
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'yolops: no Approved version of yolops-yolo-models in the local registry to serve: approve one with `yolops models approve <version>` (the newest is 1, PendingManualApproval), or name a version: `yolops serve 1`',
    ]);
    const aws = yolops('--target', 'aws', 'serve');
    expect(aws.status).toBe(2);
    expect(aws.stderr).toMatch(/^yolops: `yolops serve` runs a server on this machine \(leave out --target aws\); on AWS, approving a version deploys it to the staging endpoint/);
  });

  it('serves the newest Approved version on loopback and prints its endpoint', async () => {
    expect(yolops('models', 'approve', '1').status).toBe(0);
    const child = spawn(process.execPath, [join(repo, 'bin', 'yolops.js'), 'serve'], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    serve = child;
    serveExit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0] as string);
      });
      void serveExit?.then((code) => reject(new Error(`yolops serve exited with ${code}:\n${stderr}`)));
    });
    const match = /^serving yolops-yolo-models version 1 \(Approved\) at (http:\/\/127\.0\.0\.1:\d+\/invocations)$/.exec(line);
    expect(match, line).not.toBeNull();
    endpoint = match?.[1] as string;
    const ping = await fetch(endpoint.replace(/invocations$/, 'ping'));
    expect(ping.status).toBe(200);
    // Served as an endpoint would serve it: with the environment its registry entry records (runtime auto).
    const show = yolops('models', 'show', '1', '--json');
    expect(show.status, show.stderr).toBe(0);
    const registered = JSON.parse(show.stdout) as { inference?: { image: string; environment: Record<string, string>; contentTypes: string[]; responseMimeTypes: string[] } };
    expect(registered.inference).toMatchObject({ environment: { YOLOPS_INFERENCE_RUNTIME: 'auto' }, contentTypes: expect.arrayContaining(['image/jpeg', 'image/png']), responseMimeTypes: ['application/json'] });
    expect(registered.inference?.image).toMatch(/\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/yolops-inference:[\w.-]+$/);
    const pinged = (await ping.json()) as { runtime: string };
    const log = readFileSync(join(home, 'serving', 'yolops-yolo-models-v1', 'server.log'), 'utf8');
    expect(log).toContain(`yolops serve: runtime ${pinged.runtime} (faster on this machine: `);
  }, 120_000);

  it('prints the answers per image as JSON and writes annotated PNGs of each image size', () => {
    const saveDir = join(work, 'annotated');
    const result = yolops('predict', ...images, '--endpoint', endpoint, '--conf', '0.001', '--json', '--save-dir', saveDir);
    expect(result.status, result.stderr).toBe(0);
    const answers = JSON.parse(result.stdout) as { file: string; status: number; annotated: string; answer: { model: { version: string; runtime: string }; options: { conf: number }; predictions: { width: number; height: number; detections: { class_name: string; score: number; box: Record<string, number> }[] }[] } }[];
    expect(answers.map((a) => [a.file, a.status])).toEqual(images.map((i) => [i, 200]));
    for (const a of answers) {
      expect(a.answer.model.version).toMatch(/^sha256:[0-9a-f]{16}$/);
      expect(['torch', 'onnx']).toContain(a.answer.model.runtime);
      expect(a.answer.options.conf).toBe(0.001);
      expect(a.answer.predictions).toHaveLength(1);
      const [prediction] = a.answer.predictions;
      // The synthetic dataset's images are 64 x 64; the drawing keeps the size of the image it was drawn on.
      expect([prediction?.width, prediction?.height]).toEqual([64, 64]);
      for (const d of prediction?.detections ?? []) {
        expect(['red-square', 'green-disc', 'blue-triangle']).toContain(d.class_name);
        expect(d.score).toBeGreaterThanOrEqual(0.001);
        expect(Object.keys(d.box).sort()).toEqual(['x1', 'x2', 'y1', 'y2']);
      }
      expect(pngSize(a.annotated)).toEqual({ width: 64, height: 64 });
    }
    expect(readdirSync(saveDir).sort()).toEqual(images.map((i) => i.replace(/^.*\//, '').replace(/\.\w+$/, '.png')).sort());

    const table = yolops('predict', images[0] as string, '--endpoint', endpoint);
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^${images[0]}: (no detections|\\d+ detections?) \\(64x64, conf >= 0\\.25, [\\d.]+ ms\\)`));
  });

  it("gives a file that is not an image the server's reason and exit 1", () => {
    const notImage = join(work, 'notes.txt');
    writeFileSync(notImage, 'not an image\n');
    const result = yolops('predict', notImage, images[0] as string, '--endpoint', endpoint, '--json');
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toEqual([`yolops: ${notImage}: the server refused it (422): the body is not a JPEG, PNG, WEBP, BMP image`]);
    const answers = JSON.parse(result.stdout) as { file: string; status: number }[];
    expect(answers.map((a) => [a.file, a.status])).toEqual([[notImage, 422], [images[0], 200]]);
  });

  it('says in one line that nothing answers at an endpoint (exit 2)', async () => {
    const closed = `http://127.0.0.1:${await unusedPort()}/invocations`;
    const result = yolops('predict', images[0] as string, '--endpoint', closed);
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([`yolops: the endpoint ${closed} does not answer (ECONNREFUSED): start one with \`yolops serve\`, or name another with --endpoint or YOLOPS_ENDPOINT`]);
  });

  it('stops the server on SIGTERM', async () => {
    stopServe('SIGTERM');
    expect(await serveExit).toBe(0);
    await expect(fetch(endpoint.replace(/invocations$/, 'ping'))).rejects.toThrow();
  }, 30_000);
});

// Local deployment stages as a user runs them: `models approve` points staging at a version, `serve --stage
// staging` serves it behind a stable port and follows the stage (blue/green, no refused request), `models
// promote` points production at an Approved version, `models stages` lists both. Real CLI processes, a real tiny
// trained model, the real inference server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invocationAnswerSchema } from '../../../src/core/serving/invocation-answer.ts';
import type { ModelVersionRecord } from '../../../src/core/registry/model-version.ts';
import { parseS3Uri } from '../../../src/core/storage/s3-uri.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { extractTarGz, writeTarGz } from '../../../src/local/fs/tar-archive.ts';
import { localLayout, LocalModelRegistry, LocalStageStore, MODEL_VERSION_HEADER } from '../../../src/local/index.ts';
import { followerStateSchema } from '../../../src/local/stages/stage-followers.ts';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-stages-'));
const home = join(work, 'home');
const dataset = join(work, 'dataset');
const layout = localLayout(home);
// One runtime: timing torch against ONNX at each start would only slow the three starts down.
const env = { ...process.env, YOLOPS_HOME: home, YOLO_OFFLINE: 'true', OMP_NUM_THREADS: '2', MLFLOW_TRACKING_URI: '', YOLOPS_DEBUG: '', YOLOPS_ENDPOINT: '', YOLOPS_INFERENCE_RUNTIME: 'torch' };
const GROUP = 'yolops-yolo-models';

function yolops(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repo, 'bin', 'yolops.js'), ...args], { cwd: repo, encoding: 'utf8', env });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The server's name for a model: sha256 of best.pt, 16 hex digits (training/yolops_serving/model_loading.py). */
const contentVersion = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;

/** best.pt of each version, by registry version. */
const weights = new Map<number, Buffer>();
let image: Buffer;

/**
 * Registers a version as the Register step does, its model.tar.gz holding `bestPt` beside v1's other files.
 * A second training would cost another minute; v2 is v1's checkpoint saved again (other bytes: another model
 * version in the answers), v3 a best.pt that is no checkpoint at all (its server cannot load it).
 */
async function registerVariant(v1: ModelVersionRecord, unpacked: string, bestPt: Buffer, id: string): Promise<ModelVersionRecord> {
  const dir = join(work, id);
  mkdirSync(dir);
  const files = readdirSync(unpacked).filter((n) => n !== 'best.pt');
  for (const name of files) writeFileSync(join(dir, name), readFileSync(join(unpacked, name)));
  writeFileSync(join(dir, 'best.pt'), bestPt);
  const { bucket } = parseS3Uri(v1.artifactUri);
  const key = `pipelines/${id}/Train/output/model.tar.gz`;
  await writeTarGz(dir, ['best.pt', ...files], join(work, `${id}.tar.gz`));
  await new FolderObjectStore({ root: layout.buckets }).put(bucket, key, readFileSync(join(work, `${id}.tar.gz`)));
  const registry = new LocalModelRegistry(layout.registry);
  const record = await registry.register({ modelPackageGroupName: GROUP, artifactUri: `s3://${bucket}/${key}`, metrics: v1.metrics, lineage: { ...v1.lineage, executionId: id } });
  weights.set(record.version, bestPt);
  return record;
}

beforeAll(async () => {
  const synth = yolops('dataset', 'synth', dataset, '--train', '16', '--val', '8', '--image-size', '64');
  expect(synth.status, synth.stderr).toBe(0);
  const run = yolops('run', '--dataset', dataset, '--param', 'Epochs=1', '--param', 'ImageSize=64', '--param', 'BatchSize=8', '--param', 'QualityThreshold=0', '--json');
  expect(run.status, run.stderr).toBe(0);
  image = readFileSync(join(dataset, 'images', 'val', readdirSync(join(dataset, 'images', 'val')).sort()[0] as string));

  const v1 = await new LocalModelRegistry(layout.registry).get(GROUP, 1);
  const unpacked = join(work, 'v1');
  const { bucket, key } = parseS3Uri(v1.artifactUri);
  await extractTarGz(new FolderObjectStore({ root: layout.buckets }).objectPath(bucket, key), unpacked);
  weights.set(1, readFileSync(join(unpacked, 'best.pt')));
  const resaved = join(work, 'best-v2.pt');
  const python = spawnSync(
    join(repo, '.venv', 'bin', 'python'),
    ['-c', "import sys, torch; c = torch.load(sys.argv[1], map_location='cpu', weights_only=False); c['date'] = 'saved again for v2'; torch.save(c, sys.argv[2])", join(unpacked, 'best.pt'), resaved],
    { encoding: 'utf8', env },
  );
  expect(python.status, python.stderr).toBe(0);
  expect((await registerVariant(v1, unpacked, readFileSync(resaved), 'v2')).version).toBe(2);
  expect((await registerVariant(v1, unpacked, Buffer.from('not a checkpoint\n'), 'v3')).version).toBe(3);
  expect(contentVersion(weights.get(1) as Buffer)).not.toBe(contentVersion(weights.get(2) as Buffer));
}, 180_000);

/** `yolops serve --stage staging` running in its own process group, with its output as it comes. */
let serve: ChildProcess | undefined;
let serveExit: Promise<number | null> | undefined;
const output = { stdout: '', stderr: '' };

afterAll(async () => {
  if (serve?.pid !== undefined && serve.exitCode === null && serve.signalCode === null) {
    process.kill(-serve.pid, 'SIGTERM');
    await Promise.race([serveExit, new Promise((r) => setTimeout(r, 15_000))]);
  }
  rmSync(work, { recursive: true, force: true });
}, 30_000);

/** Resolves when `stream`'s text so far matches; fails if the serve process exits first or after `ms`. */
async function waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const match = pattern.exec(output[stream]);
    if (match) return match;
    if (serve?.exitCode !== null || Date.now() > deadline) throw new Error(`no ${pattern} on ${stream} (exit ${serve?.exitCode}):\n${output.stdout}\n${output.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Answer {
  ok: boolean;
  status: number;
  header: string | null;
  modelVersion?: string;
  error?: string;
}

async function predict(endpoint: string): Promise<Answer> {
  try {
    const response = await fetch(endpoint, { method: 'POST', body: image, headers: { 'content-type': 'image/png' } });
    const body: unknown = await response.json();
    if (response.status !== 200) return { ok: false, status: response.status, header: response.headers.get(MODEL_VERSION_HEADER), error: JSON.stringify(body) };
    return { ok: true, status: 200, header: response.headers.get(MODEL_VERSION_HEADER), modelVersion: invocationAnswerSchema.parse(body).model.version };
  } catch (error) {
    return { ok: false, status: 0, header: null, error: String(error) };
  }
}

describe('local stages: approve, serve --stage, promote', () => {
  let endpoint = '';

  it('approve points staging at the version; promote refuses a version that is not Approved (exit 2)', async () => {
    const approved = yolops('models', 'approve', '1');
    expect(approved.status, approved.stderr).toBe(0);
    expect(approved.stdout).toBe(`${GROUP} version 1: Approved\nstaging: none -> version 1 (a running \`yolops serve --stage staging\` switches to it)\n`);
    const staging = await new LocalStageStore(layout.stages).read('staging');
    expect(staging).toMatchObject({ stage: 'staging', modelPackageGroupName: GROUP, version: 1, history: [{ version: 1, previousVersion: null, action: 'approve' }] });

    const refused = yolops('models', 'promote', '2');
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trimEnd().split('\n')).toEqual([
      `yolops: model ${GROUP} version 2 is PendingManualApproval, not Approved: production takes only Approved versions; approve it first with \`yolops models approve 2\` (that also puts it in staging to try), then promote it`,
    ]);
    expect(await new LocalStageStore(layout.stages).read('production')).toBeUndefined();
  });

  it('serve --stage staging answers with version 1 at a stable address', async () => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'yolops.js'), 'serve', '--stage', 'staging'], { cwd: repo, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    serve = child;
    serveExit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
    const line = await waitFor('stdout', /^serving the staging stage \(yolops-yolo-models version 1\) at (http:\/\/127\.0\.0\.1:\d+\/invocations); it follows the stage\n/, 90_000);
    endpoint = line[1] as string;
    const answer = await predict(endpoint);
    expect(answer).toEqual({ ok: true, status: 200, header: '1', modelVersion: contentVersion(weights.get(1) as Buffer) });
  }, 100_000);

  it('switches to version 2 when it is approved, without refusing a request meanwhile', async () => {
    const answers: Answer[] = [];
    let switched = false;
    // Two clients sending one image after another, from before the approval until after the switch.
    const client = async (): Promise<void> => {
      while (!switched) answers.push(await predict(endpoint));
      for (let i = 0; i < 3; i++) answers.push(await predict(endpoint));
    };
    const clients = [client(), client()];
    const approved = yolops('models', 'approve', '2');
    expect(approved.stdout).toContain('staging: version 1 -> version 2');
    await waitFor('stdout', /^staging: switched from version 1 to version 2$/m, 90_000).finally(() => (switched = true));
    await Promise.all(clients);

    expect(answers.filter((a) => !a.ok)).toEqual([]);
    const seen = new Set(answers.map((a) => `${a.header} ${a.modelVersion}`));
    expect(seen).toEqual(new Set([`1 ${contentVersion(weights.get(1) as Buffer)}`, `2 ${contentVersion(weights.get(2) as Buffer)}`]));
    expect(await predict(endpoint)).toMatchObject({ header: '2', modelVersion: contentVersion(weights.get(2) as Buffer) });
  }, 100_000);

  it('promote points production at an Approved version; models stages shows both and who serves them', () => {
    const promoted = yolops('models', 'promote', '2', '--reason', 'tried in staging', '--wait');
    expect(promoted.status, promoted.stderr).toBe(0);
    expect(promoted.stdout).toBe('production: none -> version 2 (a running `yolops serve --stage production` switches to it)\n');
    // Only staging is being served: nothing follows production, so --wait has nothing to wait for.
    expect(promoted.stderr).toBe('no local server follows the production stage: `yolops serve --stage production` serves version 2\n');
    const again = yolops('models', 'promote', '2');
    expect(again.stdout).toMatch(/^production already names version 2 \(since \S+\)\n$/);

    const listed = yolops('models', 'stages', '--json');
    expect(listed.status, listed.stderr).toBe(0);
    const stages = JSON.parse(listed.stdout) as { stage: string; record: { version: number; history: { version: number; previousVersion: number | null; action: string; reason?: string }[] }; servedBy: unknown[] }[];
    expect(stages.map((s) => [s.stage, s.record.version, s.record.history.map((h) => [h.previousVersion, h.version, h.action, h.reason])])).toEqual([
      ['staging', 2, [[null, 1, 'approve', undefined], [1, 2, 'approve', undefined]]],
      ['production', 2, [[null, 2, 'promote', 'tried in staging']]],
    ]);
    const [follower] = stages[0]?.servedBy.map((f) => followerStateSchema.parse(f)) ?? [];
    expect(follower).toMatchObject({ stage: 'staging', pid: serve?.pid, endpoint, version: 2 });
    expect(stages[1]?.servedBy).toEqual([]);

    const table = yolops('models', 'stages').stdout.split('\n');
    expect(table[0]).toMatch(/^stage +version +since +by +previous +served locally$/);
    expect(table[2]).toMatch(new RegExp(`^staging +2 +\\S+ \\S+ +\\S+ +1 +version 2 at ${endpoint.replace(/[.]/g, '\\.')} \\(pid ${serve?.pid}\\)$`));
    expect(table[3]).toMatch(/^production +2 +\S+ \S+ +\S+ +- +no$/);
  });

  it('keeps serving version 2 when version 3 cannot load, and says why at once', async () => {
    const started = Date.now();
    expect(yolops('models', 'approve', '3').status).toBe(0);
    const failure = await waitFor('stderr', /^yolops: the staging stage names version 3, but its server did not start, so version 2 keeps serving: the model server could not load .*: Cannot load .*best\.pt.*$/m, 90_000);
    // The server says the model will never load (503 "the model failed to load"): no 180 s start timeout.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(failure[0]).toContain('(server log: ');
    expect(await predict(endpoint)).toMatchObject({ ok: true, header: '2', modelVersion: contentVersion(weights.get(2) as Buffer) });
    expect(yolops('models', 'stages').stdout).toMatch(/^staging +3 .* version 2 at \S+ \(pid \d+\); version 3 did not start$/m);
  }, 100_000);

  it('yolops serve <version> ends at once, exit 1, with the reason when the model cannot load', () => {
    const started = Date.now();
    const result = yolops('serve', '3');
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(/^yolops: the model server could not load .*model\.tar\.gz: Cannot load .*best\.pt.* \(server log: .*server\.log\)$/);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 70_000);

  it('ends with exit 1 and the log tail when its model server dies', async () => {
    const state = followerStateSchema.parse(JSON.parse(readFileSync(join(layout.stages, 'followers', `staging-${serve?.pid}.json`), 'utf8')));
    process.kill(-state.serverPid, 'SIGKILL');
    expect(await serveExit).toBe(1);
    expect(output.stderr).toMatch(new RegExp(`^yolops: the model server \\(pid ${state.serverPid}\\) exited on its own \\(SIGKILL\\); last lines of .*server\\.log:$`, 'm'));
    await expect(fetch(endpoint.replace(/invocations$/, 'ping'))).rejects.toThrow();
    expect(readdirSync(join(layout.stages, 'followers'))).toEqual([]);
  }, 30_000);
});

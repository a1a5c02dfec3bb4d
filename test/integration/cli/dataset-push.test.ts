// `yolops dataset push` and `yolops code push` as a user runs them: real CLI processes against moto's S3 on
// loopback (the aws target) and against the local buckets folder (the local target).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws/clients.ts';
import { S3ObjectStore } from '../../../src/aws/s3-object-store.ts';
import { resolveCodeVersion } from '../../../src/cli/code-version.ts';
import { listAll } from '../../../src/core/storage/object-store.ts';
import { matchUploadMarker, UPLOAD_MARKER_NAME, uploadMarkerSchema } from '../../../src/core/trigger/upload-marker.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { scanDatasetVersions } from '../../../src/local/watch/dataset-scan.ts';
import { WatchDecider } from '../../../src/local/watch/watch-decisions.ts';
import { startMoto, type MotoServer } from '../aws/moto.ts';
import { TriggerWorld } from '../aws/trigger-world.ts';
import { makeLinkedProject } from './aws-cli.ts';

const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-push-'));
const BUCKET = 'yolops-training-data-123456789012';

/** A project folder as `cdk init` leaves one, deployed to moto's region; training/ is the repository's own. */
const project = makeLinkedProject(join(work, 'project'));
const home = join(work, 'home');
mkdirSync(home);

let moto: MotoServer;
let s3: S3Client;
let store: S3ObjectStore;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Only what a CI job sets: no credentials or endpoints of the machine's leak in. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    YOLOPS_HOME: join(work, 'yolops-home'),
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
    YOLOPS_TARGET: 'aws',
    ...extra,
  };
}

function yolops(args: string[], extraEnv: Record<string, string> = {}, options: { unset?: string[] } = {}): Result {
  const unset = new Set(options.unset ?? []);
  const e = Object.fromEntries(Object.entries(env(extraEnv)).filter(([name]) => !unset.has(name)));
  const result = spawnSync(process.execPath, [join(repo, 'bin', 'yolops.js'), ...args], { cwd: project, encoding: 'utf8', env: e });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function synth(name: string, train = 12, val = 4): string {
  const dir = join(work, name);
  const r = yolops(['dataset', 'synth', dir, '--train', String(train), '--val', String(val), '--image-size', '64']);
  expect(r.status, r.stderr).toBe(0);
  return dir;
}

interface PushJson {
  destination: string;
  files: number;
  uploaded: number;
  unchanged: number;
  markerKey: string;
  markerWritten: boolean;
  requests: { list: number; get: number; put: number; delete: number; total: number };
}

function pushJson(args: string[]): PushJson {
  const r = yolops(['dataset', 'push', ...args, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PushJson;
}

async function markerCheck(root: string): Promise<ReturnType<typeof matchUploadMarker>> {
  const marker = uploadMarkerSchema.parse(JSON.parse(Buffer.from(await store.get(BUCKET, `${root}${UPLOAD_MARKER_NAME}`)).toString('utf8')));
  return matchUploadMarker(marker, root, await listAll(store, BUCKET, root));
}

beforeAll(async () => {
  moto = await startMoto();
  s3 = createS3Client(moto.clientConfig);
  store = new S3ObjectStore(s3);
});
afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('yolops dataset push, aws target (moto)', () => {
  beforeEach(async () => {
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  it('uploads every file and a marker that matches the listing; a second push uploads nothing and keeps the marker', async () => {
    const dir = synth('v-first');
    const first = pushJson([dir]);
    expect(first).toMatchObject({ destination: `s3://${BUCKET}/split_dataset/v-first/`, files: 30, uploaded: 30, unchanged: 0, markerWritten: true, markerKey: `split_dataset/v-first/${UPLOAD_MARKER_NAME}` });
    const objects = await listAll(store, BUCKET, 'split_dataset/v-first/');
    expect(objects.map((o) => o.key).sort()).toEqual(
      [...readdirRecursive(dir).map((k) => `split_dataset/v-first/${k}`), `split_dataset/v-first/${UPLOAD_MARKER_NAME}`].sort(),
    );
    expect(await markerCheck('split_dataset/v-first/')).toEqual({ complete: true });
    const markerBefore = await store.head(BUCKET, first.markerKey);

    const again = pushJson([dir]);
    // One listing page and one read of the marker: no HEAD per file, no upload.
    expect(again).toMatchObject({ uploaded: 0, unchanged: 30, markerWritten: false, requests: { list: 1, get: 1, put: 0, delete: 0, total: 2 } });
    expect((await store.head(BUCKET, first.markerKey)).lastModified).toEqual(markerBefore.lastModified);
  });

  it('a push killed part-way leaves no marker; run again, it uploads only what is missing and writes the marker', async () => {
    const dir = synth('v-killed', 150, 30);
    const total = readdirRecursive(dir).length;
    const child = spawn(process.execPath, [join(repo, 'bin', 'yolops.js'), 'dataset', 'push', dir, '--concurrency', '1', '--quiet'], { cwd: project, env: env(), stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // SIGKILL, not a polite signal: nothing of the push gets to clean up, as when a machine dies.
    for (let present = 0; present < 20; ) {
      await new Promise((r) => setTimeout(r, 25));
      present = (await listAll(store, BUCKET, 'split_dataset/v-killed/')).length;
      expect(child.exitCode, 'the push finished before it could be killed').toBeNull();
    }
    child.kill('SIGKILL');
    await exited;
    const left = (await listAll(store, BUCKET, 'split_dataset/v-killed/')).map((o) => o.key);
    expect(left.length).toBeGreaterThanOrEqual(20);
    expect(left.length).toBeLessThan(total);
    expect(left.filter((k) => k.endsWith(UPLOAD_MARKER_NAME) || k.endsWith('data.yaml'))).toEqual([]);

    const resumed = pushJson([dir]);
    expect(resumed).toMatchObject({ files: total, uploaded: total - left.length, unchanged: left.length, markerWritten: true });
    expect(await markerCheck('split_dataset/v-killed/')).toEqual({ complete: true });
  });

  it('an invalid dataset is refused with its report (exit 1) and nothing is uploaded; --force uploads it', async () => {
    const dir = synth('v-broken', 4, 2);
    appendFileSync(join(dir, 'labels', 'train', 'train_00000.txt'), '7 0.5 0.5 0.1 0.1\n');
    const refused = yolops(['dataset', 'push', dir]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/labels\/train\/train_00000\.txt:\d+: .*class/);
    expect(refused.stderr).toMatch(/yolops: .*v-broken is not a valid dataset \(1 errors\): nothing was uploaded; fix it, or add --force/);
    expect(await listAll(store, BUCKET)).toEqual([]);
    const forced = yolops(['dataset', 'push', dir, '--force', '--quiet']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stderr).toMatch(/warning: .* is not a valid dataset/);
    expect(await markerCheck('split_dataset/v-broken/')).toEqual({ complete: true });
  });

  it('objects the folder lacks are refused with an example and --delete; --delete removes them', async () => {
    const dir = synth('v-extra');
    await store.put(BUCKET, 'split_dataset/v-extra/images/train/old.png', 'stale');
    const refused = yolops(['dataset', 'push', dir]);
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/holds 1 object the folder does not have \(e\.g\. split_dataset\/v-extra\/images\/train\/old\.png\).*add --delete/);
    expect((await listAll(store, BUCKET)).map((o) => o.key)).toEqual(['split_dataset/v-extra/images/train/old.png']);
    const r = yolops(['dataset', 'push', dir, '--delete', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ deleted: ['split_dataset/v-extra/images/train/old.png'], uploaded: 30 });
    expect(await markerCheck('split_dataset/v-extra/')).toEqual({ complete: true });
  });

  it('an explicit destination outside the dataset prefixes is pushed with a note that no training starts', async () => {
    const dir = synth('v-elsewhere', 4, 2);
    const r = yolops(['dataset', 'push', dir, `s3://${BUCKET}/archive/v-elsewhere`, '--quiet']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/note: s3:\/\/.*\/archive\/v-elsewhere\/ is not under split_dataset\/ or sample_dataset\/ or labeled-data\/.*no training starts/);
    expect(r.stdout).toMatch(/to s3:\/\/.*\/archive\/v-elsewhere\/: \d+ uploaded/);
    expect(await markerCheck('archive/v-elsewhere/')).toEqual({ complete: true });
  });

  it('setup mistakes are one line with exit 2: no credentials, another region, a bad version, stacks not deployed', async () => {
    const dir = synth('v-setup', 4, 2);
    const lines = (r: Result): string[] => r.stderr.trim().split('\n');
    const noCredentials = yolops(['dataset', 'push', dir], {}, { unset: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] });
    expect(noCredentials.status).toBe(2);
    expect(lines(noCredentials)).toEqual([expect.stringMatching(/^yolops: no AWS credentials found .*aws configure/)]);
    const otherRegion = yolops(['dataset', 'push', dir], { AWS_REGION: 'eu-west-1' });
    expect(otherRegion.status).toBe(2);
    expect(lines(otherRegion)).toEqual([expect.stringMatching(/^yolops: the AWS region is eu-west-1 \(from AWS_REGION\) but cdk.json deploys to us-east-1/)]);
    const badVersion = yolops(['dataset', 'push', dir, '--version', 'no spaces please']);
    expect(badVersion.status).toBe(2);
    expect(lines(badVersion)).toEqual([expect.stringMatching(/^yolops: --version: dataset version "no spaces please" must be letters, digits/)]);
    await moto.reset();
    const notDeployed = yolops(['dataset', 'push', dir]);
    expect(notDeployed.status).toBe(2);
    expect(lines(notDeployed)).toEqual([expect.stringMatching(/^yolops: the training data bucket yolops-training-data-123456789012 does not exist in account 123456789012, region us-east-1: the stacks are not deployed there\. Deploy them first \(npx cdk deploy --all/)]);
  });
});

describe('yolops code push, aws target (moto)', () => {
  beforeAll(async () => {
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  it('uploads the bundle under the version resolveCodeVersion gives and the validated training config; a second push skips all three', async () => {
    const expected = await resolveCodeVersion(join(project, 'training'));
    const r = yolops(['code', 'push', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout) as { codeVersion: string; codeUri: string; source: string; uploaded: string[]; skipped: string[]; configUri: string };
    const codeUri = `s3://${BUCKET}/code/${expected.version}/`;
    const all = [`${codeUri}processing_entrypoint.sh`, `${codeUri}sourcedir.tar.gz`, `s3://${BUCKET}/config/training-config.json`];
    expect(first).toMatchObject({ codeVersion: expected.version, source: expected.source, codeUri, configUri: `s3://${BUCKET}/config/training-config.json`, uploaded: all, skipped: [] });
    expect(Buffer.from(await store.get(BUCKET, 'config/training-config.json')).equals(readFileSync(join(project, 'training-config.json')))).toBe(true);
    expect((await listAll(store, BUCKET, `code/${expected.version}/`)).map((o) => o.key)).toEqual([`code/${expected.version}/processing_entrypoint.sh`, `code/${expected.version}/sourcedir.tar.gz`]);

    const again = yolops(['code', 'push']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`CodeVersion: ${expected.version}`);
    expect(again.stdout).toContain(`CodeUri:     ${codeUri}`);
    expect(again.stdout).toMatch(/0 uploaded, 3 already there unchanged/);
  });

  it('an invalid training-config.json is refused before anything is sent', async () => {
    const broken = join(work, 'broken-config-project');
    mkdirSync(broken);
    writeFileSync(join(broken, 'cdk.json'), readFileSync(join(project, 'cdk.json')));
    writeFileSync(join(broken, 'training-config.json'), '{ "epochs": "many" }');
    symlinkSync(join(repo, 'training'), join(broken, 'training'), 'dir');
    await moto.reset();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const result = spawnSync(process.execPath, [join(repo, 'bin', 'yolops.js'), 'code', 'push'], { cwd: broken, encoding: 'utf8', env: env() });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^yolops: .*training-config\.json/);
    expect(await listAll(store, BUCKET)).toEqual([]);
  });
});

describe('push then the S3 trigger (moto)', () => {
  it('the pushed version starts exactly one execution, by its marker', async () => {
    const world = new TriggerWorld(moto);
    await world.setUp();
    const dir = synth('v-trigger');
    pushJson([dir]);
    const keys = (await listAll(store, BUCKET, 'split_dataset/v-trigger/')).map((o) => o.key);
    // moto does not deliver S3 events: each pushed object's "Object Created" event is queued as EventBridge would.
    await world.sendEvents(keys);
    await world.drain();
    expect(await world.executions()).toHaveLength(1);
    expect(world.startsSaw).toEqual([{ inputDataUri: `s3://${BUCKET}/split_dataset/v-trigger/`, objects: keys.length }]);
    const notices = await world.notices();
    expect(notices.map((n) => n.event)).toEqual(['training.started']);
    expect(String(notices[0]?.body['summary'])).toContain('upload marker');
  });
});

describe('yolops dataset push, local target', () => {
  it('pushes into the local buckets folder, and the local watcher takes the version as complete', async () => {
    const dir = synth('v-local');
    const yolopsHome = join(work, 'local-home');
    const r = yolops(['dataset', 'push', dir, '--json'], { YOLOPS_TARGET: 'local', YOLOPS_HOME: yolopsHome });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ target: 'local', uploaded: 30, markerWritten: true, destination: `s3://${BUCKET}/split_dataset/v-local/` });
    const local = new FolderObjectStore({ root: join(yolopsHome, 'buckets') });
    const objects = await listAll(local, BUCKET, 'split_dataset/v-local/');
    expect(objects).toHaveLength(31);
    const marker = uploadMarkerSchema.parse(JSON.parse(Buffer.from(await local.get(BUCKET, `split_dataset/v-local/${UPLOAD_MARKER_NAME}`)).toString('utf8')));
    expect(matchUploadMarker(marker, 'split_dataset/v-local/', objects)).toEqual({ complete: true });
    const observations = await scanDatasetVersions(local, BUCKET);
    expect(observations).toEqual([expect.objectContaining({ key: 'split_dataset/v-local', complete: true })]);
    expect(new WatchDecider(0).decide(observations, Date.now(), new Set())).toEqual([{ kind: 'start', key: 'split_dataset/v-local' }]);

    const again = yolops(['dataset', 'push', dir, '--json'], { YOLOPS_TARGET: 'local', YOLOPS_HOME: yolopsHome });
    expect(JSON.parse(again.stdout)).toMatchObject({ uploaded: 0, unchanged: 30, markerWritten: false });
  });
});

/** The files of a folder as keys relative to it. */
function readdirRecursive(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string, prefix: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(folder, entry.name), `${prefix}${entry.name}/`);
      else out.push(`${prefix}${entry.name}`);
    }
  };
  walk(dir, '');
  return out;
}

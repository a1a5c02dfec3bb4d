import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeDataset } from '../../../src/core/dataset/index.ts';
import { listAll } from '../../../src/core/storage/object-store.ts';
import { buildUploadMarker, UPLOAD_MARKER_NAME } from '../../../src/core/trigger/upload-marker.ts';
import { putExport, writeExportFolder } from '../../support/labelled-exports.ts';
import { startMoto, type MotoServer } from './moto.ts';
import { BUCKET, TriggerWorld } from './trigger-world.ts';
import { makeLinkedProject } from '../cli/aws-cli.ts';

/**
 * Labelled exports under labeled-data/ through the S3 trigger, against moto's S3, SageMaker, SNS and SQS on
 * loopback; uploads by the real `yolops dataset push --from` process where the test says so. As in
 * s3-trigger.test.ts, moto delivers no S3 events to EventBridge (TriggerWorld queues each object's event) and
 * does not deduplicate StartPipelineExecution on its token, so "one execution" is the trigger's claim at work.
 * moto also accepts parameters the definition does not declare, so InputFormat is checked as started, not
 * against the deployed definition.
 */
const repo = new URL('../../..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'yolops-labelled-trigger-'));
const project = makeLinkedProject(join(work, 'project'));
const home = join(work, 'home');
mkdirSync(home);

let moto: MotoServer;
let world: TriggerWorld;

beforeAll(async () => {
  moto = await startMoto();
  world = new TriggerWorld(moto);
});
afterAll(async () => {
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(async () => {
  await world.setUp();
});

function yolops(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(repo, 'bin/yolops.js'), ...args], {
    cwd: project,
    encoding: 'utf8',
    env: {
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
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function keysUnder(root: string): Promise<string[]> {
  return (await listAll(world.store, BUCKET, root)).map((o) => o.key);
}

/** The parameters each execution of the pipeline was started with, as SageMaker (moto) lists them. */
async function startedWith(): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (const e of await world.executions()) out.push((await world.pipelines.describeExecution(e.arn)).parameters);
  return out;
}

describe('labelled exports uploaded under labeled-data/', () => {
  it('a COCO export pushed with `dataset push --from coco`: one execution with InputFormat coco, however often its events come', async () => {
    const dir = writeExportFolder('coco', join(work, 'exports', 'coco-1'));
    const pushed = yolops(['dataset', 'push', '--from', 'coco', dir, '--json']);
    expect(pushed.stderr).toBe('');
    expect(pushed.status).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject({ destination: `s3://${BUCKET}/labeled-data/coco-1/`, inputFormat: 'coco', startsTraining: true, markerWritten: true });
    const keys = await keysUnder('labeled-data/coco-1/');
    expect(keys).toContain(`labeled-data/coco-1/${UPLOAD_MARKER_NAME}`);

    await world.sendEvents(keys);
    await world.drain();
    // Redelivered, and the same folder pushed again (nothing changes, no marker rewritten): still one.
    await world.sendEvents([...keys, ...keys]);
    const again = yolops(['dataset', 'push', '--from', 'coco', dir, '--json']);
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ uploaded: 0, markerWritten: false });
    await world.sendEvents(keys);
    await world.drain();

    expect(await startedWith()).toEqual([{ InputDataUri: `s3://${BUCKET}/labeled-data/coco-1/`, InputFormat: 'coco' }]);
    const notices = await world.notices();
    expect(notices.map((n) => n.event)).toEqual(['training.started']);
    expect(String(notices[0]?.body['summary'])).toContain('upload marker');
    expect(notices[0]?.body['parameters']).toMatchObject({ InputFormat: 'coco' });
  });

  it('`dataset push --from` refuses a folder of another format or of none, and an unknown format, with one line and exit 2', async () => {
    const coco = writeExportFolder('coco', join(work, 'exports', 'coco-2'));
    const wrong = yolops(['dataset', 'push', '--from', 'voc', coco]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/^yolops: .*coco-2 looks like a coco export \(coco: .*_annotations\.coco\.json.*\), not voc: push it with --from coco/);
    const none = yolops(['dataset', 'push', '--from', 'coco', writeExportFolder('undetectable', join(work, 'exports', 'none'))]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^yolops: .*none is not a coco export yolops can tell: no annotation file of a known format among .*; upload one export/);
    const unknown = yolops(['dataset', 'push', '--from', 'pascal', coco]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^yolops: --from pascal: not a label format; give one of yolo, coco, voc, groundtruth, labelstudio/);
    const intoDatasets = yolops(['dataset', 'push', '--from', 'coco', coco, `s3://${BUCKET}/split_dataset/coco-2/`]);
    expect(intoDatasets.status).toBe(2);
    expect(intoDatasets.stderr).toMatch(/is a YOLO dataset folder: the trigger would validate the coco export as a YOLO dataset and refuse it/);
    expect(await keysUnder('labeled-data/')).toEqual([]);
    expect(await keysUnder('split_dataset/')).toEqual([]);
  });

  it('a VOC export copied without a marker starts once the quiet period has passed, with InputFormat voc', async () => {
    const keys = await putExport(world.store, BUCKET, 'labeled-data/voc-1/', 'voc');
    await world.sendEvents(keys);
    await world.drain();
    expect(await startedWith()).toEqual([{ InputDataUri: `s3://${BUCKET}/labeled-data/voc-1/`, InputFormat: 'voc' }]);
    const notices = await world.notices();
    expect(notices.map((n) => n.event)).toEqual(['training.started']);
    expect(String(notices[0]?.body['summary'])).toContain('quiet period');
  });

  it('an undetectable folder starts nothing and leaves a report and one message; so does one with two formats', async () => {
    // Images only: nothing marks the end of such an upload but a marker, as a tool that writes one would.
    const root = 'labeled-data/images-only/';
    await putExport(world.store, BUCKET, root, 'undetectable');
    await world.store.put(BUCKET, `${root}${UPLOAD_MARKER_NAME}`, JSON.stringify(buildUploadMarker(root, await listAll(world.store, BUCKET, root), new Date())));
    const mixed = [...(await putExport(world.store, BUCKET, 'labeled-data/mixed/', 'coco')), ...(await putExport(world.store, BUCKET, 'labeled-data/mixed/', 'voc'))];
    await world.sendEvents([...(await keysUnder(root)), ...mixed]);
    await world.drain();

    expect(await world.executions()).toEqual([]);
    const notices = await world.notices();
    expect(notices.map((n) => n.event)).toEqual(['dataset.invalid', 'dataset.invalid']);
    const byDataset = new Map(notices.map((n) => [String(n.body['dataset']), n.body]));
    const imagesOnly = byDataset.get(`s3://${BUCKET}/${root}`);
    expect(JSON.stringify(imagesOnly)).toContain('no annotation file of a known format among 2 .png files');
    expect(JSON.stringify(byDataset.get(`s3://${BUCKET}/labeled-data/mixed/`))).toMatch(/annotation files of 2 formats: coco .*voc/);
    const reportKey = String(imagesOnly?.['report']).slice(`s3://${BUCKET}/`.length);
    expect(reportKey).toMatch(/^triggers\/reports\/labeled-data\/images-only\/[0-9a-f]{64}\.json$/);
    const report = JSON.parse(Buffer.from(await world.store.get(BUCKET, reportKey)).toString()) as { labelFormat: { problem: string; fix: string } };
    expect(report.labelFormat.fix).toMatch(/COCO .*Pascal VOC .*Ground Truth .*Label Studio .*YOLO/);
  });

  it('a split YOLO dataset starts with InputFormat yolo under labeled-data/ and under split_dataset/ alike', async () => {
    for (const root of ['labeled-data/split/', 'split_dataset/split/']) await synthesizeDataset({ store: world.store, bucket: BUCKET, prefix: root, trainImages: 4, valImages: 2, imageSize: 32, seed: 1 });
    await world.sendEvents([...(await keysUnder('labeled-data/split/')), ...(await keysUnder('split_dataset/split/'))]);
    await world.drain();
    const started = (await startedWith()).sort((a, b) => String(a['InputDataUri']).localeCompare(String(b['InputDataUri'])));
    expect(started).toEqual([
      { InputDataUri: `s3://${BUCKET}/labeled-data/split/`, InputFormat: 'yolo' },
      { InputDataUri: `s3://${BUCKET}/split_dataset/split/`, InputFormat: 'yolo' },
    ]);
  });
});

import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeDataset } from '../../../src/core/dataset/index.ts';
import { forEachConcurrently } from '../../../src/core/dataset/concurrency.ts';
import { listAll } from '../../../src/core/storage/object-store.ts';
import { buildUploadMarker, UPLOAD_MARKER_NAME } from '../../../src/core/trigger/upload-marker.ts';
import { MemoryObjectStore } from '../../fixtures/datasets/memory-object-store.ts';
import { startMoto, type MotoServer } from './moto.ts';
import { BUCKET, shuffled, TriggerWorld } from './trigger-world.ts';

/**
 * The S3 trigger end to end against moto's S3, SageMaker, SNS and SQS on loopback. What moto cannot do is said
 * where it matters: S3 does not deliver events to EventBridge there (TriggerWorld builds each event from the
 * object's real metadata and queues it), and moto does not deduplicate StartPipelineExecution on its
 * ClientRequestToken, so every "exactly one" below is the trigger's own claim at work, not SageMaker's guard.
 */
let moto: MotoServer;
let world: TriggerWorld;

beforeAll(async () => {
  moto = await startMoto();
  world = new TriggerWorld(moto);
});
afterAll(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await world.setUp();
});

async function upload(version: string, seed: number, sizes: { train: number; val: number } = { train: 6, val: 2 }): Promise<string[]> {
  const root = `split_dataset/${version}/`;
  await synthesizeDataset({ store: world.store, bucket: BUCKET, prefix: root, trainImages: sizes.train, valImages: sizes.val, imageSize: 32, seed });
  return (await listAll(world.store, BUCKET, root)).map((o) => o.key);
}

describe('the S3 trigger over moto', () => {
  it('a valid upload: one execution, InputDataUri ending in "/", the deployed defaults, a readable name, a message', async () => {
    const keys = await upload('2026-12-01', 1);
    await world.sendEvents(keys);
    await world.drain();
    const executions = await world.executions();
    expect(executions).toHaveLength(1);
    expect(executions[0]?.displayName).toMatch(/^split-dataset-2026-12-01-\d{8}T\d{4}$/);
    expect(world.startsSaw).toEqual([{ inputDataUri: `s3://${BUCKET}/split_dataset/2026-12-01/`, objects: keys.length }]);
    const notices = await world.notices();
    expect(notices.map((n) => n.event)).toEqual(['training.started']);
    expect(notices[0]?.body).toMatchObject({ parameters: { InputDataUri: `s3://${BUCKET}/split_dataset/2026-12-01/` }, executionArn: executions[0]?.arn });
  });

  it('the same event delivered 10 times: one execution', async () => {
    const keys = await upload('v1', 1);
    const dataYaml = keys.find((k) => k.endsWith('data.yaml')) ?? '';
    await world.sendEvents(Array.from({ length: 10 }, () => dataYaml));
    await world.drain();
    expect(await world.executions()).toHaveLength(1);
  });

  describe.each([
    { dataYaml: 'first', marker: false },
    { dataYaml: 'last', marker: false },
    { dataYaml: 'first', marker: true },
    { dataYaml: 'last', marker: true },
  ])('1,000+ shuffled object events for one version, data.yaml $dataYaml, marker $marker', ({ dataYaml, marker }) => {
    it('one execution, started only once the upload is complete', async () => {
      // The bytes come from a synthesized dataset; the upload to moto happens while the trigger drains its queue.
      const source = new MemoryObjectStore('source');
      const root = 'split_dataset/big/';
      await synthesizeDataset({ store: source, bucket: 'source', prefix: root, trainImages: 440, valImages: 110, imageSize: 32, seed: 3 });
      const objects = await listAll(source, 'source', root);
      const yaml = objects.filter((o) => o.key.endsWith('data.yaml'));
      const rest = shuffled(objects.filter((o) => !o.key.endsWith('data.yaml')), dataYaml === 'first' ? 11 : 12);
      const order = dataYaml === 'first' ? [...yaml, ...rest] : [...rest, ...yaml];
      expect(order.length).toBeGreaterThanOrEqual(1000);
      let uploading = true;
      const draining = world.drain({ while: () => uploading, timeoutMs: 120_000 });
      try {
        const put = async (key: string): Promise<void> => {
          await world.store.put(BUCKET, key, await source.get('source', key));
          await world.sendEvents([key]);
        };
        if (dataYaml === 'first') await put(yaml[0]?.key ?? '');
        await forEachConcurrently(rest, 16, async (o) => put(o.key));
        if (dataYaml === 'last') await put(yaml[0]?.key ?? '');
        if (marker) {
          await world.store.put(BUCKET, `${root}${UPLOAD_MARKER_NAME}`, JSON.stringify(buildUploadMarker(root, await listAll(world.store, BUCKET, root), new Date())));
          await world.sendEvents([`${root}${UPLOAD_MARKER_NAME}`]);
        }
      } finally {
        uploading = false;
      }
      await draining;
      expect(await world.executions()).toHaveLength(1);
      expect(world.startsSaw).toEqual([{ inputDataUri: `s3://${BUCKET}/${root}`, objects: order.length + (marker ? 1 : 0) }]);
      const started = (await world.notices()).filter((n) => n.event === 'training.started');
      expect(started).toHaveLength(1);
      expect(String(started[0]?.body['summary'])).toContain(marker ? 'upload marker' : 'quiet period');
    });
  });

  it('two versions at once: two executions; the same files again: none; a changed file: one more', async () => {
    const a = await upload('a', 1);
    const b = await upload('b', 2);
    await world.sendEvents(shuffled([...a, ...b], 5));
    await world.drain();
    expect(await world.executions()).toHaveLength(2);
    // Re-uploaded byte for byte: S3 gives the same ETags, so the content fingerprint is the same.
    const again = await upload('a', 1);
    await world.sendEvents(again);
    await world.drain();
    expect(await world.executions()).toHaveLength(2);
    const label = again.find((k) => k.includes('/labels/train/')) ?? '';
    await world.store.put(BUCKET, label, '0 0.5 0.5 0.25 0.25\n');
    await world.sendEvents([label]);
    await world.drain();
    expect(await world.executions()).toHaveLength(3);
    expect(world.startsSaw.map((s) => s.inputDataUri).sort()).toEqual([`s3://${BUCKET}/split_dataset/a/`, `s3://${BUCKET}/split_dataset/a/`, `s3://${BUCKET}/split_dataset/b/`]);
  });

  it('a training-config.json in the bucket sets the parameters; an invalid one starts nothing and says which key', async () => {
    await world.putRaw('config/training-config.json', JSON.stringify({ epochs: 0, batch_size: 'lots' }));
    const keys = await upload('cfg', 1);
    await world.sendEvents(keys);
    await world.drain();
    expect(await world.executions()).toHaveLength(0);
    const [notice, ...more] = await world.notices();
    expect(more).toEqual([]);
    expect(notice?.event).toBe('config.invalid');
    expect(JSON.stringify(notice?.body)).toContain(`s3://${BUCKET}/config/training-config.json`);
    expect(JSON.stringify(notice?.body)).toMatch(/"key":"epochs".*"key":"batch_size"/);
    // Fixed, and data.yaml uploaded again: it starts, with the config's values.
    await world.putRaw('config/training-config.json', JSON.stringify({ epochs: 7, use_spot_instances: false }));
    await world.sendEvents(keys.filter((k) => k.endsWith('data.yaml')));
    await world.drain();
    expect(await world.executions()).toHaveLength(1);
    const started = (await world.notices()).find((n) => n.event === 'training.started');
    expect(started?.body['parameters']).toMatchObject({ Epochs: '7', InputDataUri: `s3://${BUCKET}/split_dataset/cfg/` });
  });

  it('every dataset fault of the shared corpus: no execution, the full report in the bucket, a message with its problems', async () => {
    const corpus = join(import.meta.dirname, '../../corpus/dataset');
    const cases = readdirSync(corpus).filter((name) => !hasLink(join(corpus, name, 'dataset')));
    const expectErrors = new Map<string, string[]>();
    for (const name of cases) {
      const expected = JSON.parse(readFileSync(join(corpus, name, 'expected.json'), 'utf8')) as { problems: { code: string; severity: string; only?: string }[] };
      expectErrors.set(name, [...new Set(expected.problems.filter((p) => p.severity === 'error' && p.only !== 'python').map((p) => p.code))].sort());
      const dir = join(corpus, name, 'dataset');
      const root = `split_dataset/${name}/`;
      for (const file of filesUnder(dir)) await world.store.put(BUCKET, `${root}${relative(dir, file).split(sep).join('/')}`, readFileSync(file));
      // As `yolops dataset push` will: the marker last, so even a case without data.yaml is complete.
      await world.store.put(BUCKET, `${root}${UPLOAD_MARKER_NAME}`, JSON.stringify(buildUploadMarker(root, await listAll(world.store, BUCKET, root), new Date())));
      await world.sendEvents((await listAll(world.store, BUCKET, root)).map((o) => o.key));
    }
    await world.drain({ timeoutMs: 180_000 });
    const notices = await world.notices();
    const started = new Set(world.startsSaw.map((s) => s.inputDataUri));
    for (const name of cases) {
      const uri = `s3://${BUCKET}/split_dataset/${name}/`;
      const errors = expectErrors.get(name) ?? [];
      const invalid = notices.filter((n) => n.event === 'dataset.invalid' && n.body['dataset'] === uri);
      if (errors.length === 0) {
        expect(started.has(uri), `${name} is valid and should have started`).toBe(true);
        expect(invalid, name).toEqual([]);
        continue;
      }
      expect(started.has(uri), `${name} has errors and must not start`).toBe(false);
      expect(invalid, name).toHaveLength(1);
      const report = String(invalid[0]?.body['report']);
      const saved = JSON.parse(Buffer.from(await world.store.get(BUCKET, report.slice(`s3://${BUCKET}/`.length))).toString()) as { validation: { problems: { code: string; severity: string }[] } };
      expect([...new Set(saved.validation.problems.filter((p) => p.severity === 'error').map((p) => p.code))].sort(), name).toEqual(errors);
    }
    expect(world.startsSaw).toHaveLength(cases.filter((name) => (expectErrors.get(name) ?? []).length === 0).length);
  });

  it('a zero-byte data.yaml: no execution, a report and a message', async () => {
    const keys = await upload('empty-yaml', 1);
    const yaml = keys.find((k) => k.endsWith('data.yaml')) ?? '';
    await world.putRaw(yaml, '');
    await world.sendEvents(keys);
    await world.drain();
    expect(await world.executions()).toHaveLength(0);
    const notices = await world.notices();
    expect(notices.map((n) => n.event)).toEqual(['dataset.invalid']);
    expect(JSON.stringify(notices[0]?.body)).toContain('data.yaml');
  });

  it('events for another bucket, outside the dataset prefixes, or unreadable: no execution, each accounted for', async () => {
    await upload('v1', 1);
    await world.sendEvents(['split_dataset/v1/data.yaml'], 'someone-elses-bucket');
    await world.putRaw('split_dataset/loose.txt', 'x');
    await world.sendEvents(['split_dataset/loose.txt']);
    await world.sendRaw('{ this is not an event');
    const outcomes = await world.drain({ maxReceives: 2 });
    expect(await world.executions()).toHaveLength(0);
    const ignored = outcomes.flatMap((o) => o.ignored.map((i) => i.reason));
    expect(ignored.some((r) => r.includes('someone-elses-bucket'))).toBe(true);
    expect(ignored.some((r) => r.includes('directly under split_dataset/'))).toBe(true);
    expect(outcomes.flatMap((o) => o.failedMessageIds)).toHaveLength(2); // the unreadable one, delivered twice
    expect(world.logs.some((l) => l.level === 'error' && l.message.startsWith('unreadable message'))).toBe(true);
  });

  it('keys with spaces, "+" and URL-encoded characters, a version folder that cannot be a version, and ".." in a key', async () => {
    // Inside a valid version, such names are files like any other; events may carry them URL-encoded.
    const keys = await upload('odd-names', 1);
    const image = keys.find((k) => k.includes('/images/train/')) ?? '';
    const label = image.replace('/images/', '/labels/').replace(/\.[^.]+$/, '.txt');
    for (const [from, to] of [[image, image.replace(/([^/]+)$/, 'a b+c%20d $1')], [label, label.replace(/([^/]+)$/, 'a b+c%20d $1')]] as const) {
      await world.store.put(BUCKET, to, await world.store.get(BUCKET, from));
      await world.store.delete(BUCKET, from);
    }
    const now = (await listAll(world.store, BUCKET, 'split_dataset/odd-names/')).map((o) => o.key);
    await world.sendEvents(now);
    // The classic S3 notification encoding of the same key also finds the version.
    await world.sendRaw(JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: BUCKET }, object: { key: encodeURIComponent('split_dataset/odd-names/images/train/a b.png').replace(/%20/g, '+').replace(/%2F/g, '/') } } }));
    // A folder name with a space cannot be a version: one message for all its objects.
    await world.putRaw('split_dataset/my dataset/data.yaml', 'names: [a]\n');
    await world.putRaw('split_dataset/my dataset/images/train/x.png', 'x');
    await world.sendEvents(['split_dataset/my dataset/data.yaml', 'split_dataset/my dataset/images/train/x.png']);
    await world.drain();
    expect(world.startsSaw.map((s) => s.inputDataUri)).toEqual([`s3://${BUCKET}/split_dataset/odd-names/`]);
    const notices = await world.notices();
    expect(notices.filter((n) => n.event === 'dataset.bad-version-name')).toHaveLength(1);

    // S3 stores ".." in a key as plain characters; no training job could write such a file, so nothing starts.
    const dots = await upload('dots', 2);
    await world.putRaw('split_dataset/dots/images/../escape.png', 'x');
    const listed = (await listAll(world.store, BUCKET, 'split_dataset/dots/')).map((o) => o.key);
    expect(listed).toContain('split_dataset/dots/images/../escape.png');
    await world.sendEvents(dots);
    await world.drain();
    const invalid = (await world.notices()).filter((n) => n.event === 'dataset.invalid');
    expect(invalid).toHaveLength(1);
    expect(JSON.stringify(invalid[0]?.body)).toContain('images/../escape.png');
    expect(world.startsSaw).toHaveLength(1);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** S3 has no symbolic links: the corpus cases about links do not apply to an upload. */
function hasLink(dir: string): boolean {
  return readdirSync(dir, { withFileTypes: true }).some((entry) => lstatSync(join(dir, entry.name)).isSymbolicLink() || (entry.isDirectory() && hasLink(join(dir, entry.name))));
}

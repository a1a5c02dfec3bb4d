import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { synthesizeDataset } from '../../../src/core/dataset/index.ts';
import { forEachConcurrently } from '../../../src/core/dataset/concurrency.ts';
import { listAll } from '../../../src/core/storage/object-store.ts';
import { buildUploadMarker, UPLOAD_MARKER_NAME } from '../../../src/core/trigger/upload-marker.ts';
import { MemoryObjectStore } from '../../fixtures/datasets/memory-object-store.ts';
import { startMoto, type MotoServer } from './moto.ts';
import { BUCKET, objectCreatedEvent, shuffled, TriggerWorld } from './trigger-world.ts';

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
      await world.setUp({ transport: 'in-process' });
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
        // Each object's event is queued right after its put, ten at a time, as S3 and EventBridge would.
        const put = async (keys: readonly string[]): Promise<void> => {
          const infos = await Promise.all(keys.map(async (key) => {
            const body = await source.get('source', key);
            const { etag } = await world.store.put(BUCKET, key, body);
            return { key, size: body.length, etag, lastModified: new Date() };
          }));
          await world.sendObjectEvents(infos);
        };
        const chunks = Array.from({ length: Math.ceil(rest.length / 10) }, (_, i) => rest.slice(i * 10, i * 10 + 10).map((o) => o.key));
        if (dataYaml === 'first') await put(yaml.map((o) => o.key));
        await forEachConcurrently(chunks, 4, put);
        if (dataYaml === 'last') await put(yaml.map((o) => o.key));
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

describe('the deployed handler module', () => {
  it('reads its settings from the environment at init and answers SQS with the failed messages only', async () => {
    const keys = await upload('handler', 4);
    const env = {
      TRAINING_BUCKET: BUCKET,
      PIPELINE_NAME: world.environment.pipelineName,
      TRAINING_CONFIG_KEY: world.environment.configKey,
      NOTIFICATIONS_TOPIC_ARN: world.environment.notificationsTopicArn,
      TRIGGER_QUEUE_URL: world.environment.queueUrl,
      // The objects were just written: a quiet period of 0 lets the handler start at once.
      QUIET_PERIOD_SECONDS: '0',
      CLAIM_STALE_SECONDS: '600',
      VALIDATION_CONCURRENCY: '16',
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_REGION: moto.clientConfig.region,
      AWS_ACCESS_KEY_ID: moto.clientConfig.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: moto.clientConfig.credentials.secretAccessKey,
      POWERTOOLS_SERVICE_NAME: 'yolops-trigger',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const { handler } = await import('../../../src/trigger/handler.ts');
      const dataYaml = keys.find((k) => k.endsWith('data.yaml')) ?? '';
      const info = await world.store.head(BUCKET, dataYaml);
      const records = [
        { messageId: 'good', body: objectCreatedEvent(BUCKET, info) },
        { messageId: 'bad', body: 'not json' },
      ].map((r) => ({ ...r, receiptHandle: r.messageId, attributes: {}, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:trigger-events', awsRegion: 'us-east-1' }));
      const answer = await handler({ Records: records } as never);
      expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
      expect(world.startsSaw).toEqual([]); // the module wired its own clients, not the test's spy
      expect(await world.executions()).toHaveLength(1);
    } finally {
      for (const key of Object.keys(env)) Reflect.deleteProperty(process.env, key);
      Object.assign(process.env, saved);
    }
  });
});

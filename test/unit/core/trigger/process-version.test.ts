import { describe, expect, it } from 'vitest';
import { CoreError } from '../../../../src/core/errors.ts';
import { listAll } from '../../../../src/core/storage/object-store.ts';
import { claimKey, VersionClaims } from '../../../../src/core/trigger/claims.ts';
import { datasetVersionOfKey, type DatasetVersionRef } from '../../../../src/core/trigger/dataset-version.ts';
import { contentFingerprint } from '../../../../src/core/trigger/fingerprint.ts';
import { processDatasetVersion } from '../../../../src/core/trigger/process-version.ts';
import { buildUploadMarker, UPLOAD_MARKER_NAME } from '../../../../src/core/trigger/upload-marker.ts';
import { BUCKET, QUIET_MS, TriggerHarness } from './trigger-harness.ts';

function ref(root: string): DatasetVersionRef {
  const lookup = datasetVersionOfKey(`${root}data.yaml`);
  if (lookup.kind !== 'version') throw new Error(`not a version: ${root}`);
  return lookup.ref;
}

describe('processDatasetVersion', () => {
  it('starts one execution once the upload is quiet, with InputDataUri ending in "/" and an idempotency token', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    const early = await processDatasetVersion(h.deps(), ref(root), [`${root}data.yaml`], 'req-1');
    expect(early).toMatchObject({ kind: 'waiting', recheckInSeconds: expect.any(Number) });
    expect(h.starts).toHaveLength(0);
    h.advance(QUIET_MS);
    const result = await processDatasetVersion(h.deps(), ref(root), [], 'req-2');
    expect(result).toMatchObject({ kind: 'started', via: 'quiet period of 120 s' });
    expect(h.starts).toHaveLength(1);
    const [start] = h.starts;
    if (!start) throw new Error('no start');
    // InputFormat explicit: a definition whose default format changed still validates a split dataset as YOLO.
    expect(start.parameters).toEqual({ InputDataUri: `s3://${BUCKET}/split_dataset/v1/`, InputFormat: 'yolo' });
    expect(start.clientRequestToken.length).toBeGreaterThanOrEqual(32);
    expect(start.displayName).toMatch(/^split-dataset-v1-\d{8}T\d{4}$/);
    expect(start.description).toContain(`s3://${BUCKET}/split_dataset/v1/`);
    expect(h.messages.map((m) => m.attributes?.['event'])).toEqual(['training.started']);
  });

  it('leaves the look to the newest object: an older object\'s early event schedules nothing', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    const objects = await listAll(h.store, BUCKET, root);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await h.store.put(BUCKET, `${root}images/train/late.txt`, 'x'); // arrives last
    const result = await processDatasetVersion(h.deps(), ref(root), [objects[0]?.key ?? ''], 'req');
    expect(result).toMatchObject({ kind: 'waiting' });
    expect(result).not.toHaveProperty('recheckInSeconds');
    expect(h.rechecks).toEqual([]);
  });

  it('never starts while a multipart upload under the version is in progress', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    h.uploadsInProgress = true;
    h.advance(QUIET_MS * 10);
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'req')).toMatchObject({ kind: 'waiting', reason: expect.stringContaining('multipart') });
    expect(h.starts).toHaveLength(0);
  });

  it('starts the same content once, however often it is looked at; changed content starts again', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    h.advance(QUIET_MS);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => processDatasetVersion(h.deps(), ref(root), [], `req-${i}`)));
    expect(results.filter((r) => r.kind === 'started')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(9);
    // (A re-upload of the same bytes keeps S3's ETags; the in-memory store's change on every put, so that case
    // is in the moto tests.)
    await h.store.put(BUCKET, `${root}labels/train/extra.txt`, '0 0.5 0.5 0.1 0.1\n');
    const [image] = await listAll(h.store, BUCKET, `${root}images/train/`);
    await h.store.put(BUCKET, `${root}images/train/extra.png`, await h.store.get(BUCKET, image?.key ?? ''));
    h.advance(QUIET_MS);
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'changed')).toMatchObject({ kind: 'started' });
    expect(h.starts).toHaveLength(2);
    expect(h.starts[0]?.clientRequestToken).not.toBe(h.starts[1]?.clientRequestToken);
  });

  it('with an upload marker, starts as soon as every listed object is there as listed, and not before', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    const objects = await listAll(h.store, BUCKET, root);
    const marker = buildUploadMarker(root, objects, new Date());
    marker.objects.push({ key: 'images/train/still-uploading.png', size: 10, etag: 'abc' });
    await h.store.put(BUCKET, `${root}${UPLOAD_MARKER_NAME}`, JSON.stringify(marker));
    expect(await processDatasetVersion(h.deps(), ref(root), [`${root}${UPLOAD_MARKER_NAME}`], 'r1')).toMatchObject({ kind: 'waiting', reason: expect.stringContaining('1 are not there yet') });
    await h.store.put(BUCKET, `${root}${UPLOAD_MARKER_NAME}`, JSON.stringify(buildUploadMarker(root, objects, new Date())));
    // No quiet period: the clock has not moved.
    expect(await processDatasetVersion(h.deps(), ref(root), [`${root}${UPLOAD_MARKER_NAME}`], 'r2')).toMatchObject({ kind: 'started', via: 'upload marker' });
  });

  it('reports an invalid dataset once: the full report in the bucket, one message with the first problems', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    await h.store.put(BUCKET, `${root}labels/train/broken.txt`, '7 0.5 0.5 2 0.1\n');
    await h.store.put(BUCKET, `${root}images/train/broken.png`, 'not a png');
    h.advance(QUIET_MS);
    const result = await processDatasetVersion(h.deps(), ref(root), [], 'r1');
    expect(result).toMatchObject({ kind: 'invalid', reportUri: expect.stringMatching(/^s3:\/\/.+\/triggers\/reports\/split_dataset\/v1\/[0-9a-f]{64}\.json$/) });
    if (result.kind !== 'invalid') throw new Error('unreachable');
    const report = JSON.parse(Buffer.from(await h.store.get(BUCKET, result.reportUri.replace(`s3://${BUCKET}/`, ''))).toString()) as { validation: { valid: boolean; problems: { code: string }[] } };
    expect(report.validation.valid).toBe(false);
    expect(report.validation.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['corrupt-image', 'class-out-of-range']));
    expect(h.messages).toHaveLength(1);
    expect(h.messages[0]?.attributes).toEqual({ event: 'dataset.invalid' });
    expect(JSON.stringify(h.messages[0]?.body)).toContain('broken.png');
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'r2')).toMatchObject({ kind: 'duplicate' });
    expect(h.messages).toHaveLength(1);
    expect(h.starts).toHaveLength(0);
  });

  it('an invalid training-config.json: no claim, no execution, one message naming the key; fixed, it starts with its values', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    await h.store.put(BUCKET, 'config/training-config.json', JSON.stringify({ epochs: 0, instance_type: 'g5.xlarge' }));
    h.advance(QUIET_MS);
    for (const id of ['r1', 'r2']) expect(await processDatasetVersion(h.deps(), ref(root), [], id)).toMatchObject({ kind: 'config-invalid' });
    expect(h.messages).toHaveLength(1);
    const body = JSON.stringify(h.messages[0]?.body);
    expect(body).toContain('config/training-config.json');
    expect(body).toContain('epochs');
    expect(body).toContain('instance_type');
    await h.store.put(BUCKET, 'config/training-config.json', JSON.stringify({ epochs: 3 }));
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'r3')).toMatchObject({ kind: 'started' });
    expect(h.starts[0]?.parameters).toMatchObject({ Epochs: '3', TrainingInstanceType: 'ml.g5.xlarge' });
  });

  it('a config that is not JSON is reported, not thrown', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    await h.store.put(BUCKET, 'config/training-config.json', '{ "epochs": ');
    h.advance(QUIET_MS);
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'r1')).toMatchObject({ kind: 'config-invalid' });
    expect(JSON.stringify(h.messages[0]?.body)).toContain('not JSON');
  });

  it('a retryable start failure is thrown for redelivery; the redelivery resumes the claim with the same token', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    h.advance(QUIET_MS);
    h.startErrors.push(new Error('ThrottlingException: Rate exceeded'));
    await expect(processDatasetVersion(h.deps(), ref(root), [], 'r1')).rejects.toThrow(/Rate exceeded/);
    const fingerprint = contentFingerprint(ref(root), await listAll(h.store, BUCKET, root));
    const failed = await new VersionClaims(h.store, BUCKET).get(ref(root), fingerprint);
    expect(failed?.outcome).toMatchObject({ kind: 'start-failed', retryable: true });
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'r2')).toMatchObject({ kind: 'started' });
    const claim = await new VersionClaims(h.store, BUCKET).get(ref(root), fingerprint);
    expect(claim).toMatchObject({ attempt: 2, claimant: 'r2', clientRequestToken: failed?.clientRequestToken, outcome: { kind: 'started' } });
    expect(h.starts).toHaveLength(1);
  });

  it('a start refused for the request itself is reported and not retried', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    h.advance(QUIET_MS);
    h.startErrors.push(new CoreError('pipeline yolops-yolo-training-pipeline does not exist', { audience: 'user' }));
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'r1')).toMatchObject({ kind: 'start-failed' });
    expect(h.messages.map((m) => m.attributes?.['event'])).toEqual(['training.start-failed']);
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'r2')).toMatchObject({ kind: 'duplicate' });
  });

  it('resumes a claim whose holder vanished without an outcome, once it is stale', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    h.advance(QUIET_MS);
    const fingerprint = contentFingerprint(ref(root), await listAll(h.store, BUCKET, root));
    const claims = new VersionClaims(h.store, BUCKET);
    await claims.create(ref(root), { schemaVersion: 1, datasetUri: `s3://${BUCKET}/${root}`, fingerprint, objects: 1, claimedAt: new Date().toISOString(), claimant: 'gone', clientRequestToken: 'x'.repeat(40), attempt: 1 });
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'r1')).toMatchObject({ kind: 'duplicate', reason: expect.stringContaining('gone') });
    h.advance(900_001);
    const resumed = await Promise.all([processDatasetVersion(h.deps(), ref(root), [], 'r2'), processDatasetVersion(h.deps(), ref(root), [], 'r3')]);
    expect(resumed.map((r) => r.kind).sort()).toEqual(['duplicate', 'started']);
    expect(h.starts[0]?.clientRequestToken).toBe('x'.repeat(40));
    expect(claimKey(ref(root), fingerprint)).toBe(`triggers/claims/split_dataset/v1/${fingerprint}.json`);
  });

  it('refuses keys no job could read as files, and reads nothing of the dataset', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    // S3 accepts such keys and lists them (the in-memory store refuses to put them, so the listing adds one); a
    // training job's file system cannot hold them.
    const deps = h.deps();
    const list = deps.store.list.bind(deps.store);
    const escaping = { key: `${root}images/../escape.png`, size: 3, etag: 'e', lastModified: new Date(0) };
    deps.store = Object.assign(Object.create(deps.store) as typeof deps.store, {
      list: async function* (bucket: string, prefix?: string) {
        yield* list(bucket, prefix);
        if (prefix === root) yield escaping;
      },
    });
    h.advance(QUIET_MS);
    const result = await processDatasetVersion(deps, ref(root), [], 'r1');
    expect(result).toMatchObject({ kind: 'invalid', errors: 1 });
    expect(JSON.stringify(h.messages[0]?.body)).toContain('images/../escape.png');
    expect(h.store.reads.filter((r) => r.key.startsWith(root))).toEqual([]);
  });
});

describe('processDatasetVersion after a failure between claim and outcome', () => {
  it('leaves the claim resumable, so the redelivered message validates and starts', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    h.advance(QUIET_MS);
    const deps = h.deps();
    const get = deps.store.get.bind(deps.store);
    let failReads = true;
    deps.store = Object.assign(Object.create(deps.store) as typeof deps.store, {
      get: async (bucket: string, key: string, options?: Parameters<typeof get>[2]) => {
        if (failReads && key.includes('/labels/')) throw new Error('SlowDown: please reduce your request rate');
        return get(bucket, key, options);
      },
    });
    await expect(processDatasetVersion(deps, ref(root), [], 'r1')).rejects.toThrow(/SlowDown/);
    expect(h.starts).toHaveLength(0);
    failReads = false;
    expect(await processDatasetVersion(deps, ref(root), [], 'r2')).toMatchObject({ kind: 'started' });
    expect(h.starts).toHaveLength(1);
  });
});

describe('processDatasetVersion when a message cannot be sent', () => {
  it('an invalid dataset is reported again by the redelivery, and still starts nothing', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    await h.store.put(BUCKET, `${root}labels/train/broken.txt`, '7 0.5 0.5 0.1 0.1\n');
    h.advance(QUIET_MS);
    const deps = h.deps();
    const publish = deps.publisher.publish.bind(deps.publisher);
    let failures = 1;
    deps.publisher = {
      publish: async (message) => {
        if (failures-- > 0) throw new Error('SNS: Throttling');
        await publish(message);
      },
    };
    await expect(processDatasetVersion(deps, ref(root), [], 'r1')).rejects.toThrow(/Throttling/);
    expect(await processDatasetVersion(deps, ref(root), [], 'r2')).toMatchObject({ kind: 'invalid' });
    expect(h.messages.map((m) => m.attributes?.['event'])).toEqual(['dataset.invalid']);
    expect(await processDatasetVersion(deps, ref(root), [], 'r3')).toMatchObject({ kind: 'duplicate' });
    expect(h.starts).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import { datasetVersionOfKey } from '../../../../src/core/trigger/dataset-version.ts';
import { executionDisplayName } from '../../../../src/core/trigger/fingerprint.ts';
import { processTriggerBatch } from '../../../../src/core/trigger/process-batch.ts';
import { recheckMessageBody } from '../../../../src/core/trigger/trigger-messages.ts';
import { BUCKET, QUIET_MS, s3Event, TriggerHarness } from './trigger-harness.ts';

describe('processTriggerBatch', () => {
  it('handles the events of one version once per batch and starts one execution', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    h.advance(QUIET_MS);
    const events = await h.eventsOf(root);
    const outcome = await processTriggerBatch([...events, ...events], h.deps(), 'req');
    expect(outcome.failedMessageIds).toEqual([]);
    expect(outcome.versions).toEqual([expect.objectContaining({ root, messages: events.length * 2, result: expect.objectContaining({ kind: 'started' }) })]);
    expect(h.starts).toHaveLength(1);
  });

  it('two versions in one batch: two executions', async () => {
    const h = new TriggerHarness();
    const a = await h.dataset('a', 1);
    const b = await h.dataset('b', 2, 'sample_dataset/');
    h.advance(QUIET_MS);
    const outcome = await processTriggerBatch([...(await h.eventsOf(a)), ...(await h.eventsOf(b))], h.deps(), 'req');
    expect(outcome.failedMessageIds).toEqual([]);
    expect(h.starts.map((s) => s.parameters['InputDataUri']).sort()).toEqual([`s3://${BUCKET}/sample_dataset/b/`, `s3://${BUCKET}/split_dataset/a/`]);
  });

  it('accounts for every message: other buckets and non-version keys ignored with a reason, unreadable ones failed for the dead-letter queue', async () => {
    const h = new TriggerHarness();
    const outcome = await processTriggerBatch(
      [
        { messageId: 'other-bucket', body: s3Event('someone-elses-bucket', 'split_dataset/v1/data.yaml') },
        { messageId: 'outside', body: s3Event(BUCKET, 'config/training-config.json') },
        { messageId: 'flat', body: s3Event(BUCKET, 'split_dataset/data.yaml') },
        { messageId: 'not-json', body: '{"source":' },
        { messageId: 'wrong-shape', body: JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Deleted' }) },
      ],
      h.deps(),
      'req',
    );
    expect(outcome.failedMessageIds.sort()).toEqual(['not-json', 'wrong-shape']);
    expect(outcome.ignored.map((i) => i.messageId).sort()).toEqual(['flat', 'other-bucket', 'outside']);
    expect(outcome.ignored.find((i) => i.messageId === 'other-bucket')?.reason).toContain('someone-elses-bucket');
    expect(h.logs.filter((l) => l.level === 'error')).toHaveLength(2);
    expect(h.starts).toHaveLength(0);
  });

  it('a version folder name that cannot be a version: one message however many objects, no execution', async () => {
    const h = new TriggerHarness();
    const records = ['data.yaml', 'images/train/a.png', 'labels/train/a.txt'].map((name, i) => ({ messageId: `m${i}`, body: s3Event(BUCKET, `split_dataset/my+dataset/${name}`) }));
    const outcome = await processTriggerBatch(records, h.deps(), 'req');
    expect(outcome.failedMessageIds).toEqual([]);
    expect(h.messages).toHaveLength(1);
    expect(h.messages[0]?.attributes).toEqual({ event: 'dataset.bad-version-name' });
    expect(JSON.stringify(h.messages[0]?.body)).toContain('split_dataset/my+dataset/');
  });

  it('a version whose handling throws fails all its messages, and only those', async () => {
    const h = new TriggerHarness();
    const good = await h.dataset('good', 1);
    const bad = await h.dataset('bad', 2);
    h.advance(QUIET_MS);
    const deps = h.deps();
    const list = deps.store.list.bind(deps.store);
    deps.store = Object.assign(Object.create(deps.store) as typeof deps.store, {
      list: (bucket: string, prefix?: string) => {
        if (prefix === bad) throw new Error('AccessDenied');
        return list(bucket, prefix);
      },
    });
    const badEvents = await h.eventsOf(bad);
    const outcome = await processTriggerBatch([...(await h.eventsOf(good)), ...badEvents], deps, 'req');
    expect(outcome.failedMessageIds.sort()).toEqual(badEvents.map((e) => e.messageId).sort());
    expect(h.starts).toHaveLength(1);
  });

  it('a recheck message looks at the version regardless of which objects arrived', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('v1');
    const first = await processTriggerBatch([{ messageId: 'r', body: recheckMessageBody(BUCKET, root) }], h.deps(), 'req');
    expect(first.versions[0]?.result).toMatchObject({ kind: 'waiting', recheckInSeconds: expect.any(Number) });
    h.advance(QUIET_MS);
    await processTriggerBatch([{ messageId: 'r2', body: recheckMessageBody(BUCKET, root) }], h.deps(), 'req');
    expect(h.starts).toHaveLength(1);
  });
});

describe('dataset versions from event keys', () => {
  it('finds the version, decoding URL-encoded keys only where that makes a valid version', () => {
    expect(datasetVersionOfKey('split_dataset/2026-11-23/images/train/a b.png')).toEqual({ kind: 'version', ref: { prefix: 'split_dataset/', version: '2026-11-23', root: 'split_dataset/2026-11-23/' } });
    expect(datasetVersionOfKey('split_dataset/v1/images/train/a+b.png')).toMatchObject({ kind: 'version', ref: { root: 'split_dataset/v1/' } });
    expect(datasetVersionOfKey('split_dataset/v%31/data.yaml')).toMatchObject({ kind: 'version', ref: { root: 'split_dataset/v1/' } });
    expect(datasetVersionOfKey('split_dataset/../data.yaml')).toMatchObject({ kind: 'bad-name', name: '..' });
    expect(datasetVersionOfKey('split_dataset/my version/data.yaml')).toMatchObject({ kind: 'bad-name', name: 'my version' });
    expect(datasetVersionOfKey('split_dataset//data.yaml')).toMatchObject({ kind: 'bad-name' });
    expect(datasetVersionOfKey('split_dataset/100%/data.yaml')).toMatchObject({ kind: 'bad-name', name: '100%' });
    expect(datasetVersionOfKey('split_datasets/v1/data.yaml')).toMatchObject({ kind: 'outside' });
    expect(datasetVersionOfKey('sample_dataset/v1')).toMatchObject({ kind: 'outside' });
  });

  it('names executions so SageMaker accepts them', () => {
    const pattern = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/;
    const at = new Date('2026-12-02T01:30:00Z');
    expect(executionDisplayName({ prefix: 'split_dataset/', version: '2026-11-23', root: 'split_dataset/2026-11-23/' }, at)).toBe('split-dataset-2026-11-23-20261202T0130');
    const long = executionDisplayName({ prefix: 'sample_dataset/', version: `a.${'x'.repeat(120)}_`, root: '' }, at);
    expect(long).toMatch(pattern);
    expect(long.length).toBeLessThanOrEqual(82);
  });
});

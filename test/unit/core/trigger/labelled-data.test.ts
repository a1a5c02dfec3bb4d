import { describe, expect, it } from 'vitest';
import { listAll } from '../../../../src/core/storage/object-store.ts';
import { datasetVersionOfKey, type DatasetVersionRef } from '../../../../src/core/trigger/dataset-version.ts';
import { processTriggerBatch } from '../../../../src/core/trigger/process-batch.ts';
import { processDatasetVersion } from '../../../../src/core/trigger/process-version.ts';
import { decideReadiness } from '../../../../src/core/trigger/readiness.ts';
import { buildUploadMarker, UPLOAD_MARKER_NAME } from '../../../../src/core/trigger/upload-marker.ts';
import { TRIGGER_PREFIXES, versionAnchor, versionKind } from '../../../../src/core/trigger/version-kind.ts';
import { putExport, type LabelledExportName } from '../../../support/labelled-exports.ts';
import { BUCKET, QUIET_MS, TriggerHarness } from './trigger-harness.ts';

function ref(root: string): DatasetVersionRef {
  const lookup = datasetVersionOfKey(`${root}x`, TRIGGER_PREFIXES);
  if (lookup.kind !== 'version') throw new Error(`not a version: ${root}`);
  return lookup.ref;
}

async function exportIn(h: TriggerHarness, version: string, name: LabelledExportName): Promise<string> {
  const root = `labeled-data/${version}/`;
  await putExport(h.store, BUCKET, root, name);
  return root;
}

describe('readiness, generalized from data.yaml to each kind of version\'s anchor', () => {
  const observe = (h: TriggerHarness, root: string, objects: Awaited<ReturnType<typeof listAll>>, now: number) =>
    decideReadiness({ ref: ref(root), objects, marker: { kind: 'absent' }, uploadsInProgress: false, eventKeys: [], now, quietPeriodMs: QUIET_MS });

  it('labelled data without a marker waits for an annotation file, then for the quiet period', async () => {
    const h = new TriggerHarness();
    const root = 'labeled-data/v1/';
    await h.store.put(BUCKET, `${root}JPEGImages/a.png`, 'x');
    const imagesOnly = await listAll(h.store, BUCKET, root);
    expect(observe(h, root, imagesOnly, Date.now() + QUIET_MS)).toEqual({ kind: 'wait', reason: expect.stringMatching(/^no annotation file under labeled-data\/v1\/ yet/) });
    await h.store.put(BUCKET, `${root}Annotations/a.xml`, '<annotation/>');
    const all = await listAll(h.store, BUCKET, root);
    expect(observe(h, root, all, Date.now())).toMatchObject({ kind: 'wait', recheckInMs: expect.any(Number) });
    expect(observe(h, root, all, Date.now() + QUIET_MS)).toMatchObject({ kind: 'ready', via: 'quiet-period', reason: expect.stringMatching(/^an annotation file is there/) });
  });

  it('a dataset still waits for data.yaml: an annotation-looking file is no anchor there', async () => {
    const h = new TriggerHarness();
    const root = 'split_dataset/v1/';
    await h.store.put(BUCKET, `${root}annotations.json`, '{}');
    expect(observe(h, root, await listAll(h.store, BUCKET, root), Date.now() + QUIET_MS)).toEqual({ kind: 'wait', reason: expect.stringMatching(/^no data\.yaml under split_dataset\/v1\//) });
  });

  it('the upload marker decides for labelled data as for datasets, whatever the anchor', async () => {
    const h = new TriggerHarness();
    const root = await exportIn(h, 'm', 'undetectable');
    const objects = await listAll(h.store, BUCKET, root);
    const readiness = decideReadiness({ ref: ref(root), objects, marker: { kind: 'valid', marker: buildUploadMarker(root, objects, new Date()) }, uploadsInProgress: false, eventKeys: [], now: Date.now(), quietPeriodMs: QUIET_MS });
    expect(readiness).toMatchObject({ kind: 'ready', via: 'marker' });
  });

  it('kinds and anchors by prefix', () => {
    expect(TRIGGER_PREFIXES).toEqual(['split_dataset/', 'sample_dataset/', 'labeled-data/']);
    expect(versionKind({ prefix: 'labeled-data/' })).toBe('labelled-data');
    expect(versionKind({ prefix: 'sample_dataset/' })).toBe('dataset');
    expect(versionAnchor({ prefix: 'labeled-data/' }).find('labeled-data/v/', ['labeled-data/v/a.png', 'labeled-data/v/output.manifest'])).toBe('labeled-data/v/output.manifest');
    expect(versionAnchor({ prefix: 'split_dataset/' }).find('split_dataset/v/', ['split_dataset/v/sub/data.yaml'])).toBe('split_dataset/v/sub/data.yaml');
  });
});

describe('the trigger on labelled data', () => {
  it.each([
    ['coco', 'coco'],
    ['voc', 'voc'],
    ['groundtruth', 'groundtruth'],
    ['labelstudio', 'labelstudio'],
    ['yolo', 'yolo'],
  ] as const)('a %s export starts one execution with InputFormat %s, without YOLO validation', async (name, format) => {
    const h = new TriggerHarness();
    const root = await exportIn(h, `${name}-1`, name);
    h.advance(QUIET_MS);
    const result = await processDatasetVersion(h.deps(), ref(root), [], 'req');
    expect(result).toMatchObject({ kind: 'started', via: 'quiet period of 120 s' });
    expect(h.starts.map((s) => s.parameters)).toEqual([{ InputDataUri: `s3://${BUCKET}/${root}`, InputFormat: format }]);
    expect(h.starts[0]?.displayName).toMatch(new RegExp(`^labeled-data-${name}-1-\\d{8}T\\d{4}$`));
    expect(h.starts[0]?.description).toContain(`Labelled data (${format})`);
    expect(h.messages.map((m) => m.attributes?.['event'])).toEqual(['training.started']);
    // The same content again: handled before.
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'req-2')).toMatchObject({ kind: 'duplicate' });
    expect(h.starts).toHaveLength(1);
  });

  it('a split YOLO dataset under labeled-data/ starts with InputFormat yolo, with the training config\'s parameters', async () => {
    const h = new TriggerHarness();
    const root = await h.dataset('split', 1, 'labeled-data/');
    await h.store.put(BUCKET, 'config/training-config.json', JSON.stringify({ epochs: 3 }));
    h.advance(QUIET_MS);
    await processDatasetVersion(h.deps(), ref(root), [], 'req');
    expect(h.starts.map((s) => s.parameters)).toEqual([{ InputDataUri: `s3://${BUCKET}/${root}`, InputFormat: 'yolo', Epochs: '3', TrainingInstanceType: expect.any(String) }]);
  });

  it('an undetectable folder starts nothing: a report in triggers/reports/ and one dataset.invalid message, once', async () => {
    const h = new TriggerHarness();
    const root = await exportIn(h, 'unknown', 'undetectable');
    // Without an annotation file only the upload marker says the upload is over; until then it waits, as a dataset
    // without data.yaml does.
    h.advance(QUIET_MS);
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'req-0')).toMatchObject({ kind: 'waiting', reason: expect.stringMatching(/no annotation file/) });
    await h.store.put(BUCKET, `${root}${UPLOAD_MARKER_NAME}`, JSON.stringify(buildUploadMarker(root, await listAll(h.store, BUCKET, root), new Date())));
    const result = await processDatasetVersion(h.deps(), ref(root), [], 'req');
    expect(result).toMatchObject({ kind: 'invalid', errors: 1, reportUri: expect.stringMatching(new RegExp(`^s3://${BUCKET}/triggers/reports/labeled-data/unknown/[0-9a-f]{64}\\.json$`)) });
    expect(h.starts).toEqual([]);
    const reportKey = result.kind === 'invalid' ? result.reportUri.slice(`s3://${BUCKET}/`.length) : '';
    const report = JSON.parse(Buffer.from(await h.store.get(BUCKET, reportKey)).toString()) as { labelFormat: { problem: string; fix: string } };
    expect(report.labelFormat.problem).toBe('no annotation file of a known format among 2 .png files (e.g. a.png), notes.txt');
    expect(report.labelFormat.fix).toMatch(/COCO/);
    expect(h.messages).toHaveLength(1);
    expect(h.messages[0]?.attributes).toEqual({ event: 'dataset.invalid' });
    expect(h.messages[0]?.body).toMatchObject({ dataset: `s3://${BUCKET}/${root}`, firstProblems: [{ code: 'unknown-label-format', message: report.labelFormat.problem }] });
    expect(await processDatasetVersion(h.deps(), ref(root), [], 'req-2')).toMatchObject({ kind: 'duplicate' });
    expect(h.messages).toHaveLength(1);
  });

  it('reads each .json only as far as its first bytes', async () => {
    const h = new TriggerHarness();
    const root = await exportIn(h, 'big', 'labelstudio');
    await h.store.put(BUCKET, `${root}project-3-at-2026-01-02-10-00-5a1b.json`, `[${'{"id": 1},'.repeat(200_000)}{"id": 2}]`);
    const deps = h.deps();
    const reads: { key: string; length?: number }[] = [];
    const get = deps.store.get.bind(deps.store);
    deps.store = Object.assign(Object.create(deps.store) as typeof deps.store, {
      get: (bucket: string, key: string, options?: { range?: { offset: number; length: number } }) => {
        reads.push({ key, ...(options?.range ? { length: options.range.length } : {}) });
        return get(bucket, key, options);
      },
    });
    h.advance(QUIET_MS);
    await processDatasetVersion(deps, ref(root), [], 'req');
    expect(h.starts[0]?.parameters['InputFormat']).toBe('labelstudio');
    expect(reads.filter((r) => r.key.startsWith(root))).toEqual([{ key: `${root}project-3-at-2026-01-02-10-00-5a1b.json`, length: 1024 }]);
  });

  it('a batch groups labeled-data/ events per version and tells about a folder that cannot be a version', async () => {
    const h = new TriggerHarness();
    const root = await exportIn(h, 'batch', 'voc');
    await h.store.put(BUCKET, `${root}${UPLOAD_MARKER_NAME}`, JSON.stringify(buildUploadMarker(root, await listAll(h.store, BUCKET, root), new Date())));
    await h.store.put(BUCKET, 'labeled-data/my export/a.xml', '<annotation/>');
    const events = [...(await h.eventsOf(root)), ...(await h.eventsOf('labeled-data/my export/'))];
    const outcome = await processTriggerBatch(events, h.deps(), 'req');
    expect(outcome.versions).toEqual([{ root, messages: 7, result: expect.objectContaining({ kind: 'started', via: 'upload marker' }) }]);
    expect(h.starts.map((s) => s.parameters['InputFormat'])).toEqual(['voc']);
    expect(h.messages.map((m) => m.attributes?.['event']).sort()).toEqual(['dataset.bad-version-name', 'training.started']);
  });
});

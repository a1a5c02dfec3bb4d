import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../../../src/local/fs/record-file.ts';
import { LocalModelRegistry, RegistryError, type RegisterModelInput } from '../../../../src/local/registry/model-registry.ts';

let dir: string;
let registry: LocalModelRegistry;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-registry-'));
  registry = new LocalModelRegistry(join(dir, 'registry'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const input = (extra: Partial<RegisterModelInput> = {}): RegisterModelInput => ({
  modelPackageGroupName: 'yolops-yolo-models',
  artifactUri: 's3://art/pipelines/e1/job/output/model.tar.gz',
  metrics: { mAP50: 0.9, mAP50_95: 0.6 },
  modelQualityStatisticsUri: 's3://art/pipelines/e1/evaluation/evaluation.json',
  lineage: { executionId: 'e1', pipelineName: 'p', datasetUri: 's3://data/split_dataset/v1/', codeVersion: 'abc' },
  customerMetadata: { CodeVersion: 'abc' },
  now: new Date('2026-11-23T10:00:00Z'),
  ...extra,
});

const code = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof RegistryError)) throw new Error(`expected a RegistryError, got ${String(error)}`);
  return error.code;
};

describe('registering', () => {
  it('numbers versions 1, 2, ... per group and stores everything', async () => {
    const first = await registry.register(input());
    const second = await registry.register(input());
    const other = await registry.register(input({ modelPackageGroupName: 'other-models' }));
    expect([first.version, second.version, other.version]).toEqual([1, 2, 1]);
    expect(first).toEqual({
      schemaVersion: 1,
      modelPackageGroupName: 'yolops-yolo-models',
      version: 1,
      modelPackageArn: 'arn:aws:sagemaker:local:000000000000:model-package/yolops-yolo-models/1',
      artifactUri: 's3://art/pipelines/e1/job/output/model.tar.gz',
      approvalStatus: 'PendingManualApproval',
      approvalHistory: [],
      metrics: { mAP50: 0.9, mAP50_95: 0.6 },
      modelQualityStatisticsUri: 's3://art/pipelines/e1/evaluation/evaluation.json',
      lineage: { executionId: 'e1', pipelineName: 'p', datasetUri: 's3://data/split_dataset/v1/', codeVersion: 'abc' },
      customerMetadata: { CodeVersion: 'abc' },
      createdAt: '2026-11-23T10:00:00.000Z',
    });
    expect(await registry.get('yolops-yolo-models', 2)).toEqual(second);
    expect(JSON.parse(await readFile(join(dir, 'registry', 'yolops-yolo-models', '1.json'), 'utf8'))).toEqual(first);
    expect(await registry.groups()).toEqual(['other-models', 'yolops-yolo-models']);
    expect((await registry.list()).map((v) => `${v.modelPackageGroupName}/${v.version}`)).toEqual(['other-models/1', 'yolops-yolo-models/1', 'yolops-yolo-models/2']);
  });

  it('gives concurrent registrations distinct versions and leaves no temp files', async () => {
    const versions = await Promise.all(Array.from({ length: 12 }, () => registry.register(input())));
    expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect((await readdir(join(dir, 'registry', 'yolops-yolo-models'))).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `${i + 1}.json`).sort());
  });

  it('continues after the highest version, even with gaps', async () => {
    await mkdir(join(dir, 'registry', 'yolops-yolo-models'), { recursive: true });
    await writeFile(join(dir, 'registry', 'yolops-yolo-models', '7.json'), JSON.stringify({ ...(await registry.register(input())), version: 7 }));
    expect((await registry.register(input())).version).toBe(8);
  });

  it('refuses invalid group names, versions and statuses', async () => {
    expect(await code(registry.register(input({ modelPackageGroupName: '../evil' })))).toBe('InvalidInput');
    expect(await code(registry.get('yolops-yolo-models', 0))).toBe('InvalidInput');
    expect(await code(registry.get('yolops-yolo-models', 3))).toBe('NotFound');
    expect(await code(registry.register({ ...input(), approvalStatus: 'Maybe' as never }))).toBe('InvalidInput');
  });

  it('can register directly as Approved or Rejected (ModelApprovalStatus of the step)', async () => {
    expect((await registry.register(input({ approvalStatus: 'Approved' }))).approvalStatus).toBe('Approved');
  });
});

describe('approval', () => {
  it('approves with who, when and why, and is idempotent', async () => {
    await registry.register(input());
    const approved = await registry.approve('yolops-yolo-models', 1, { by: 'ana', reason: 'mAP fine', now: new Date('2026-11-24T00:00:00Z') });
    expect(approved.approvalStatus).toBe('Approved');
    expect(approved.approvalHistory).toEqual([{ from: 'PendingManualApproval', to: 'Approved', by: 'ana', at: '2026-11-24T00:00:00.000Z', reason: 'mAP fine' }]);
    const again = await registry.approve('yolops-yolo-models', 1, { by: 'bob' });
    expect(again).toEqual(approved);
    expect(await registry.get('yolops-yolo-models', 1)).toEqual(approved);
  });

  it('rejects a pending or an approved version (withdrawing it), idempotently', async () => {
    await registry.register(input());
    await registry.register(input());
    const rejected = await registry.reject('yolops-yolo-models', 1, { by: 'ana', reason: 'false positives' });
    expect(rejected.approvalStatus).toBe('Rejected');
    expect((await registry.reject('yolops-yolo-models', 1, { by: 'x' })).approvalHistory).toHaveLength(1);
    await registry.approve('yolops-yolo-models', 2, { by: 'ana' });
    const withdrawn = await registry.reject('yolops-yolo-models', 2, { by: 'bob', reason: 'drift' });
    expect(withdrawn.approvalHistory.map((h) => `${h.from}->${h.to}`)).toEqual(['PendingManualApproval->Approved', 'Approved->Rejected']);
  });

  it('approves a rejected version only with a reason', async () => {
    await registry.register(input());
    await registry.reject('yolops-yolo-models', 1, { by: 'ana', reason: 'bad' });
    expect(await code(registry.approve('yolops-yolo-models', 1, { by: 'bob' }))).toBe('InvalidTransition');
    expect(await code(registry.approve('yolops-yolo-models', 1, { by: 'bob', reason: '  ' }))).toBe('InvalidTransition');
    const approved = await registry.approve('yolops-yolo-models', 1, { by: 'bob', reason: 'retested on the new val split' });
    expect(approved.approvalHistory.map((h) => h.to)).toEqual(['Rejected', 'Approved']);
  });

  it('serializes concurrent decisions on one version (no lost update)', async () => {
    await registry.register(input());
    // Either order is valid (approving after the reject carries a reason); what matters is that both land.
    await Promise.all([registry.approve('yolops-yolo-models', 1, { by: 'a', reason: 'looked again' }), registry.reject('yolops-yolo-models', 1, { by: 'b', reason: 'r' })]);
    const final = await registry.get('yolops-yolo-models', 1);
    expect(final.approvalHistory).toHaveLength(2);
    expect(final.approvalStatus).toBe(final.approvalHistory[1]?.to);
    expect((await readdir(join(dir, 'registry', 'yolops-yolo-models'))).filter((f) => f.endsWith('.lock'))).toEqual([]);
  });

  it('takes over a lock whose owner died', async () => {
    await registry.register(input());
    await writeFile(join(dir, 'registry', 'yolops-yolo-models', '1.json.lock'), '999999999');
    expect((await registry.approve('yolops-yolo-models', 1, { by: 'a' })).approvalStatus).toBe('Approved');
  });

  it('finds the latest version with a status', async () => {
    await registry.register(input());
    await registry.register(input());
    await registry.register(input());
    await registry.approve('yolops-yolo-models', 1, { by: 'a' });
    await registry.approve('yolops-yolo-models', 2, { by: 'a' });
    expect((await registry.latest('yolops-yolo-models', 'Approved'))?.version).toBe(2);
    expect((await registry.latest('yolops-yolo-models'))?.version).toBe(3);
    expect(await registry.latest('nothing-here')).toBeUndefined();
  });
});

describe('records read back', () => {
  const versionFile = (v: number): string => join(dir, 'registry', 'yolops-yolo-models', `${v}.json`);
  const corrupt = async (promise: Promise<unknown>): Promise<CorruptRecordError> => {
    const error = await promise.then(() => undefined, (e: unknown) => e);
    if (!(error instanceof CorruptRecordError)) throw new Error(`expected a CorruptRecordError, got ${String(error)}`);
    return error;
  };

  it('refuses a file that is not JSON, naming it', async () => {
    await registry.register(input());
    await writeFile(versionFile(1), '{"schemaVersion": 1, "vers');
    const error = await corrupt(registry.get('yolops-yolo-models', 1));
    expect(error.path).toBe(versionFile(1));
    expect(error.message).toMatch(new RegExp(`^${versionFile(1)} is not a valid model version record .*repair or remove the file:\n  - not JSON: `));
  });

  it('lists every field that does not fit, and the list of a group stops at the bad file', async () => {
    const record = await registry.register(input());
    await registry.register(input());
    await writeFile(versionFile(2), JSON.stringify({ ...record, version: 2, approvalStatus: 'Maybe', metrics: { mAP50: 'high' }, extra: true }));
    const error = await corrupt(registry.list('yolops-yolo-models'));
    expect(error.path).toBe(versionFile(2));
    expect(error.problems).toEqual([
      expect.stringMatching(/^approvalStatus: .*PendingManualApproval/),
      expect.stringMatching(/^metrics\.mAP50: .*expected number/),
      expect.stringMatching(/^\(top level\): .*"extra"/),
    ]);
  });

  it('refuses a record whose version or group is not the one its file name says', async () => {
    const record = await registry.register(input());
    await writeFile(versionFile(2), JSON.stringify({ ...record, version: 1 }));
    expect((await corrupt(registry.get('yolops-yolo-models', 2))).problems).toEqual(['version: 1, but the file is version 2']);
    await writeFile(versionFile(2), JSON.stringify({ ...record, version: 2, modelPackageGroupName: 'other-models' }));
    expect((await corrupt(registry.get('yolops-yolo-models', 2))).problems).toEqual(['modelPackageGroupName: "other-models", but the file is in group yolops-yolo-models']);
  });

  it('does not make a lock or a folder for a version that does not exist', async () => {
    expect(await code(registry.approve('yolops-yolo-models', 4, { by: 'a' }))).toBe('NotFound');
    expect(await registry.groups()).toEqual([]);
  });
});

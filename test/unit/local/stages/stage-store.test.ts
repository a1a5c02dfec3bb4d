import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../../../src/local/fs/record-file.ts';
import { liveFollowers, removeFollowerState, writeFollowerState } from '../../../../src/local/stages/stage-followers.ts';
import type { StageChangeInput } from '../../../../src/local/stages/stage-record.ts';
import { LocalStageStore, StageError } from '../../../../src/local/stages/stage-store.ts';

const GROUP = 'yolops-yolo-models';
const work = mkdtempSync(join(tmpdir(), 'yolops-stage-store-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
const newStore = (): LocalStageStore => new LocalStageStore(join(work, `stages-${++n}`));
const input = (version: number, extra: Partial<StageChangeInput> = {}): StageChangeInput => ({ stage: 'staging', modelPackageGroupName: GROUP, version, by: 'alice', action: 'approve', now: new Date(), ...extra });

describe('LocalStageStore', () => {
  it('reads nothing for a stage never set, then what point wrote, as <dir>/<stage>.json with no temp file left', async () => {
    const store = newStore();
    expect(await store.read('staging')).toBeUndefined();
    const update = await store.point(input(1));
    expect(update.kind).toBe('changed');
    expect(await store.read('staging')).toEqual(update.record);
    expect(JSON.parse(readFileSync(join(store.dir, 'staging.json'), 'utf8'))).toEqual(update.record);
    expect(readdirSync(store.dir)).toEqual(['staging.json']);
    expect(await store.readAll()).toEqual({ staging: update.record, production: undefined });
  });

  it('keeps every change when several processes point the stage at once (lock, then atomic replace)', async () => {
    const store = newStore();
    await Promise.all([1, 2, 3, 4, 5].map((v) => store.point(input(v))));
    const record = await store.read('staging');
    expect(record?.history.map((h) => h.version).sort()).toEqual([1, 2, 3, 4, 5]);
    // Each change names the one before it: no change was lost between a read and a write.
    expect(record?.history.map((h) => h.previousVersion)).toEqual([null, ...(record?.history.slice(0, -1).map((h) => h.version) ?? [])]);
  });

  it('names the file and each problem when the record is broken', async () => {
    const store = newStore();
    mkdirSync(store.dir, { recursive: true });
    writeFileSync(store.path('production'), '{"schemaVersion": 1, "stage": "production", "version": "two"');
    await expect(store.read('production')).rejects.toThrow(new RegExp(`^${store.path('production')} is not a valid stage record \\(schemaVersion 1\\); repair or remove the file:\\n  - not JSON`));
    writeFileSync(store.path('production'), JSON.stringify({ schemaVersion: 1, stage: 'production', modelPackageGroupName: GROUP, version: 'two', since: 'yesterday', history: [] }));
    const error = await store.read('production').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect((error as CorruptRecordError).problems).toEqual(expect.arrayContaining([expect.stringMatching(/^version: /), expect.stringMatching(/^since: /), expect.stringMatching(/^history: /)]));
  });

  it("refuses a staging record copied into production's file", async () => {
    const store = newStore();
    const { record } = await store.point(input(2));
    writeFileSync(store.path('production'), JSON.stringify(record));
    await expect(store.read('production')).rejects.toThrow(/production\.json is not a valid stage record .*\n {2}- stage: "staging", but the file is the production stage's$/);
  });

  it("refuses to point a stage that names another group's version, and leaves it as it was", async () => {
    const store = newStore();
    const { record } = await store.point(input(2, { modelPackageGroupName: 'old-models' }));
    const error = await store.point(input(3)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StageError);
    expect((error as StageError).audience).toBe('user');
    expect((error as Error).message).toContain(`remove ${store.path('staging')}`);
    expect(await store.read('staging')).toEqual(record);
  });
});

describe('stage followers', () => {
  it('lists the live processes serving a stage and skips files of processes that are gone', async () => {
    const dir = join(work, 'followers-test');
    const state = { schemaVersion: 1 as const, stage: 'staging' as const, pid: process.pid, endpoint: 'http://127.0.0.1:1234/invocations', version: 2, serverPid: 4242, since: new Date().toISOString() };
    await writeFollowerState(dir, state);
    // A pid far above any pid_max: its process cannot exist.
    await writeFollowerState(dir, { ...state, pid: 2 ** 30 });
    await writeFollowerState(dir, { ...state, stage: 'production' });
    expect(await liveFollowers(dir, 'staging')).toEqual([state]);
    removeFollowerState(dir, 'staging', process.pid);
    expect(await liveFollowers(dir, 'staging')).toEqual([]);
    expect(await liveFollowers(join(work, 'nothing-here'), 'staging')).toEqual([]);
  });
});

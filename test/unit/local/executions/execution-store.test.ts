import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../../../src/local/executions/execution-record.ts';
import { ExecutionStore } from '../../../../src/local/executions/execution-store.ts';

let dir: string;
let store: ExecutionStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-executions-'));
  store = new ExecutionStore(join(dir, 'executions'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const record = (id: string, startedAt: string, extra: Partial<ExecutionRecord> = {}): ExecutionRecord => ({
  schemaVersion: 1,
  executionId: id,
  executionArn: `arn:${id}`,
  pipelineName: 'p',
  status: 'Executing',
  startedAt,
  parameters: { Epochs: 3 },
  steps: [{ name: 'Train', type: 'Training', status: 'Pending' }],
  decisions: [],
  notifications: [],
  ignored: [],
  definitionSha256: 'x',
  ...extra,
});

describe('ExecutionStore', () => {
  it('saves snapshots and reads them back', async () => {
    const r = record('aaa', '2026-11-23T10:00:00.000Z');
    const saving = store.save(r);
    r.status = 'Succeeded'; // a later change must not leak into the snapshot being written
    await saving;
    expect((await store.get('aaa'))?.status).toBe('Executing');
    await store.save(r);
    expect((await store.get('aaa'))?.status).toBe('Succeeded');
    expect(await store.get('nope')).toBeUndefined();
    await expect(store.show('nope')).rejects.toThrow(/no execution "nope" in /);
  });

  it('keeps the last of many quick saves and leaves no temp files', async () => {
    const r = record('bbb', '2026-11-23T10:00:00.000Z');
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      r.parameters = { Epochs: i };
      saves.push(store.save(r));
    }
    await Promise.all(saves);
    expect((await store.get('bbb'))?.parameters).toEqual({ Epochs: 19 });
    expect(await readdir(join(dir, 'executions', 'bbb'))).toEqual(['execution.json']);
  });

  it('lists newest first and flags runs whose runner is gone', async () => {
    await store.save(record('old', '2026-11-22T10:00:00.000Z', { status: 'Succeeded' }));
    await store.save(record('new', '2026-11-23T10:00:00.000Z', { runnerPid: process.pid }));
    await store.save(record('dead', '2026-11-21T10:00:00.000Z', { runnerPid: 999_999_999 }));
    const list = await store.list();
    expect(list.map((s) => [s.record.executionId, s.runnerGone])).toEqual([
      ['new', false],
      ['old', false],
      ['dead', true],
    ]);
    expect(await new ExecutionStore(join(dir, 'missing')).list()).toEqual([]);
  });

  it('refuses ids that are not a folder name of its own', () => {
    expect(() => store.executionDir('../x')).toThrow(/invalid execution id/);
  });
});

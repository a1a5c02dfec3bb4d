import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../../../src/local/executions/execution-record.ts';
import { ExecutionStore } from '../../../../src/local/executions/execution-store.ts';
import { processRef } from '../../../../src/local/executions/process-ref.ts';
import { CorruptRecordError } from '../../../../src/local/fs/record-file.ts';

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

  it('shows an Executing record whose runner died as Stopped, with the reason, and leaves the file as it is', async () => {
    const steps: ExecutionRecord['steps'] = [
      { name: 'Train', type: 'Training', status: 'Executing', job: { pid: 999_999_998 } },
      { name: 'Evaluate', type: 'Processing', status: 'Pending' },
    ];
    await store.save(record('dead', '2026-11-21T10:00:00.000Z', { runnerPid: 999_999_999, steps }));
    const shown = await store.show('dead');
    expect(shown.runnerGone).toBe(true);
    expect(shown.record.status).toBe('Stopped');
    expect(shown.record.stopReason).toBe('the runner (pid 999999999) exited without finishing');
    expect(shown.record.steps.map((s) => [s.status, s.stopReason])).toEqual([
      ['Stopped', 'the runner (pid 999999999) exited without finishing'],
      ['Pending', undefined],
    ]);
    expect((await store.get('dead'))?.status).toBe('Executing');
  });

  it('tells a live runner from a reused pid by the process identity', async () => {
    // The parent process is alive; with its own identity it is the runner, with another one its pid was reused.
    const parent = processRef(process.ppid);
    await store.save(record('live', '2026-11-21T10:00:00.000Z', { runnerPid: parent.pid, ...(parent.identity ? { runnerIdentity: parent.identity } : {}) }));
    await store.save(record('reused', '2026-11-21T10:00:00.000Z', { runnerPid: parent.pid, runnerIdentity: 'another-boot/123' }));
    expect((await store.show('live')).record.status).toBe('Executing');
    if (parent.identity === undefined) return; // no /proc: a pid is all there is
    expect(await store.show('reused')).toMatchObject({ runnerGone: true, record: { status: 'Stopped' } });
  });

  it('refuses a record that is not one, naming the file and each key', async () => {
    const path = join(dir, 'executions', 'bad', 'execution.json');
    await mkdir(join(dir, 'executions', 'bad'), { recursive: true });
    await writeFile(path, JSON.stringify({ ...record('bad', '2026-11-21T10:00:00.000Z'), status: 'Running', steps: [{ name: 'Train' }] }));
    const error = await store.get('bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRecordError);
    expect((error as CorruptRecordError).path).toBe(path);
    expect((error as Error).message).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a valid execution record; repair or remove the file:\n`));
    expect((error as CorruptRecordError).problems).toEqual([expect.stringMatching(/^status: /), expect.stringMatching(/^steps\.0\.type: /), expect.stringMatching(/^steps\.0\.status: /)]);
    await writeFile(path, '{"schemaVersion": 1,');
    await expect(store.list()).rejects.toThrow(`${path} is not a valid execution record; repair or remove the file:\n  - not JSON`);
  });

  it('refuses ids that are not a folder name of its own', () => {
    expect(() => store.executionDir('../x')).toThrow(/invalid execution id/);
  });
});

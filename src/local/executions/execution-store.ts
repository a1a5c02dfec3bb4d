import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonFileIfExists, writeJsonAtomic } from '../fs/atomic-file.ts';
import { isErrnoCode } from '../fs/errno.ts';
import { isJsonObject } from '../json.ts';
import type { ExecutionRecord } from './execution-record.ts';

/** An execution as listed: the record plus whether its runner is gone while it still says Executing. */
export interface ExecutionSummary {
  record: ExecutionRecord;
  /** True when the record says Executing but the runner process no longer exists (killed, machine restarted). */
  orphaned: boolean;
}

/**
 * `executions/<id>/execution.json`, one per execution, rewritten atomically at every change so a reader
 * (`yolops runs show`, a second terminal) always sees a complete record.
 */
export class ExecutionStore {
  readonly dir: string;
  /** Writes of one execution are chained so an older snapshot never lands after a newer one. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(executionsDir: string) {
    this.dir = executionsDir;
  }

  executionDir(executionId: string): string {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(executionId)) throw new Error(`invalid execution id ${JSON.stringify(executionId)}`);
    return join(this.dir, executionId);
  }

  recordPath(executionId: string): string {
    return join(this.executionDir(executionId), 'execution.json');
  }

  /** Saves a snapshot of `record` (copied now, so later mutations do not leak into this write). */
  save(record: ExecutionRecord): Promise<void> {
    const snapshot = structuredClone(record);
    const path = this.recordPath(record.executionId);
    const previous = this.pending.get(record.executionId) ?? Promise.resolve();
    const next = previous.then(() => writeJsonAtomic(path, snapshot));
    const settled = next.finally(() => {
      if (this.pending.get(record.executionId) === settled) this.pending.delete(record.executionId);
    });
    this.pending.set(record.executionId, settled);
    return next;
  }

  async get(executionId: string): Promise<ExecutionRecord | undefined> {
    const raw = await readJsonFileIfExists(this.recordPath(executionId));
    if (raw === undefined) return undefined;
    if (!isJsonObject(raw) || raw['schemaVersion'] !== 1 || typeof raw['executionId'] !== 'string' || !Array.isArray(raw['steps'])) {
      throw new Error(`${this.recordPath(executionId)} is not an execution record (schemaVersion 1)`);
    }
    return raw as unknown as ExecutionRecord;
  }

  /** Like get, but a missing execution is an error that lists where it looked. */
  async show(executionId: string): Promise<ExecutionSummary> {
    const record = await this.get(executionId);
    if (!record) throw new Error(`no execution "${executionId}" in ${this.dir}`);
    return { record, orphaned: isOrphaned(record) };
  }

  /** Every execution, newest first. */
  async list(): Promise<ExecutionSummary[]> {
    let ids: string[];
    try {
      ids = (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (error) {
      if (isErrnoCode(error, 'ENOENT')) return [];
      throw error;
    }
    const out: ExecutionSummary[] = [];
    for (const id of ids) {
      const record = await this.get(id);
      if (record) out.push({ record, orphaned: isOrphaned(record) });
    }
    return out.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
  }
}

function isOrphaned(record: ExecutionRecord): boolean {
  if (record.status !== 'Executing' || record.runnerPid === undefined) return false;
  if (record.runnerPid === process.pid) return false;
  try {
    process.kill(record.runnerPid, 0);
    return false;
  } catch (error) {
    return isErrnoCode(error, 'ESRCH');
  }
}

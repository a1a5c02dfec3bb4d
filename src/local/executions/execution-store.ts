import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalError } from '../errors.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { isErrnoCode } from '../fs/errno.ts';
import { readRecordFileIfExists } from '../fs/record-file.ts';
import { executionRecordSchema, type ExecutionRecord } from './execution-record.ts';
import { isProcessAlive } from './process-ref.ts';

/** An execution as people and the watcher see it. */
export interface ExecutionSummary {
  /**
   * The record as it stands: one that says Executing while its runner is gone (killed, machine restarted) is
   * shown Stopped, with the reason, and its executing step Stopped too. The file itself is left as it is.
   */
  record: ExecutionRecord;
  /** True when the file says Executing but no runner owns the execution any more. */
  runnerGone: boolean;
}

/** The user asked for an execution that is not there. */
export class ExecutionNotFoundError extends LocalError {
  constructor(executionId: string, dir: string) {
    super(`no execution "${executionId}" in ${dir}: \`yolops runs list\` shows the ones there are`, { audience: 'user' });
  }
}

/**
 * `executions/<id>/execution.json`, one per execution, rewritten atomically at every change so a reader
 * (`yolops runs show`, a second terminal) always sees a complete record. Records read back are validated.
 */
export class ExecutionStore {
  readonly dir: string;
  /** Writes of one execution are chained so an older snapshot never lands after a newer one. */
  private readonly pending = new Map<string, Promise<void>>();

  constructor(executionsDir: string) {
    this.dir = executionsDir;
  }

  executionDir(executionId: string): string {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(executionId)) throw new LocalError(`invalid execution id ${JSON.stringify(executionId)}: lowercase letters, digits and "-"`, { audience: 'user' });
    return join(this.dir, executionId);
  }

  recordPath(executionId: string): string {
    return join(this.executionDir(executionId), 'execution.json');
  }

  /** The definition the execution interpreted, kept so a retry runs exactly it. */
  definitionPath(executionId: string): string {
    return join(this.executionDir(executionId), 'definition.json');
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

  /** The record as written, validated; undefined when there is none. A corrupt file is a CorruptRecordError naming it. */
  async get(executionId: string): Promise<ExecutionRecord | undefined> {
    return readRecordFileIfExists(this.recordPath(executionId), executionRecordSchema, 'execution record');
  }

  /** Like get, seen as people see it (see ExecutionSummary); a missing execution is an ExecutionNotFoundError. */
  async show(executionId: string): Promise<ExecutionSummary> {
    const record = await this.get(executionId);
    if (!record) throw new ExecutionNotFoundError(executionId, this.dir);
    return summarize(record);
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
      if (record) out.push(summarize(record));
    }
    return out.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
  }
}

/** True when the record says Executing and its runner is this process or still alive. */
export function runnerAlive(record: ExecutionRecord): boolean {
  if (record.status !== 'Executing') return false;
  // A record without a runner pid cannot be owned by anyone: treat it as gone.
  if (record.runnerPid === undefined) return false;
  if (record.runnerPid === process.pid) return true;
  return isProcessAlive({ pid: record.runnerPid, ...(record.runnerIdentity ? { identity: record.runnerIdentity } : {}) });
}

/** The record as people see it: Executing with a dead runner reads as Stopped, with the reason. */
export function summarize(record: ExecutionRecord): ExecutionSummary {
  if (record.status !== 'Executing' || runnerAlive(record)) return { record, runnerGone: false };
  const reason = record.runnerPid === undefined ? 'no runner is recorded for this execution' : `the runner (pid ${record.runnerPid}) exited without finishing`;
  const shown = structuredClone(record);
  shown.status = 'Stopped';
  shown.stopReason = reason;
  for (const step of shown.steps) {
    if (step.status === 'Executing') {
      step.status = 'Stopped';
      step.stopReason = reason;
    }
  }
  return { record: shown, runnerGone: true };
}

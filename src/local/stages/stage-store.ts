import { join } from 'node:path';
import { LocalError } from '../errors.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { withPidLock } from '../fs/pid-lock.ts';
import { CorruptRecordError, readRecordFileIfExists } from '../fs/record-file.ts';
import { stageProblem } from './stage-choice.ts';
import { LOCAL_STAGES, pointStage, stageRecordSchema, type LocalStage, type StageChangeInput, type StageRecord, type StageUpdate } from './stage-record.ts';

/** A stage cannot be changed as asked (`user`), or its file is held by another process (`internal`). */
export class StageError extends LocalError {}

const RECORD_KIND = 'stage record (schemaVersion 1)';

/**
 * The local stages: `<dir>/<stage>.json` (dir = `<root>/serving/stages`), one file per stage so that a server
 * following one stage polls one small file. Changes are read-modify-write under a per-stage lock and written
 * atomically (temp file + rename), so a reader sees the old record or the new one and two changes at once both
 * land in the history.
 */
export class LocalStageStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  path(stage: LocalStage): string {
    return join(this.dir, `${stage}.json`);
  }

  /** The stage's record, validated; undefined when the stage was never set. */
  async read(stage: LocalStage): Promise<StageRecord | undefined> {
    const path = this.path(stage);
    const record = await readRecordFileIfExists(path, stageRecordSchema, RECORD_KIND);
    // The file's name is the stage it answers for: a copied file must not move a version into production.
    if (record && record.stage !== stage) throw new CorruptRecordError(path, RECORD_KIND, [`stage: ${JSON.stringify(record.stage)}, but the file is the ${stage} stage's`]);
    return record;
  }

  async readAll(): Promise<Record<LocalStage, StageRecord | undefined>> {
    const entries = await Promise.all(LOCAL_STAGES.map(async (stage) => [stage, await this.read(stage)] as const));
    return Object.fromEntries(entries) as Record<LocalStage, StageRecord | undefined>;
  }

  /** Points a stage at a version of `modelPackageGroupName` (see pointStage); refuses a stage of another group. */
  async point(input: StageChangeInput): Promise<StageUpdate> {
    const path = this.path(input.stage);
    return withPidLock(
      `${path}.lock`,
      async () => {
        const current = await this.read(input.stage);
        const problem = current && stageProblem(input.stage, current, input.modelPackageGroupName, path);
        if (problem) throw new StageError(problem, { audience: 'user' });
        const update = pointStage(current, input);
        if (update.kind === 'changed') await writeJsonAtomic(path, update.record);
        return update;
      },
      { busy: (lock, owner) => new StageError(`${lock} is held by process ${owner ?? '?'}; try again`) },
    );
  }
}

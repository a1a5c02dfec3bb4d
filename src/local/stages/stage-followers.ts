import { rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { isErrnoCode } from '../fs/errno.ts';
import { processExists } from '../fs/pid-lock.ts';
import { readRecordFileIfExists } from '../fs/record-file.ts';
import { LOCAL_STAGES, type LocalStage } from './stage-record.ts';

/**
 * `<stages dir>/followers/<stage>-<pid>.json`: what a `yolops serve --stage` process serves right now, so that
 * `yolops models stages` can tell whether a stage is being served. One file per process (two may follow the
 * same stage); the process removes its file when it ends, and a file whose process is gone is ignored.
 */
export const followerStateSchema = z.object({
  schemaVersion: z.literal(1),
  stage: z.enum(LOCAL_STAGES),
  pid: z.int().min(1),
  /** The stable address the process answers at (its proxy). */
  endpoint: z.string().min(1),
  /** The version its model server serves now. */
  version: z.int().min(1),
  /** The model server's process group (its log is under `serving/<group>-v<version>/`). */
  serverPid: z.int().min(1),
  since: z.iso.datetime({ offset: true }),
  /** The last version the stage named whose server did not start, and why (the process kept `version`). */
  failed: z.object({ version: z.int().min(1), reason: z.string() }).optional(),
});
export type FollowerState = z.output<typeof followerStateSchema>;

const FOLLOWER_FILE = /^([a-z]+)-(\d+)\.json$/;

export function followerPath(stagesDir: string, stage: LocalStage, pid: number): string {
  return join(stagesDir, 'followers', `${stage}-${pid}.json`);
}

export async function writeFollowerState(stagesDir: string, state: FollowerState): Promise<void> {
  await writeJsonAtomic(followerPath(stagesDir, state.stage, state.pid), state);
}

/** Synchronous, so that it also runs in an 'exit' handler. */
export function removeFollowerState(stagesDir: string, stage: LocalStage, pid: number): void {
  rmSync(followerPath(stagesDir, stage, pid), { force: true });
}

/** The processes serving `stage` now (files of processes that are gone are skipped). */
export async function liveFollowers(stagesDir: string, stage: LocalStage): Promise<FollowerState[]> {
  let names: string[];
  try {
    names = await readdir(join(stagesDir, 'followers'));
  } catch (error) {
    if (isErrnoCode(error, 'ENOENT')) return [];
    throw error;
  }
  const states: FollowerState[] = [];
  for (const name of names.sort()) {
    const match = FOLLOWER_FILE.exec(name);
    if (!match || match[1] !== stage || !processExists(Number(match[2]))) continue;
    const state = await readRecordFileIfExists(join(stagesDir, 'followers', name), followerStateSchema, 'stage follower state (schemaVersion 1)');
    if (state) states.push(state);
  }
  return states;
}

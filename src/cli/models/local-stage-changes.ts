import { describeStageChange, judgePromotion, liveFollowers, localLayout, LocalStageStore, type LocalStage, type StageRecord, type StageUpdate } from '../../local/index.ts';
import type { CliContext } from '../context.ts';
import { CliError, EXIT } from '../errors.ts';
import { info } from '../output.ts';
import { withVersion, type RegistryAccess } from './registry-access.ts';
import type { StageView } from './stages-view.ts';

export function openLocalStages(ctx: CliContext): LocalStageStore {
  return new LocalStageStore(localLayout(ctx.project().localRoot).stages);
}

interface ChangeInput {
  by: string;
  reason?: string;
}

/** The line a stage change prints: what it names now and what it named before, or that nothing changed. */
export function stageChangeLine(stage: LocalStage, update: StageUpdate): string {
  if (update.kind === 'unchanged') return `${stage} already names version ${update.record.version} (since ${update.record.since})`;
  return `${describeStageChange(stage, update.previousVersion, update.record.version)} (a running \`yolops serve --stage ${stage}\` switches to it)`;
}

/** After an approval: the local staging stage names the approved version, so it can be tried at once. */
export async function pointStagingAt(ctx: CliContext, access: RegistryAccess, version: number, input: ChangeInput): Promise<StageUpdate> {
  try {
    return await openLocalStages(ctx).point({ stage: 'staging', modelPackageGroupName: access.group, version, action: 'approve', now: new Date(), ...input });
  } catch (error) {
    // The approval is recorded and stays: say so, so the person knows only the stage is left to fix.
    throw new CliError(`${access.group} version ${version} is Approved, but the local staging stage was not changed: ${(error as Error).message}`, { cause: error, exitCode: EXIT.failed });
  }
}

/** Points the local production stage at an Approved version; refuses any other (exit 2) with how to fix it. */
export async function promoteLocally(ctx: CliContext, access: RegistryAccess, version: number, input: ChangeInput): Promise<StageUpdate> {
  const record = await withVersion(access, version, () => access.registry.get(access.group, version));
  const verdict = judgePromotion(record);
  if (verdict.kind === 'refused') throw new CliError(verdict.message);
  return openLocalStages(ctx).point({ stage: 'production', modelPackageGroupName: access.group, version, action: 'promote', now: new Date(), ...input });
}

/** Each stage with its record and the local servers following it. */
export async function localStageViews(ctx: CliContext): Promise<StageView[]> {
  const stages = openLocalStages(ctx);
  const records = await stages.readAll();
  return Promise.all(
    (Object.entries(records) as [LocalStage, StageRecord | undefined][]).map(async ([stage, record]) => ({ stage, record, followers: await liveFollowers(stages.dir, stage) })),
  );
}

/** Notes, after a rejection, each stage that still names the version (nothing switches it away on its own). */
export async function noteStagesNaming(ctx: CliContext, version: number): Promise<void> {
  for (const { stage, record } of await localStageViews(ctx)) {
    if (record?.version === version) info(`note: the local ${stage} stage still names version ${version}: point it at another version (${stage === 'staging' ? 'yolops models approve <version>' : 'yolops models promote <version>'})`);
  }
}

const WAIT_POLL_MS = 500;

/**
 * `--wait` locally: waits until every `yolops serve --stage` process following the stage serves the version
 * (they switch within a second or two of the record plus the model's load time); fails (exit 1) when one of them
 * reports that the version's server did not start, or after `timeoutMs`. Without such a process there is
 * nothing to wait for, and it says so.
 */
export async function waitForLocalFollowers(ctx: CliContext, stage: LocalStage, version: number, timeoutMs: number): Promise<void> {
  const dir = openLocalStages(ctx).dir;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const followers = await liveFollowers(dir, stage);
    if (followers.length === 0) return info(`no local server follows the ${stage} stage: \`yolops serve --stage ${stage}\` serves version ${version}`);
    const failed = followers.find((f) => f.failed?.version === version);
    if (failed) throw new CliError(`the ${stage} server at ${failed.endpoint} (pid ${failed.pid}) could not start version ${version} and keeps serving version ${failed.version}: ${failed.failed?.reason}`, { exitCode: EXIT.failed });
    if (followers.every((f) => f.version === version)) return info(`the local ${stage} server${followers.length > 1 ? 's' : ''} at ${followers.map((f) => f.endpoint).join(', ')} serve${followers.length > 1 ? '' : 's'} version ${version}`);
    if (Date.now() > deadline) throw new CliError(`the local ${stage} servers did not switch to version ${version} within ${Math.round(timeoutMs / 1000)} s: their output says why`, { exitCode: EXIT.failed });
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
}

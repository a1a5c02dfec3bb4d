import type { ModelVersionRecord } from '../../core/registry/model-version.ts';
import type { LocalStage, StageRecord } from './stage-record.ts';

export type StageVerdict = { kind: 'allowed' } | { kind: 'refused'; message: string };

/**
 * Production takes only an Approved version (as the AWS deployer deploys only Approved model packages); the
 * refusal says what the version is and the command that gets it there.
 */
export function judgePromotion(v: ModelVersionRecord): StageVerdict {
  const name = `model ${v.modelPackageGroupName} version ${v.version}`;
  switch (v.approvalStatus) {
    case 'Approved':
      return { kind: 'allowed' };
    case 'Rejected':
      return {
        kind: 'refused',
        message: `${name} was Rejected: production takes only Approved versions; promote another one (yolops models list), or overrule the rejection with \`yolops models approve ${v.version} --reason <why>\` first`,
      };
    default:
      return {
        kind: 'refused',
        message: `${name} is ${v.approvalStatus}, not Approved: production takes only Approved versions; approve it first with \`yolops models approve ${v.version}\` (that also puts it in staging to try), then promote it`,
      };
  }
}

/** How a stage gets its first version: the command to run. */
export function howToSetStage(stage: LocalStage): string {
  return stage === 'staging' ? 'approve a version with `yolops models approve <version>` (that points staging at it)' : 'promote an Approved version with `yolops models promote <version>`';
}

/**
 * Why a stage cannot be served (or promoted within) for the project's model group: it names no version yet, or
 * it names a version of another group (the project was renamed since). Undefined when it can be.
 */
export function stageProblem(stage: LocalStage, record: StageRecord | undefined, group: string, file: string): string | undefined {
  if (record === undefined) return `the local ${stage} stage names no version yet: ${howToSetStage(stage)}`;
  if (record.modelPackageGroupName !== group) {
    return `the local ${stage} stage names ${record.modelPackageGroupName} version ${record.version}, but this project registers ${group}: remove ${file} and ${howToSetStage(stage)}`;
  }
  return undefined;
}

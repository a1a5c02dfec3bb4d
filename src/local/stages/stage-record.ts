import * as z from 'zod';
import { DEPLOY_STAGES, type DeployStage } from '../../core/deploy/deploy-stage.ts';

/**
 * The local deployment stages are AWS's (the staging and production endpoints): staging takes each approved
 * version to try it, production only what is promoted to it.
 */
export const LOCAL_STAGES = DEPLOY_STAGES;
export type LocalStage = DeployStage;

export function isLocalStage(value: string): value is LocalStage {
  return (LOCAL_STAGES as readonly string[]).includes(value);
}

/** What changed a stage: approving a version points staging at it, promoting one points production at it. */
export const STAGE_ACTIONS = ['approve', 'promote'] as const;

const isoTime = z.iso.datetime({ offset: true });

export const stageChangeSchema = z.object({
  version: z.int().min(1),
  /** The version the stage named before; null for the stage's first version. */
  previousVersion: z.int().min(1).nullable(),
  at: isoTime,
  by: z.string().min(1),
  action: z.enum(STAGE_ACTIONS),
  reason: z.string().optional(),
});
export type StageChange = z.output<typeof stageChangeSchema>;

/** `<root>/serving/stages/<stage>.json`: the version a stage serves now, and every change that led there. */
export const stageRecordSchema = z
  .object({
    schemaVersion: z.literal(1),
    stage: z.enum(LOCAL_STAGES),
    modelPackageGroupName: z.string().min(1),
    version: z.int().min(1),
    since: isoTime,
    history: z.array(stageChangeSchema).min(1),
  })
  .refine((r) => r.history.at(-1)?.version === r.version && r.history.at(-1)?.at === r.since, {
    message: 'the last change of history must be the current version (version and since)',
    path: ['history'],
  });
export type StageRecord = z.output<typeof stageRecordSchema>;

export interface StageChangeInput {
  stage: LocalStage;
  modelPackageGroupName: string;
  version: number;
  by: string;
  action: StageChange['action'];
  reason?: string;
  now: Date;
}

export type StageUpdate =
  | { kind: 'changed'; record: StageRecord; previousVersion: number | null }
  | { kind: 'unchanged'; record: StageRecord };

/**
 * The record after pointing a stage at a version. Naming the version it serves already changes nothing (no
 * history entry, `since` kept), so repeating a command is harmless.
 */
export function pointStage(current: StageRecord | undefined, input: StageChangeInput): StageUpdate {
  if (current && current.version === input.version) return { kind: 'unchanged', record: current };
  const at = input.now.toISOString();
  const change: StageChange = {
    version: input.version,
    previousVersion: current?.version ?? null,
    at,
    by: input.by,
    action: input.action,
    ...(input.reason ? { reason: input.reason } : {}),
  };
  return {
    kind: 'changed',
    previousVersion: change.previousVersion,
    record: {
      schemaVersion: 1,
      stage: input.stage,
      modelPackageGroupName: input.modelPackageGroupName,
      version: input.version,
      since: at,
      history: [...(current?.history ?? []), change],
    },
  };
}

/** `production: version 1 -> 2`, `staging: none -> version 1`. */
export function describeStageChange(stage: LocalStage, previousVersion: number | null, version: number): string {
  return `${stage}: ${previousVersion === null ? 'none' : `version ${previousVersion}`} -> version ${version}`;
}

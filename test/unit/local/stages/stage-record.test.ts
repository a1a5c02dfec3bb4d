import { describe, expect, it } from 'vitest';
import { howToSetStage, judgePromotion, stageProblem } from '../../../../src/local/stages/stage-choice.ts';
import { describeStageChange, isLocalStage, pointStage, stageRecordSchema, type StageChangeInput, type StageRecord } from '../../../../src/local/stages/stage-record.ts';
import { GROUP, versionRecord as version } from '../model-version-fixture.ts';

const T1 = new Date('2025-03-01T10:00:00.000Z');
const T2 = new Date('2025-03-02T11:30:00.000Z');

const change = (version: number, now: Date, extra: Partial<StageChangeInput> = {}): StageChangeInput => ({ stage: 'production', modelPackageGroupName: GROUP, version, by: 'alice', action: 'promote', now, ...extra });


describe('pointStage', () => {
  it("starts a stage's history with no previous version", () => {
    const update = pointStage(undefined, change(3, T1, { reason: 'beats v2' }));
    expect(update).toEqual({
      kind: 'changed',
      previousVersion: null,
      record: {
        schemaVersion: 1,
        stage: 'production',
        modelPackageGroupName: GROUP,
        version: 3,
        since: T1.toISOString(),
        history: [{ version: 3, previousVersion: null, at: T1.toISOString(), by: 'alice', action: 'promote', reason: 'beats v2' }],
      },
    });
    expect(stageRecordSchema.parse(update.record)).toEqual(update.record);
  });

  it('appends each change with the version it replaced, and the record stays valid', () => {
    const first = pointStage(undefined, change(3, T1)).record;
    const second = pointStage(first, change(1, T2, { by: 'bob' }));
    expect(second.kind).toBe('changed');
    expect(second.kind === 'changed' ? second.previousVersion : undefined).toBe(3);
    expect(second.record).toMatchObject({ version: 1, since: T2.toISOString() });
    expect(second.record.history.map((h) => [h.previousVersion, h.version, h.by])).toEqual([
      [null, 3, 'alice'],
      [3, 1, 'bob'],
    ]);
    expect(stageRecordSchema.safeParse(second.record).success).toBe(true);
  });

  it('changes nothing, not even since, when the stage names the version already', () => {
    const first = pointStage(undefined, change(3, T1)).record;
    expect(pointStage(first, change(3, T2, { by: 'bob' }))).toEqual({ kind: 'unchanged', record: first });
  });
});

describe('stageRecordSchema', () => {
  const valid = pointStage(undefined, change(2, T1)).record;

  it('refuses a record whose current version is not the last change', () => {
    const result = stageRecordSchema.safeParse({ ...valid, version: 5 } satisfies StageRecord);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['history', 'the last change of history must be the current version (version and since)']]);
  });

  it('refuses an unknown stage, an empty history and a version that is no whole number', () => {
    expect(stageRecordSchema.safeParse({ ...valid, stage: 'canary' }).success).toBe(false);
    expect(stageRecordSchema.safeParse({ ...valid, history: [] }).success).toBe(false);
    expect(stageRecordSchema.safeParse({ ...valid, version: 1.5 }).success).toBe(false);
  });
});

describe('judgePromotion', () => {
  it('allows an Approved version only', () => {
    expect(judgePromotion(version(4, 'Approved'))).toEqual({ kind: 'allowed' });
  });

  it('refuses a pending version with the command that approves it', () => {
    expect(judgePromotion(version(4, 'PendingManualApproval'))).toEqual({
      kind: 'refused',
      message: `model ${GROUP} version 4 is PendingManualApproval, not Approved: production takes only Approved versions; approve it first with \`yolops models approve 4\` (that also puts it in staging to try), then promote it`,
    });
  });

  it('refuses a Rejected version, saying that approving it overrules the rejection and needs a reason', () => {
    const verdict = judgePromotion(version(4, 'Rejected'));
    expect(verdict.kind).toBe('refused');
    expect(verdict.kind === 'refused' ? verdict.message : '').toMatch(/^model yolops-yolo-models version 4 was Rejected: .*`yolops models approve 4 --reason <why>`/);
  });
});

describe('stageProblem', () => {
  const record = pointStage(undefined, change(2, T1)).record;

  it('says how to set a stage that names nothing yet', () => {
    expect(stageProblem('staging', undefined, GROUP, '/h/staging.json')).toBe(`the local staging stage names no version yet: ${howToSetStage('staging')}`);
    expect(howToSetStage('production')).toContain('yolops models promote <version>');
  });

  it("refuses a stage that names another group's version, naming the file to remove", () => {
    expect(stageProblem('production', record, 'other-models', '/h/production.json')).toBe(
      `the local production stage names ${GROUP} version 2, but this project registers other-models: remove /h/production.json and ${howToSetStage('production')}`,
    );
    expect(stageProblem('production', record, GROUP, '/h/production.json')).toBeUndefined();
  });
});

describe('describeStageChange and isLocalStage', () => {
  it('prints previous -> new', () => {
    expect(describeStageChange('production', null, 1)).toBe('production: none -> version 1');
    expect(describeStageChange('staging', 1, 2)).toBe('staging: version 1 -> version 2');
  });

  it('knows the two local stages', () => {
    expect(['staging', 'production', 'canary', ''].map(isLocalStage)).toEqual([true, true, false, false]);
  });
});

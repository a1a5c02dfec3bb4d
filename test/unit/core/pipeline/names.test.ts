import { describe, expect, it } from 'vitest';
import { jsonPathProblem, nameProblem } from '../../../../src/core/pipeline/names.ts';

describe('SageMaker naming rules', () => {
  it('accepts letters, digits, "-" and "_" up to 64 characters', () => {
    expect(nameProblem('step', 'Quality-Gate_2')).toBeUndefined();
    expect(nameProblem('parameter', 'p'.repeat(64))).toBeUndefined();
    expect(nameProblem('step', '')).toMatch(/empty/);
    expect(nameProblem('step', 'x'.repeat(65))).toMatch(/65 characters; SageMaker allows at most 64/);
    expect(nameProblem('parameter', 'a.b c')).toMatch(/contains "\.", " "/);
  });

  it('accepts plain JSONPaths and explains the others', () => {
    for (const ok of ['metrics.mAP50_95', '$.metrics.mAP50_95', "metrics['mAP50-95']", 'per_class[0].ap', 'a']) expect(jsonPathProblem(ok), ok).toBeUndefined();
    expect(jsonPathProblem('metrics.mAP50-95')).toMatch(/not a plain path at "-95".*metrics\['mAP50-95'\]/);
    expect(jsonPathProblem('')).toMatch(/empty/);
    expect(jsonPathProblem('a..b')).toMatch(/not a plain path/);
  });
});

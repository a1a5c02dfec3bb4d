import { describe, expect, it } from 'vitest';
import { isUserError } from '../../../src/core/errors.ts';
import { resolveTarget } from '../../../src/cli/target.ts';

describe('resolveTarget', () => {
  it('takes --target first, then YOLOPS_TARGET, then local', () => {
    expect(resolveTarget('aws', { YOLOPS_TARGET: 'local' })).toBe('aws');
    expect(resolveTarget(undefined, { YOLOPS_TARGET: 'aws' })).toBe('aws');
    expect(resolveTarget(undefined, {})).toBe('local');
    expect(resolveTarget(undefined, { YOLOPS_TARGET: '' })).toBe('local');
  });

  it('names where a bad value came from', () => {
    expect(() => resolveTarget('sagemaker', {})).toThrow(/^--target is "sagemaker": use "local" or "aws"$/);
    let thrown: unknown;
    try {
      resolveTarget(undefined, { YOLOPS_TARGET: 'AWS' });
    } catch (error) {
      thrown = error;
    }
    expect(isUserError(thrown)).toBe(true);
    expect((thrown as Error).message).toBe('YOLOPS_TARGET is "AWS": use "local" or "aws"');
  });
});

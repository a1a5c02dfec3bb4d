import { describe, expect, it } from 'vitest';
import { judgeTransition } from '../../../../src/core/registry/approval-transition.ts';

describe('judgeTransition', () => {
  it('lets a pending version be approved or rejected, with or without a reason', () => {
    expect(judgeTransition('PendingManualApproval', 'Approved')).toEqual({ kind: 'change' });
    expect(judgeTransition('PendingManualApproval', 'Rejected', '  too few images  ')).toEqual({ kind: 'change', reason: 'too few images' });
  });

  it('lets an approved model be withdrawn', () => {
    expect(judgeTransition('Approved', 'Rejected')).toEqual({ kind: 'change' });
  });

  it('asks for a reason to overrule a rejection', () => {
    expect(judgeTransition('Rejected', 'Approved')).toEqual({ kind: 'refused', why: 'was Rejected; approving it overrules that decision, so give a reason' });
    expect(judgeTransition('Rejected', 'Approved', ' \t')).toMatchObject({ kind: 'refused' });
    expect(judgeTransition('Rejected', 'Approved', 'relabelled')).toEqual({ kind: 'change', reason: 'relabelled' });
  });

  it('treats deciding the same again as a no-op', () => {
    expect(judgeTransition('Approved', 'Approved', 'again')).toEqual({ kind: 'unchanged' });
    expect(judgeTransition('Rejected', 'Rejected')).toEqual({ kind: 'unchanged' });
  });
});

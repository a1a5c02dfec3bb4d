import type { ApprovalStatus } from './model-version.ts';

/** The statuses a person can decide on; nothing goes back to PendingManualApproval. */
export type ApprovalDecision = Extract<ApprovalStatus, 'Approved' | 'Rejected'>;

export type TransitionVerdict =
  /** Approving an Approved version, or rejecting a Rejected one: an idempotent no-op that records nothing. */
  | { kind: 'unchanged' }
  /** Make the change; `reason` is the trimmed reason, absent when none was given. */
  | { kind: 'change'; reason?: string }
  /** `why` completes "model <group> version <n> ...". */
  | { kind: 'refused'; why: string };

/**
 * The approval rule of every registry backend, as SageMaker allows with one rule of ours: Pending -> Approved or
 * Rejected; Approved -> Rejected (withdraw a model); Rejected -> Approved only with a reason, since it overrules
 * an earlier decision. SageMaker itself accepts any change, so the AWS adapter applies this before updating.
 */
export function judgeTransition(from: ApprovalStatus, to: ApprovalDecision, reason?: string): TransitionVerdict {
  if (from === to) return { kind: 'unchanged' };
  const trimmed = reason?.trim();
  if (from === 'Rejected' && to === 'Approved' && !trimmed) return { kind: 'refused', why: 'was Rejected; approving it overrules that decision, so give a reason' };
  return trimmed ? { kind: 'change', reason: trimmed } : { kind: 'change' };
}

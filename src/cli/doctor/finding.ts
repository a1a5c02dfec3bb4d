import { EXIT } from '../errors.ts';

export const FINDING_STATUSES = ['ok', 'warn', 'fail'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/**
 * One thing `yolops doctor` looked at: `fail` stops training or deploying, `warn` may (or could not be checked),
 * `ok` is fine. `fix` is what to do, on one line, whenever the status is not ok.
 */
export interface Finding {
  check: string;
  status: FindingStatus;
  detail: string;
  fix?: string;
}

export const ok = (check: string, detail: string): Finding => ({ check, status: 'ok', detail });
export const warn = (check: string, detail: string, fix: string): Finding => ({ check, status: 'warn', detail, fix });
export const fail = (check: string, detail: string, fix: string): Finding => ({ check, status: 'fail', detail, fix });

/** 0 when nothing failed, 1 when anything did (warnings do not fail the run). */
export function doctorExitCode(findings: readonly Finding[]): number {
  return findings.some((f) => f.status === 'fail') ? EXIT.failed : EXIT.ok;
}

export function countByStatus(findings: readonly Finding[]): Record<FindingStatus, number> {
  const counts: Record<FindingStatus, number> = { ok: 0, warn: 0, fail: 0 };
  for (const f of findings) counts[f.status] += 1;
  return counts;
}

/** Error text as one line: findings are one line each. */
export function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join('; ');
}

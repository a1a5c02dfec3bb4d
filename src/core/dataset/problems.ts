import { defaultSeverity, PROBLEM_CODES, type ProblemCode, type Severity } from './contract.ts';

// The codes and their severities are the contract's (training/yolops_training/dataset_contract.json); each code
// has a fixed meaning so tools (CI, the trigger, a UI) can branch on it. docs/dataset-contract.md shows each.
export { defaultSeverity, PROBLEM_CODES, type ProblemCode, type Severity };

export interface DatasetProblem {
  code: ProblemCode;
  severity: Severity;
  /** Full object key of the file the problem is in (or of the file that is missing). */
  file: string;
  /** 1-based line in that file, when the problem is on a line. */
  line?: number;
  /** What is wrong, with the offending value. */
  message: string;
  /** How to fix it. */
  hint: string;
}

/** Problems of one kind left out of the report after the per-kind limit. */
export interface OmittedProblems {
  code: ProblemCode;
  severity: Severity;
  count: number;
}

/** One problem as code that finds it reports it; the file is added where the problem is collected. */
export type ProblemDraft = Omit<DatasetProblem, 'file' | 'severity'> & { severity?: Severity };

/**
 * Collects problems, keeping at most `limit` per code: a dataset with a systematic mistake (every label in
 * pixels) yields a readable report and a bounded result, while the counts stay exact.
 * Which problems are kept does not depend on the order they arrive in (files are checked concurrently): per
 * code, the first `limit` by file and line are kept, so the same dataset always gives the same report.
 */
export class ProblemCollector {
  readonly limit: number;
  private readonly kept = new Map<ProblemCode, DatasetProblem[]>();
  private readonly omitted = new Map<string, OmittedProblems>();
  private errorCount = 0;
  private warningCount = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the per-kind problem limit must be a whole number >= 1, got ${limit}`);
    this.limit = limit;
  }

  add(file: string, draft: ProblemDraft): void {
    const problem: DatasetProblem = {
      code: draft.code,
      severity: draft.severity ?? defaultSeverity(draft.code),
      file,
      ...(draft.line === undefined ? {} : { line: draft.line }),
      message: draft.message,
      hint: draft.hint,
    };
    if (problem.severity === 'error') this.errorCount += 1;
    else this.warningCount += 1;

    const list = this.kept.get(problem.code) ?? [];
    this.kept.set(problem.code, list);
    if (list.length < this.limit) {
      list.push(problem);
      return;
    }
    // Full: keep the `limit` smallest; the largest of them (or the newcomer) becomes an omitted one.
    let largestIndex = 0;
    list.forEach((kept, index) => {
      if (compareProblems(kept, list[largestIndex] ?? kept) > 0) largestIndex = index;
    });
    const largest = list[largestIndex];
    let dropped = problem;
    if (largest && compareProblems(problem, largest) < 0) {
      list[largestIndex] = problem;
      dropped = largest;
    }
    const omittedKey = `${dropped.code}/${dropped.severity}`;
    const entry = this.omitted.get(omittedKey) ?? { code: dropped.code, severity: dropped.severity, count: 0 };
    entry.count += 1;
    this.omitted.set(omittedKey, entry);
  }

  get errors(): number {
    return this.errorCount;
  }

  get warnings(): number {
    return this.warningCount;
  }

  /** Kept problems ordered by file and line, as a compiler lists them. */
  problems(): DatasetProblem[] {
    return [...this.kept.values()].flat().sort(compareProblems);
  }

  omittedProblems(): OmittedProblems[] {
    return [...this.omitted.values()].sort((a, b) => PROBLEM_CODES.indexOf(a.code) - PROBLEM_CODES.indexOf(b.code));
  }
}

function compareProblems(a: DatasetProblem, b: DatasetProblem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  const lineDelta = (a.line ?? 0) - (b.line ?? 0);
  if (lineDelta !== 0) return lineDelta;
  if (a.code !== b.code) return PROBLEM_CODES.indexOf(a.code) - PROBLEM_CODES.indexOf(b.code);
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

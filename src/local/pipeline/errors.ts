/**
 * The definition asks for something this runner cannot do, or is malformed. Raised before any step runs, so
 * nothing is half-done; `location` is a JSON path into the definition (e.g. `Steps[2].Type`).
 */
export class PipelineDefinitionError extends Error {
  readonly location: string;
  readonly problems: readonly DefinitionProblem[];

  constructor(problems: readonly DefinitionProblem[]) {
    const first = problems[0];
    const head = problems.length === 1 && first ? formatProblem(first) : `${problems.length} problems in the pipeline definition:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`;
    super(head);
    this.name = 'PipelineDefinitionError';
    this.location = first?.location ?? '';
    this.problems = problems;
  }
}

export interface DefinitionProblem {
  /** JSON path into the definition, e.g. `Steps[1].Arguments.Conditions[0].Type`. */
  location: string;
  message: string;
}

function formatProblem(p: DefinitionProblem): string {
  return `${p.location || '(top level)'}: ${p.message}`;
}

/**
 * A value could not be resolved while the execution ran (a property of a step that did not run, a property
 * file that is missing or lacks the path). The step that needed it fails with this message.
 */
export class ResolutionError extends Error {
  readonly location: string;
  constructor(location: string, message: string, options?: { cause?: unknown }) {
    super(`${location}: ${message}`, options);
    this.name = 'ResolutionError';
    this.location = location;
  }
}

/** A step ran and failed; `reason` is what the execution record and the notification show. */
export class StepFailure extends Error {
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'StepFailure';
    this.reason = reason;
  }
}

/** Collects problems so a definition is reported in full, not one error per attempt. */
export class ProblemList {
  readonly items: DefinitionProblem[] = [];
  add(location: string, message: string): void {
    this.items.push({ location, message });
  }
  throwIfAny(): void {
    if (this.items.length > 0) throw new PipelineDefinitionError(this.items);
  }
}

import { formatProblem, type DefinitionProblem } from '../../core/pipeline/compiled.ts';
import { LocalError } from '../errors.ts';

/**
 * The definition is malformed, or asks for something this runner cannot do. Raised before any step runs, so
 * nothing is half-done; each problem has the location in the definition, e.g. `Steps[2].Type`.
 */
export class PipelineDefinitionError extends LocalError {
  /** The location of the first problem. */
  readonly location: string;
  readonly problems: readonly DefinitionProblem[];

  constructor(problems: readonly DefinitionProblem[]) {
    const [first] = problems;
    const head = problems.length === 1 && first ? formatProblem(first) : `${problems.length} problems in the pipeline definition:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`;
    super(head, { audience: 'user' });
    this.location = first?.location ?? '';
    this.problems = problems;
  }
}

/**
 * A value could not be resolved while the execution ran (a property of a step that did not run, a property
 * file that is missing or lacks the path). The step that needed it fails with this message.
 */
export class ResolutionError extends LocalError {
  readonly location: string;
  constructor(location: string, message: string, options?: { cause?: unknown }) {
    super(`${location}: ${message}`, options);
    this.location = location;
  }
}

/** A step ran and failed; `reason` is what the execution record and the notification show. */
export class StepFailure extends LocalError {
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.reason = reason;
  }
}

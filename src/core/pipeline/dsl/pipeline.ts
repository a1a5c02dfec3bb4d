import { checkPipeline, type PipelineProblem } from './checks.ts';
import { DEFAULT_EXPERIMENT_CONFIG, type ExperimentConfig } from './experiment-config.ts';
import { CoreError } from '../../errors.ts';
import { dependencyOrder } from '../dependencies.ts';
import { dependencyGraph } from './graph.ts';
import type { Parameter } from './parameters.ts';
import type { Step } from './steps/step.ts';

export interface PipelineSpec {
  /** In the order they should appear in the definition (consoles list them so). */
  parameters: readonly Parameter[];
  /** Top-level steps; steps of a Condition step's branches belong to that step, not here. */
  steps: readonly Step[];
  /** @default DEFAULT_EXPERIMENT_CONFIG; `null` leaves PipelineExperimentConfig out. */
  experimentConfig?: ExperimentConfig | null;
  /** @default {} */
  metadata?: Readonly<Record<string, string>>;
}

/** A pipeline that passed the static checks; only these compile. */
export interface Pipeline {
  readonly parameters: readonly Parameter[];
  readonly steps: readonly Step[];
  readonly experimentConfig: ExperimentConfig | null;
  readonly metadata: Readonly<Record<string, string>>;
  /** Step name -> the steps it waits for (references, dependsOn, enclosing Condition step). */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** A stable order that respects the dependencies. */
  readonly executionOrder: readonly string[];
}

/**
 * Thrown by definePipeline with every problem of the spec found, so all can be fixed in one pass. (Problems of
 * compiled definition JSON are DefinitionProblems, reported by the validator and the local runner.)
 */
export class PipelineSpecError extends CoreError {
  readonly problems: readonly PipelineProblem[];

  constructor(problems: readonly PipelineProblem[]) {
    super(
      `the pipeline definition has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p.where}: ${p.message}`).join('\n'),
      { audience: 'user' },
    );
    this.problems = problems;
  }
}

/**
 * Runs the static checks and returns the checked pipeline, or throws PipelineSpecError listing every problem
 * (bad or duplicate names, unknown parameters/steps/property files, wrong parameter types, cycles).
 */
export function definePipeline(spec: PipelineSpec): Pipeline {
  const problems = checkPipeline(spec);
  if (problems.length > 0) throw new PipelineSpecError(problems);
  const graph = dependencyGraph(spec.steps);
  return {
    parameters: spec.parameters,
    steps: spec.steps,
    experimentConfig: spec.experimentConfig === undefined ? DEFAULT_EXPERIMENT_CONFIG : spec.experimentConfig,
    metadata: spec.metadata ?? {},
    dependencies: new Map([...graph].map(([name, deps]) => [name, [...deps]])),
    executionOrder: dependencyOrder(graph),
  };
}

import { checkPipeline, type PipelineProblem } from './checks.ts';
import { DEFAULT_EXPERIMENT_CONFIG, type ExperimentConfig } from './experiment-config.ts';
import { dependencyGraph, executionOrder } from './graph.ts';
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

/** Thrown by definePipeline with every problem found, so all can be fixed in one pass. */
export class PipelineDefinitionError extends Error {
  readonly problems: readonly PipelineProblem[];

  constructor(problems: readonly PipelineProblem[]) {
    super(
      `the pipeline definition has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${p.where}: ${p.message}`).join('\n'),
    );
    this.name = 'PipelineDefinitionError';
    this.problems = problems;
  }
}

/**
 * Runs the static checks and returns the checked pipeline, or throws PipelineDefinitionError listing every problem
 * (bad or duplicate names, unknown parameters/steps/property files, wrong parameter types, cycles).
 */
export function definePipeline(spec: PipelineSpec): Pipeline {
  const problems = checkPipeline(spec);
  if (problems.length > 0) throw new PipelineDefinitionError(problems);
  const graph = dependencyGraph(spec.steps);
  return {
    parameters: spec.parameters,
    steps: spec.steps,
    experimentConfig: spec.experimentConfig === undefined ? DEFAULT_EXPERIMENT_CONFIG : spec.experimentConfig,
    metadata: spec.metadata ?? {},
    dependencies: new Map([...graph].map(([name, deps]) => [name, [...deps]])),
    executionOrder: executionOrder(graph),
  };
}

import { allSteps, type Step } from './steps/step.ts';
import { referencedStep, referencesOf } from './walk.ts';

/**
 * Step name -> the steps it waits for. Edges come from what a step reads (step properties, property files),
 * from explicit `dependsOn`, and from branches: a step in a Condition step's IfSteps/ElseSteps waits for the
 * condition. Names that are not steps of the pipeline are left out (the static checks report them).
 */
export function dependencyGraph(steps: readonly Step[]): Map<string, Set<string>> {
  const entries = allSteps(steps);
  const known = new Set(entries.map((e) => e.step.name));
  const graph = new Map<string, Set<string>>();
  for (const { step, condition } of entries) {
    const deps = graph.get(step.name) ?? new Set<string>();
    graph.set(step.name, deps);
    const add = (name: string | undefined): void => {
      // Self references are reported on their own by the static checks; as an edge they would add a 1-step cycle.
      if (name !== undefined && name !== step.name && known.has(name)) deps.add(name);
    };
    for (const { reference } of referencesOf(step)) add(referencedStep(reference));
    step.dependsOn.forEach(add);
    add(condition?.name);
  }
  return graph;
}

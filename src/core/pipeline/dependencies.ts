import { CoreError } from '../errors.ts';

/**
 * Cycles and order over a "step name -> the steps it waits for" graph. The DSL (definePipeline) and the analysis
 * of compiled definitions (which the validator and the local runner share) both build such a graph; these two
 * functions are the only place its cycles and its order are worked out.
 */

/** One cycle as `[a, b, ..., a]` (each waits for the next), or undefined when the graph has none. */
export function findCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      if (state.get(dep) === 'visiting') return [...stack.slice(stack.indexOf(dep)), dep];
      if (state.get(dep) === undefined) {
        const cycle = visit(dep);
        if (cycle) return cycle;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.get(node) === undefined) {
      const cycle = visit(node);
      if (cycle) return cycle;
    }
  }
  return undefined;
}

/**
 * An order in which every step comes after the steps it waits for; among steps ready at the same time, the one
 * declared first (first in the graph's keys) goes first, so the order is stable and runs are reproducible.
 * Names a step waits for that are not keys of the graph are ignored. Callers report cycles with findCycle first;
 * a cycle here is a bug.
 */
export function dependencyOrder(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const declared = [...graph.keys()];
  const remaining = new Map(declared.map((name) => [name, new Set([...(graph.get(name) ?? [])].filter((dep) => graph.has(dep)))]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const ready = declared.find((name) => remaining.get(name)?.size === 0);
    if (ready === undefined) throw new CoreError(`the steps ${[...remaining.keys()].join(', ')} wait for each other in a cycle; report cycles with findCycle before ordering`);
    order.push(ready);
    remaining.delete(ready);
    for (const deps of remaining.values()) deps.delete(ready);
  }
  return order;
}

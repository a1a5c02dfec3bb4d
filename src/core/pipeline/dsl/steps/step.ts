import type { ConditionStep } from './condition.ts';
import type { FailStep } from './fail.ts';
import type { ProcessingStep } from './processing.ts';
import type { RegisterModelStep } from './register-model.ts';
import type { TrainingStep } from './training.ts';

export type Step = TrainingStep | ProcessingStep | ConditionStep | RegisterModelStep | FailStep;

/**
 * Every step with where it sits: top level, or inside a Condition step's branch. Depth-first in declaration
 * order, so the order is stable (problems and compiled output list steps in the order they were written).
 */
export function allSteps(steps: readonly Step[], where = 'steps'): { step: Step; where: string; condition?: ConditionStep }[] {
  const out: { step: Step; where: string; condition?: ConditionStep }[] = [];
  const visit = (list: readonly Step[], prefix: string, condition: ConditionStep | undefined): void => {
    list.forEach((step, index) => {
      const at = `${prefix}[${index}]`;
      out.push(condition ? { step, where: at, condition } : { step, where: at });
      if (step.type === 'Condition') {
        visit(step.ifSteps, `${at}.ifSteps`, step);
        visit(step.elseSteps, `${at}.elseSteps`, step);
      }
    });
  };
  visit(steps, where, undefined);
  return out;
}

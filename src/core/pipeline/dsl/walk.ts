import type { Step } from './steps/step.ts';
import { isExpression, type ExecutionVariableRef, type JsonGetExpr, type ParameterRef, type StepPropertyRef } from './values.ts';

/** An expression that refers to something outside the step: a parameter, a variable, another step. */
export type Reference = ParameterRef | ExecutionVariableRef | StepPropertyRef | JsonGetExpr;

export interface FoundReference {
  reference: Reference;
  /** Where inside the step's arguments, e.g. `inputs[0].source`. */
  path: string;
}

/**
 * Every reference in a step's arguments (not in its branches: those are steps of their own), with where it is.
 * Joins are looked into, so a parameter inside a join counts as used by the step.
 */
export function referencesOf(step: Step): FoundReference[] {
  const found: FoundReference[] = [];
  const visit = (value: unknown, path: string): void => {
    if (isExpression(value)) {
      if (value.kind === 'join') value.values.forEach((part, i) => visit(part, `${path}.values[${i}]`));
      else found.push({ reference: value, path });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`));
      return;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) visit(item, path === '' ? key : `${path}.${key}`);
    }
  };
  visit(step.args, '');
  return found;
}

/** The step a reference reads from, if any. */
export function referencedStep(reference: Reference): string | undefined {
  if (reference.kind === 'stepProperty') return reference.step;
  if (reference.kind === 'jsonGet') return reference.propertyFile.step;
  return undefined;
}

import type { ComparisonTypeName } from '../../compiled-definition-types.ts';
import { stepProperty, type AnyValue, type StepPropertyRef } from '../values.ts';
import { splitStepOptions, type StepCommon, type StepOptions } from './common.ts';
import type { Step } from './step.ts';

export interface Comparison {
  readonly type: ComparisonTypeName;
  readonly left: AnyValue;
  readonly right: AnyValue;
}

export const equalTo = (left: AnyValue, right: AnyValue): Comparison => ({ type: 'Equals', left, right });
export const notEqualTo = (left: AnyValue, right: AnyValue): Comparison => ({ type: 'NotEquals', left, right });
export const greaterThan = (left: AnyValue, right: AnyValue): Comparison => ({ type: 'GreaterThan', left, right });
export const greaterThanOrEqualTo = (left: AnyValue, right: AnyValue): Comparison => ({ type: 'GreaterThanOrEqualTo', left, right });
export const lessThan = (left: AnyValue, right: AnyValue): Comparison => ({ type: 'LessThan', left, right });
export const lessThanOrEqualTo = (left: AnyValue, right: AnyValue): Comparison => ({ type: 'LessThanOrEqualTo', left, right });

export interface ConditionStepOptions extends StepOptions {
  /** All must hold (AND) for `ifSteps` to run; otherwise `elseSteps` run. */
  conditions: readonly Comparison[];
  /** Steps that run only when the conditions hold; they belong to this step, not to the pipeline's list. */
  ifSteps?: readonly Step[];
  elseSteps?: readonly Step[];
}

export interface ConditionStep extends StepCommon {
  readonly type: 'Condition';
  readonly args: { readonly conditions: readonly Comparison[] };
  readonly ifSteps: readonly Step[];
  readonly elseSteps: readonly Step[];
  readonly properties: { readonly Outcome: StepPropertyRef<'Boolean'> };
}

export function conditionStep(options: ConditionStepOptions): ConditionStep {
  const { common, args } = splitStepOptions(options);
  return {
    type: 'Condition',
    ...common,
    args: { conditions: args.conditions },
    ifSteps: args.ifSteps ?? [],
    elseSteps: args.elseSteps ?? [],
    properties: { Outcome: stepProperty(common.name, 'Outcome', 'Boolean') },
  };
}

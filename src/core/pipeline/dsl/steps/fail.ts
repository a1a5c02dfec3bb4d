import type { StringValue } from '../values.ts';
import { splitStepOptions, type StepCommon, type StepOptions } from './common.ts';

export interface FailStepOptions extends StepOptions {
  /** Shown as the execution's failure reason; may join in run-time values (metric, threshold). */
  errorMessage: StringValue;
}

/** Ends the execution as Failed. It has no properties: nothing can run after it. */
export interface FailStep extends StepCommon {
  readonly type: 'Fail';
  readonly args: { readonly errorMessage: StringValue };
}

export function failStep(options: FailStepOptions): FailStep {
  const { common, args } = splitStepOptions(options);
  return { type: 'Fail', ...common, args: { errorMessage: args.errorMessage } };
}

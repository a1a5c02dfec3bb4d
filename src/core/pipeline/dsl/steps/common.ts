import type { RetryPolicy } from '../../retry-policies.ts';

/** What every step has besides its arguments. */
export interface StepOptions {
  /** Unique in the pipeline, branches of Condition steps included; 1-64 of `[A-Za-z0-9-_]`. */
  name: string;
  /** Steps that must finish first although nothing of theirs is referenced (references add edges by themselves). */
  dependsOn?: readonly (string | { readonly name: string })[];
  displayName?: string;
  description?: string;
}

/** Options of the steps that run a SageMaker job, which SageMaker can start again after a transient failure. */
export interface RetryableStepOptions extends StepOptions {
  /** How SageMaker retries the step; none: SageMaker's own default for Step.SERVICE_FAULT and Step.THROTTLING only. */
  retryPolicies?: readonly RetryPolicy[];
}

export interface StepCommon {
  readonly name: string;
  readonly dependsOn: readonly string[];
  readonly displayName?: string;
  readonly description?: string;
}

/** What a retryable step keeps beside its arguments (RetryPolicies is a key of the step, not of its Arguments). */
export interface RetryableStepCommon extends StepCommon {
  readonly retryPolicies: readonly RetryPolicy[];
}

/** Splits a retryable step's options into what the step has and its own arguments. */
export function splitRetryableStepOptions<O extends RetryableStepOptions>(options: O): { common: RetryableStepCommon; args: Omit<O, keyof RetryableStepOptions> } {
  const { retryPolicies, ...rest } = options;
  const { common, args } = splitStepOptions(rest);
  return { common: { ...common, retryPolicies: retryPolicies ?? [] }, args: args as Omit<O, keyof RetryableStepOptions> };
}

/** Splits a step's options into what every step has and the step's own arguments. */
export function splitStepOptions<O extends StepOptions>(options: O): { common: StepCommon; args: Omit<O, keyof StepOptions> } {
  const { name, dependsOn, displayName, description, ...args } = options;
  const common: StepCommon = {
    name,
    dependsOn: (dependsOn ?? []).map((d) => (typeof d === 'string' ? d : d.name)),
    ...(displayName === undefined ? {} : { displayName }),
    ...(description === undefined ? {} : { description }),
  };
  return { common, args };
}

/**
 * Retry policies of pipeline steps (a step's `RetryPolicies`): the exception types SageMaker Pipelines retries and
 * the limits it documents, shared by the DSL's checks, the compiler and the extended schema so all say the same.
 *
 * Source: SageMaker Developer Guide, "Retry Policy for Pipeline Steps": IntervalSeconds at most 43200 (12 hours),
 * MaxAttempts at most 20 (0: never retried), ExpireAfterMin at most 14400 (10 days), MaxAttempts and
 * ExpireAfterMin never both in one policy (a validation error), ExceptionType a list. The SageMaker Python SDK
 * (`sagemaker/workflow/retry.py`) has the same caps and writes ExceptionType as a list too.
 */

/** Failures of the call that starts or watches the job: a server fault or throttling of the SageMaker API. */
export const STEP_EXCEPTION_TYPES = ['Step.SERVICE_FAULT', 'Step.THROTTLING'] as const;
/** Failures of the SageMaker job itself: an internal error, no EC2 capacity, a quota exceeded. */
export const SAGEMAKER_JOB_EXCEPTION_TYPES = ['SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR', 'SageMaker.RESOURCE_LIMIT'] as const;

export type RetryExceptionType = (typeof STEP_EXCEPTION_TYPES)[number] | (typeof SAGEMAKER_JOB_EXCEPTION_TYPES)[number];
export const RETRY_EXCEPTION_TYPES: readonly RetryExceptionType[] = [...STEP_EXCEPTION_TYPES, ...SAGEMAKER_JOB_EXCEPTION_TYPES];

/** SageMaker's limits on one policy. */
export const RETRY_LIMITS = { maxIntervalSeconds: 43_200, maxAttempts: 20, maxExpireAfterMin: 14_400 } as const;

/** What SageMaker and the SDK use when a policy leaves them out. */
export const RETRY_DEFAULTS = { intervalSeconds: 1, backoffRate: 2 } as const;

/**
 * One retry policy: when a step fails with one of `exceptionTypes`, SageMaker starts it again after
 * `intervalSeconds`, multiplying the wait by `backoffRate` each time, until `maxAttempts` retries were made or
 * `expireAfterMin` minutes passed since the step started (exactly one of the two).
 */
export type RetryPolicy = {
  readonly exceptionTypes: readonly RetryExceptionType[];
  /** @default 1 */
  readonly intervalSeconds?: number;
  /** @default 2 */
  readonly backoffRate?: number;
} & ({ readonly maxAttempts: number; readonly expireAfterMin?: never } | { readonly expireAfterMin: number; readonly maxAttempts?: never });

/**
 * What is wrong with a policy, as authored in the DSL (stricter than SageMaker where its lower bounds would make
 * no sense: a retry waits at least a second, backs off by at least 1, and is bounded by at least one attempt or
 * minute). Messages name the field as the DSL does.
 */
export function retryPolicyProblems(policy: RetryPolicy): string[] {
  const problems: string[] = [];
  const whole = (value: number | undefined, name: string, min: number, max: number): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) problems.push(`${name} is ${value}; give a whole number from ${min} to ${max}.`);
  };
  if (policy.exceptionTypes.length === 0) problems.push('exceptionTypes is empty; name the failures to retry (e.g. SageMaker.CAPACITY_ERROR).');
  for (const type of policy.exceptionTypes) {
    if (!RETRY_EXCEPTION_TYPES.includes(type)) problems.push(`the exception type ${JSON.stringify(type)} is not one SageMaker retries; use ${RETRY_EXCEPTION_TYPES.join(', ')}.`);
  }
  const duplicates = policy.exceptionTypes.filter((type, i) => policy.exceptionTypes.indexOf(type) !== i);
  if (duplicates.length > 0) problems.push(`exceptionTypes lists ${[...new Set(duplicates)].join(', ')} more than once.`);
  whole(policy.intervalSeconds, 'intervalSeconds', 1, RETRY_LIMITS.maxIntervalSeconds);
  if (policy.backoffRate !== undefined && !(Number.isFinite(policy.backoffRate) && policy.backoffRate >= 1)) {
    problems.push(`backoffRate is ${policy.backoffRate}; give a number of at least 1 (the wait is multiplied by it after each retry).`);
  }
  const bounds = [policy.maxAttempts, policy.expireAfterMin].filter((b) => b !== undefined).length;
  if (bounds !== 1) problems.push('give exactly one of maxAttempts and expireAfterMin: SageMaker refuses a policy with both, and one bounds the retries.');
  whole(policy.maxAttempts, 'maxAttempts', 1, RETRY_LIMITS.maxAttempts);
  whole(policy.expireAfterMin, 'expireAfterMin', 1, RETRY_LIMITS.maxExpireAfterMin);
  return problems;
}

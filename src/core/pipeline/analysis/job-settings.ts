import { describeJson, isJsonObject, type JsonValue } from '../../json.ts';
import type { AnalyzedStep } from './analyze-definition.ts';
import { parseGetTarget } from './expressions.ts';
import { childLocation, type DefinitionProblems } from './problems.ts';

/**
 * Rules of the settings of job steps that SageMaker applies when it starts the job, or at CreatePipeline, and
 * that a JSON schema cannot state: how RetryPolicies combine their bounds, and when a training job may (and must)
 * have a MaxWaitTimeInSeconds.
 */

/** The step types of this project's definitions that take RetryPolicies (Condition and Fail steps start nothing to retry). */
const RETRYABLE_STEP_TYPES = ['Training', 'Processing', 'RegisterModel'];

/**
 * RetryPolicies: only on steps that call SageMaker, and MaxAttempts or ExpireAfterMin but not both in a policy
 * ("If both properties are identified within one policy, then the retry policy will generate a validation error",
 * SageMaker Developer Guide, "Retry Policy for Pipeline Steps"). Types and ranges are the schema's.
 */
export function analyzeRetryPolicies(step: AnalyzedStep, problems: DefinitionProblems): void {
  const policies = step.json['RetryPolicies'];
  if (policies === undefined) return;
  const at = childLocation(step.location, 'RetryPolicies');
  if (step.type === 'Condition' || step.type === 'Fail') {
    problems.add(at, `a ${step.type} step starts no SageMaker job or call to retry; RetryPolicies belong on ${RETRYABLE_STEP_TYPES.join(', ')} steps`);
    return;
  }
  if (!Array.isArray(policies)) {
    problems.add(at, `must be a list of retry policies, found ${describeJson(policies)}`);
    return;
  }
  policies.forEach((policy, i) => {
    if (isJsonObject(policy) && policy['MaxAttempts'] !== undefined && policy['ExpireAfterMin'] !== undefined) {
      problems.add(childLocation(at, i), 'has both MaxAttempts and ExpireAfterMin; SageMaker takes one of them per policy');
    }
  });
}

/**
 * Managed spot training, as CreateTrainingJob checks it: StoppingCondition.MaxWaitTimeInSeconds is required when
 * EnableManagedSpotTraining is true (SageMaker Developer Guide, "Managed Spot Training": "Set
 * EnableManagedSpotTraining to True and specify the MaxWaitTimeInSeconds"), refused when it is false ("Invalid
 * MaxWaitTimeInSeconds. It is only supported when EnableManagedSpotTraining is set to true"), and at least
 * MaxRuntimeInSeconds. The definition language has no conditional expression, so when EnableManagedSpotTraining
 * reads a Boolean parameter, the step is sound only where a Condition step it sits in fixes that parameter's value.
 */
export function analyzeManagedSpot(step: AnalyzedStep, steps: ReadonlyMap<string, AnalyzedStep>, problems: DefinitionProblems): void {
  if (step.type !== 'Training') return;
  const argsAt = childLocation(step.location, 'Arguments');
  const stopping = step.arguments['StoppingCondition'];
  const stoppingAt = childLocation(argsAt, 'StoppingCondition');
  const maxWait = isJsonObject(stopping) ? stopping['MaxWaitTimeInSeconds'] : undefined;
  const maxRuntime = isJsonObject(stopping) ? stopping['MaxRuntimeInSeconds'] : undefined;
  const waitAt = childLocation(stoppingAt, 'MaxWaitTimeInSeconds');
  const spot = spotWhereStepRuns(step.arguments['EnableManagedSpotTraining'], step, steps);

  if (typeof spot === 'string') {
    problems.add(childLocation(argsAt, 'EnableManagedSpotTraining'), spot);
    return;
  }
  if (spot && maxWait === undefined) {
    problems.add(stoppingAt, 'managed spot training is on here, so SageMaker needs StoppingCondition.MaxWaitTimeInSeconds (how long it may wait for spot capacity plus run)');
  }
  if (!spot && maxWait !== undefined) {
    problems.add(waitAt, 'managed spot training is off here, and CreateTrainingJob refuses MaxWaitTimeInSeconds without it ("only supported when EnableManagedSpotTraining is set to true"); leave it out');
  }
  if (typeof maxWait === 'number' && typeof maxRuntime === 'number' && maxWait < maxRuntime) {
    problems.add(waitAt, `is ${maxWait}, less than MaxRuntimeInSeconds (${maxRuntime}); SageMaker needs it at least as long, since it covers the wait for capacity plus the run`);
  }
}

/** True or false where the step runs, or why that cannot be told. */
function spotWhereStepRuns(value: JsonValue | undefined, step: AnalyzedStep, steps: ReadonlyMap<string, AnalyzedStep>): boolean | string {
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  const get = isJsonObject(value) && typeof value['Get'] === 'string' ? parseGetTarget(value['Get']) : undefined;
  // Not a parameter (a malformed or unknown function is reported where expressions are checked).
  if (get === undefined || typeof get === 'string' || get.kind !== 'parameter') {
    return `is ${describeJson(value)}; whether MaxWaitTimeInSeconds may be given depends on it, so use a literal or a Boolean parameter that a Condition step around this step fixes`;
  }
  const fixed = parameterFixedAt(get.name, step, steps);
  if (fixed !== undefined) return fixed;
  return (
    `reads Parameters.${get.name}, whose value no Condition step around this step fixes; SageMaker needs MaxWaitTimeInSeconds exactly when spot is on, ` +
    `so put this step in the IfSteps of a Condition Equals(Parameters.${get.name}, true) with MaxWaitTimeInSeconds and an on-demand copy without it in the ElseSteps`
  );
}

/**
 * The value Boolean parameter `name` must have for `step` to run, from the Conditions of the Condition steps it
 * sits in: the IfSteps run only when every condition holds, so an Equals(name, b) among them fixes b; the ElseSteps
 * run when some condition fails, which fixes the parameter only when Equals(name, b) is the one condition (to !b).
 */
function parameterFixedAt(name: string, step: AnalyzedStep, steps: ReadonlyMap<string, AnalyzedStep>): boolean | undefined {
  for (let current = step; current.branch; ) {
    const condition = steps.get(current.branch.condition);
    if (!condition) return undefined;
    const conditions = condition.arguments['Conditions'];
    const fixes = Array.isArray(conditions) ? conditions.map((c) => equalsOn(c, name)) : [];
    if (current.branch.outcome) {
      const fixed = fixes.find((f) => f !== undefined);
      if (fixed !== undefined) return fixed;
    } else if (fixes.length === 1 && fixes[0] !== undefined) {
      return !fixes[0];
    }
    current = condition;
  }
  return undefined;
}

/** b for a condition Equals(Parameters.<name>, b) (either side), !b for NotEquals; undefined for anything else. */
function equalsOn(condition: JsonValue, name: string): boolean | undefined {
  if (!isJsonObject(condition) || (condition['Type'] !== 'Equals' && condition['Type'] !== 'NotEquals')) return undefined;
  const isParameter = (v: JsonValue | undefined): boolean => isJsonObject(v) && v['Get'] === `Parameters.${name}`;
  const left = condition['LeftValue'];
  const right = condition['RightValue'];
  const literal = isParameter(left) ? right : isParameter(right) ? left : undefined;
  if (typeof literal !== 'boolean') return undefined;
  return condition['Type'] === 'Equals' ? literal : !literal;
}

import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface TriggerAlarmsProps {
  readonly function: IFunction;
  readonly rules: readonly Rule[];
  readonly topic: ITopic;
  readonly errorsAlarmName: string;
  readonly failedInvocationsAlarmName: string;
  /**
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * Tells the notifications topic when an upload did not start a training: the trigger threw, or EventBridge
 * could not invoke it at all (then the function's own metrics stay silent).
 */
export class TriggerAlarms extends Construct {
  readonly errors: Alarm;
  readonly failedInvocations: Alarm;

  constructor(scope: Construct, id: string, props: TriggerAlarmsProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const action = new SnsAction(props.topic);
    const common = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No uploads means no invocations: silence, not an alarm.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    };

    this.errors = new Alarm(this, 'Errors', {
      ...common,
      alarmName: props.errorsAlarmName,
      alarmDescription: 'The training trigger Lambda failed: a dataset upload did not start a training. See its log group.',
      metric: props.function.metricErrors({ period, statistic: 'Sum' }),
    });

    const usingMetrics = Object.fromEntries(
      props.rules.map((rule, i) => [
        `r${i}`,
        new Metric({ namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: rule.ruleName }, period, statistic: 'Sum' }),
      ] as const),
    );
    this.failedInvocations = new Alarm(this, 'FailedInvocations', {
      ...common,
      alarmName: props.failedInvocationsAlarmName,
      alarmDescription: 'EventBridge could not invoke the training trigger for a dataset upload after its retries.',
      // FailedInvocations has data points only when something failed, and `r0 + r1` has no value in a period
      // where one of them has none: FILL counts a rule without data as 0, so one rule failing alone still fires.
      metric: new MathExpression({ expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '), usingMetrics, period, label: 'FailedInvocations' }),
    });

    for (const alarm of [this.errors, this.failedInvocations]) alarm.addAlarmAction(action);
  }
}

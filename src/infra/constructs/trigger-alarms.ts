import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface TriggerAlarmsProps {
  readonly function: IFunction;
  readonly rules: readonly Rule[];
  readonly topic: ITopic;
  /** Where messages go that the trigger failed on again and again. */
  readonly deadLetterQueue: IQueue;
  readonly errorsAlarmName: string;
  readonly failedInvocationsAlarmName: string;
  readonly deadLettersAlarmName: string;
  /**
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/**
 * Tells the notifications topic when an upload may not have started a training: the trigger failed as a whole
 * (init, timeout), EventBridge could not put events on its queue, or messages it kept failing on reached the
 * dead-letter queue. Problems with a dataset itself are not alarms: the trigger reports those in its own message.
 */
export class TriggerAlarms extends Construct {
  readonly errors: Alarm;
  readonly failedInvocations: Alarm;
  readonly deadLetters: Alarm;

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
      alarmDescription: 'The training trigger Lambda failed as a whole (init error or timeout); its messages are delivered again. See its log group.',
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
      alarmDescription: 'EventBridge could not put a dataset upload event on the training trigger queue after its retries.',
      // FailedInvocations has data points only when something failed, and `r0 + r1` has no value in a period
      // where one of them has none: FILL counts a rule without data as 0, so one rule failing alone still fires.
      metric: new MathExpression({ expression: Object.keys(usingMetrics).map((id) => `FILL(${id}, 0)`).join(' + '), usingMetrics, period, label: 'FailedInvocations' }),
    });

    this.deadLetters = new Alarm(this, 'DeadLetters', {
      ...common,
      alarmName: props.deadLettersAlarmName,
      alarmDescription: 'Upload events the training trigger failed on repeatedly are in its dead-letter queue: the log group says why; redrive them once fixed.',
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    });

    for (const alarm of [this.errors, this.failedInvocations, this.deadLetters]) alarm.addAlarmAction(action);
  }
}

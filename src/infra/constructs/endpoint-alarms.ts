import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, Unit } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENDPOINT_VARIANT_NAME } from '../../core/naming.ts';

/** SageMaker publishes ModelLatency in microseconds; training-config.json speaks milliseconds. */
const MICROSECONDS_PER_MILLISECOND = 1000;

export interface EndpointAlarmsProps {
  readonly endpointName: string;
  readonly errorsAlarmName: string;
  readonly latencyAlarmName: string;
  /** training-config.json `serving.errors_alarm_count`: 5xx answers in one minute that mean the model is broken. */
  readonly errorsPerMinute: number;
  /** training-config.json `serving.latency_alarm_ms`: the p99 of the model's own latency that is too slow. */
  readonly latencyMs: number;
  readonly topic: ITopic;
}

/**
 * The production endpoint's health, named in advance: the deployer gives these two alarms to SageMaker as the
 * auto-rollback alarms of each blue/green update (an update whose canary trips one is rolled back), and the
 * notifications topic hears when either goes off. They exist before the endpoint does; without traffic they
 * stay OK (missing data is not breaching).
 */
export class EndpointAlarms extends Construct {
  readonly errors: Alarm;
  readonly latency: Alarm;

  constructor(scope: Construct, id: string, props: EndpointAlarmsProps) {
    super(scope, id);
    const dimensionsMap = { EndpointName: props.endpointName, VariantName: ENDPOINT_VARIANT_NAME };
    const period = Duration.minutes(1);

    this.errors = new Alarm(this, 'Errors', {
      alarmName: props.errorsAlarmName,
      alarmDescription: `${props.endpointName} answered at least ${props.errorsPerMinute} requests in a minute with a 5xx error (the model or its container fails). A blue/green update that trips it is rolled back.`,
      metric: new Metric({ namespace: 'AWS/SageMaker', metricName: 'Invocation5XXErrors', dimensionsMap, period, statistic: 'Sum' }),
      threshold: props.errorsPerMinute,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.latency = new Alarm(this, 'Latency', {
      alarmName: props.latencyAlarmName,
      alarmDescription: `The model behind ${props.endpointName} took at least ${props.latencyMs} ms at the 99th percentile in 2 of 3 minutes. A blue/green update that trips it is rolled back.`,
      metric: new Metric({ namespace: 'AWS/SageMaker', metricName: 'ModelLatency', dimensionsMap, period, statistic: 'p99', unit: Unit.MICROSECONDS }),
      threshold: props.latencyMs * MICROSECONDS_PER_MILLISECOND,
      // One slow minute (a new instance's first requests) is not a broken model; two of three are.
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    const action = new SnsAction(props.topic);
    for (const alarm of [this.errors, this.latency]) alarm.addAlarmAction(action);
  }
}

import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { TrainingTrigger } from '../constructs/training-trigger.ts';
import { TriggerAlarms } from '../constructs/trigger-alarms.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import type { ResourceNames } from '../../core/naming.ts';

export interface S3TriggerStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly environmentPolicy: EnvironmentPolicy;
  /** cdk.json's `trigger_quiet_period_seconds`. */
  readonly quietPeriodSeconds: number;
}

/**
 * Starts the pipeline on dataset uploads, and alarms when an upload did not start one. Shared resources are
 * referenced by their deterministic names, as in SageMakerPipelineStack.
 */
export class S3TriggerStack extends Stack {
  readonly trigger: TrainingTrigger;
  readonly alarms: TriggerAlarms;

  constructor(scope: Construct, id: string, props: S3TriggerStackProps) {
    super(scope, id, props);
    const { names } = props;
    const topic = Topic.fromTopicArn(this, 'NotificationsTopic', this.formatArn({ service: 'sns', resource: names.notificationsTopic, arnFormat: ArnFormat.NO_RESOURCE_NAME }));
    this.trigger = new TrainingTrigger(this, 'TrainingTrigger', {
      functionName: names.triggerFunction,
      logGroupName: names.triggerLogGroup,
      // Imported immutable: its policies are written in SharedResourcesStack, next to the role.
      role: Role.fromRoleName(this, 'TriggerRole', names.lambdaExecutionRole, { mutable: false }),
      trainingDataBucket: Bucket.fromBucketName(this, 'TrainingDataBucket', names.trainingDataBucket),
      pipelineName: names.pipeline,
      notificationsTopic: topic,
      environment: props.environmentPolicy,
      datasetUploadRuleName: names.datasetUploadRule,
      sampleDatasetRuleName: names.sampleDatasetRule,
      labeledDataUploadRuleName: names.labeledDataUploadRule,
      queueName: names.triggerQueue,
      deadLetterQueueName: names.triggerDeadLetterQueue,
      quietPeriod: Duration.seconds(props.quietPeriodSeconds),
    });
    this.alarms = new TriggerAlarms(this, 'TriggerAlarms', {
      function: this.trigger.function,
      rules: this.trigger.rules,
      topic,
      deadLetterQueue: this.trigger.deadLetterQueue,
      errorsAlarmName: names.triggerErrorsAlarm,
      failedInvocationsAlarmName: names.triggerFailedInvocationsAlarm,
      deadLettersAlarmName: names.triggerDeadLetterAlarm,
    });
    new CfnOutput(this, 'TriggerFunctionName', { value: this.trigger.function.functionName, description: 'The S3 training trigger Lambda (its logs: /aws/lambda/<this>)' });
    new CfnOutput(this, 'DatasetUploadRuleName', { value: names.datasetUploadRule, description: 'EventBridge rule for uploads under split_dataset/' });
    new CfnOutput(this, 'TriggerQueueUrl', { value: this.trigger.queue.queueUrl, description: 'Upload events wait here for the quiet period before the trigger looks at them' });
    new CfnOutput(this, 'TriggerDeadLetterQueueUrl', { value: this.trigger.deadLetterQueue.queueUrl, description: 'Events the trigger failed on repeatedly; redrive them to the trigger queue once the cause is fixed' });
    new CfnOutput(this, 'SampleDatasetRuleName', { value: names.sampleDatasetRule, description: 'EventBridge rule for uploads under sample_dataset/' });
  }
}

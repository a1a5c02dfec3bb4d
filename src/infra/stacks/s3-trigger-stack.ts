import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Role } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { LabelingCompletion } from '../constructs/labeling-completion.ts';
import { LabelingJobRole } from '../constructs/labeling-job-role.ts';
import { TrainingTrigger } from '../constructs/training-trigger.ts';
import { TriggerAlarms } from '../constructs/trigger-alarms.ts';
import type { EnvironmentPolicy } from '../environment.ts';
import type { ResourceNames } from '../../core/naming.ts';

export interface S3TriggerStackProps extends StackProps {
  readonly names: ResourceNames;
  readonly environmentPolicy: EnvironmentPolicy;
  /** cdk.json's `trigger_quiet_period_seconds`. */
  readonly quietPeriodSeconds: number;
  /** cdk.json's `project_name`: labeling jobs of this project are named `<project>-...`. */
  readonly projectName: string;
}

/**
 * Starts the pipeline on dataset uploads, and alarms when an upload did not start one. Shared resources are
 * referenced by their deterministic names, as in SageMakerPipelineStack.
 */
export class S3TriggerStack extends Stack {
  readonly trigger: TrainingTrigger;
  readonly alarms: TriggerAlarms;
  readonly labelingJobRole: LabelingJobRole;
  readonly labelingCompletion: LabelingCompletion;

  constructor(scope: Construct, id: string, props: S3TriggerStackProps) {
    super(scope, id, props);
    const { names } = props;
    const trainingDataBucket = Bucket.fromBucketName(this, 'TrainingDataBucket', names.trainingDataBucket);
    const topic = Topic.fromTopicArn(this, 'NotificationsTopic', this.formatArn({ service: 'sns', resource: names.notificationsTopic, arnFormat: ArnFormat.NO_RESOURCE_NAME }));
    this.trigger = new TrainingTrigger(this, 'TrainingTrigger', {
      functionName: names.triggerFunction,
      logGroupName: names.triggerLogGroup,
      // Imported immutable: its policies are written in SharedResourcesStack, next to the role.
      role: Role.fromRoleName(this, 'TriggerRole', names.lambdaExecutionRole, { mutable: false }),
      trainingDataBucket,
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
    // Data in from Ground Truth: the role `yolops label start` passes to its jobs, and the completion that turns a
    // completed job into a labelled-data version for the trigger above.
    this.labelingJobRole = new LabelingJobRole(this, 'LabelingJobRole', { roleName: names.labelingJobRole, trainingDataBucket });
    this.labelingCompletion = new LabelingCompletion(this, 'LabelingCompletion', {
      projectName: props.projectName,
      functionName: names.labelingCompletionFunction,
      roleName: names.labelingCompletionRole,
      logGroupName: names.labelingCompletionLogGroup,
      trainingDataBucket,
      notificationsTopic: topic,
      notificationsKeyAlias: names.notificationsKeyAlias,
      ruleName: names.labelingJobStateRule,
      deadLetterQueueName: names.labelingCompletionDeadLetterQueue,
      errorsAlarmName: names.labelingCompletionErrorsAlarm,
      environment: props.environmentPolicy,
    });
    new CfnOutput(this, 'LabelingJobRoleArn', { value: this.labelingJobRole.roleArn, description: 'The role yolops label start passes to Ground Truth labeling jobs' });
    new CfnOutput(this, 'TriggerFunctionName', { value: this.trigger.function.functionName, description: 'The S3 training trigger Lambda (its logs: /aws/lambda/<this>)' });
    new CfnOutput(this, 'DatasetUploadRuleName', { value: names.datasetUploadRule, description: 'EventBridge rule for uploads under split_dataset/' });
    new CfnOutput(this, 'TriggerQueueUrl', { value: this.trigger.queue.queueUrl, description: 'Upload events wait here for the quiet period before the trigger looks at them' });
    new CfnOutput(this, 'TriggerDeadLetterQueueUrl', { value: this.trigger.deadLetterQueue.queueUrl, description: 'Events the trigger failed on repeatedly; redrive them to the trigger queue once the cause is fixed' });
    new CfnOutput(this, 'SampleDatasetRuleName', { value: names.sampleDatasetRule, description: 'EventBridge rule for uploads under sample_dataset/' });
  }
}

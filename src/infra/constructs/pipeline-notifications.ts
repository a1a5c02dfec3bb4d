import { EventField, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface PipelineNotificationsProps {
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly region: string;
  readonly topic: ITopic;
  readonly statusRuleName: string;
  readonly stepFailedRuleName: string;
}

const field = (path: string) => EventField.fromPath(path);

/**
 * Turns the pipeline's EventBridge events into readable SNS messages with input transformers (no code to run).
 * The execution event carries no failure reason, so failed steps get a message of their own with it.
 */
export class PipelineNotifications extends Construct {
  readonly statusRule: Rule;
  readonly stepFailedRule: Rule;

  constructor(scope: Construct, id: string, props: PipelineNotificationsProps) {
    super(scope, id);
    const consoleUrl = `https://${props.region}.console.aws.amazon.com/sagemaker/home?region=${props.region}#/pipelines/${props.pipelineName}`;

    this.statusRule = new Rule(this, 'ExecutionStatus', {
      ruleName: props.statusRuleName,
      description: `Notifies when an execution of ${props.pipelineName} succeeds, fails or is stopped`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Building Pipeline Execution Status Change'],
        detail: {
          pipelineArn: [props.pipelineArn],
          currentPipelineExecutionStatus: ['Succeeded', 'Failed', 'Stopped'],
        },
      },
    });
    this.statusRule.addTarget(
      new SnsTopic(props.topic, {
        message: RuleTargetInput.fromMultilineText(
          [
            `yolops: training pipeline ${props.pipelineName} ${field('$.detail.currentPipelineExecutionStatus')}`,
            `Pipeline: ${props.pipelineName}`,
            `Execution: ${field('$.detail.pipelineExecutionArn')}`,
            `Display name: ${field('$.detail.pipelineExecutionDisplayName')}`,
            `Status: ${field('$.detail.currentPipelineExecutionStatus')} (was ${field('$.detail.previousPipelineExecutionStatus')})`,
            `Started: ${field('$.detail.executionStartTime')}  Ended: ${field('$.detail.executionEndTime')}`,
            'Reason: when an execution fails, a separate step-failed message names the failed step and its reason.',
            `Console: ${consoleUrl}`,
          ].join('\n'),
        ),
      }),
    );

    this.stepFailedRule = new Rule(this, 'StepFailed', {
      ruleName: props.stepFailedRuleName,
      description: `Notifies with the failure reason when a step of ${props.pipelineName} fails (including the quality gate)`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Building Pipeline Execution Step Status Change'],
        detail: {
          pipelineArn: [props.pipelineArn],
          currentStepStatus: ['Failed'],
        },
      },
    });
    this.stepFailedRule.addTarget(
      new SnsTopic(props.topic, {
        message: RuleTargetInput.fromMultilineText(
          [
            `yolops: step ${field('$.detail.stepName')} of training pipeline ${props.pipelineName} Failed`,
            `Pipeline: ${props.pipelineName}`,
            `Execution: ${field('$.detail.pipelineExecutionArn')}`,
            `Step: ${field('$.detail.stepName')} (${field('$.detail.stepType')})`,
            `Status: Failed`,
            `Reason: ${field('$.detail.failureReason')}`,
            `Console: ${consoleUrl}`,
          ].join('\n'),
        ),
      }),
    );
  }
}

import { EventField, Match, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SnsTopic } from 'aws-cdk-lib/aws-events-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ConfigParameterName } from '../../core/pipeline/config-parameters.ts';

export interface PipelineNotificationsProps {
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly region: string;
  readonly topic: ITopic;
  readonly statusRuleName: string;
  readonly stepFailedRuleName: string;
  readonly noCapacityRuleName: string;
  /** The default instance types (training-config.json), to name their quotas. */
  readonly instanceTypes: { readonly training: string; readonly evaluation: string };
  /**
   * Whether the pipeline has the boolean parameter {@link USE_SPOT_INSTANCES_PARAMETER}, so that one execution
   * can train on demand; without it, the message says how to turn spot off in training-config.json.
   */
  readonly hasSpotParameter: boolean;
}

/** The pipeline parameter that chooses managed spot (true) or on-demand (false) training for one execution. */
export const USE_SPOT_INSTANCES_PARAMETER: ConfigParameterName = 'UseSpotInstances';

/**
 * Parts of a step's failure reason that say SageMaker got no instance for the job. ResourceLimitExceeded with
 * "The account-level service limit '<type> for spot training job usage' is 0 Instances" is what CreateTrainingJob
 * answers in an account whose quota is 0 (new accounts often have 0 for GPU spot training). CapacityError
 * ("Unable to provision requested ML compute capacity") and InsufficientCapacityError come when the region has
 * no free instance of the type, spot ones most often. EventBridge wildcards are case sensitive.
 */
export const NO_CAPACITY_REASONS = ['*ResourceLimitExceeded*', '*service limit*', '*CapacityError*'];

const field = (path: string) => EventField.fromPath(path);

/**
 * Turns the pipeline's EventBridge events into readable SNS messages with input transformers (no code to run).
 * The execution event carries no failure reason, so failed steps get a message of their own with it; a step
 * that got no instance (quota or capacity) gets one that says what that means and what to do, instead.
 */
export class PipelineNotifications extends Construct {
  readonly statusRule: Rule;
  readonly stepFailedRule: Rule;
  readonly noCapacityRule: Rule;

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

    const stepFailed = (failureReason: string[]) => ({
      source: ['aws.sagemaker'],
      detailType: ['SageMaker Model Building Pipeline Execution Step Status Change'],
      detail: { pipelineArn: [props.pipelineArn], currentStepStatus: ['Failed'], failureReason },
    });
    const stepLines = [
      `Pipeline: ${props.pipelineName}`,
      `Execution: ${field('$.detail.pipelineExecutionArn')}`,
      `Step: ${field('$.detail.stepName')} (${field('$.detail.stepType')})`,
      `Status: Failed`,
      `Reason: ${field('$.detail.failureReason')}`,
    ];

    this.stepFailedRule = new Rule(this, 'StepFailed', {
      ruleName: props.stepFailedRuleName,
      description: `Notifies with the failure reason when a step of ${props.pipelineName} fails (including the quality gate)`,
      // Every failure but those the no-capacity rule explains; a failure without a reason is still reported.
      eventPattern: stepFailed(Match.anyOf(Match.anythingButWildcard(...NO_CAPACITY_REASONS), Match.doesNotExist())),
    });
    this.stepFailedRule.addTarget(
      new SnsTopic(props.topic, {
        message: RuleTargetInput.fromMultilineText(
          [`yolops: step ${field('$.detail.stepName')} of training pipeline ${props.pipelineName} Failed`, ...stepLines, `Console: ${consoleUrl}`].join('\n'),
        ),
      }),
    );

    const { training, evaluation } = props.instanceTypes;
    const onDemand = props.hasSpotParameter
      ? `- Train this one on demand: start the execution again with the pipeline parameter ${USE_SPOT_INSTANCES_PARAMETER}=false (aws sagemaker start-pipeline-execution ... --pipeline-parameters Name=${USE_SPOT_INSTANCES_PARAMETER},Value=false ...). On-demand training has its own quota, usually above 0.`
      : '- Train on demand: set use_spot_instances to false in training-config.json and deploy again (npx cdk deploy --all). On-demand training has its own quota, usually above 0.';
    this.noCapacityRule = new Rule(this, 'NoCapacity', {
      ruleName: props.noCapacityRuleName,
      description: `Explains a step of ${props.pipelineName} that failed for want of an instance: a service quota at its limit or no capacity in the region`,
      eventPattern: stepFailed(Match.anyOf(...NO_CAPACITY_REASONS.map((pattern) => Match.wildcard(pattern)))),
    });
    this.noCapacityRule.addTarget(
      new SnsTopic(props.topic, {
        message: RuleTargetInput.fromMultilineText(
          [
            `yolops: step ${field('$.detail.stepName')} of training pipeline ${props.pipelineName} Failed: SageMaker got no instance for its job`,
            ...stepLines,
            '',
            "What it means: SageMaker got no instance of the type for this step's job, so the job did not run.",
            `- ResourceLimitExceeded: the account's SageMaker service quota for the instance type is used up. A new account often has a quota of 0 for '${training} for spot training job usage', the one spot training (the default) uses.`,
            '- CapacityError or InsufficientCapacityError: the region had no free instance of the type at that moment, spot instances most often. It usually passes: start the execution again later.',
            '',
            'What to do:',
            onDemand,
            `- Or request a quota increase in the Service Quotas console (AWS services, Amazon SageMaker, in region ${props.region}): '${training} for spot training job usage' for spot training, '${training} for training job usage' for on-demand training, '${evaluation} for processing job usage' for the evaluation. The reason above names the quota that was hit; increases take from minutes to a few days.`,
            `Console: ${consoleUrl}`,
          ].join('\n'),
        ),
      }),
    );
  }
}

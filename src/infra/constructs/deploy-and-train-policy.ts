import { Stack } from 'aws-cdk-lib';
import { type IRole, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { PREFIXES } from '../../core/naming.ts';
import { acknowledge, acknowledgeBucketGrants } from '../nag.ts';
import { PIPELINE_JOB_NAMES } from './pipeline-role.ts';

export interface DeployAndTrainPolicyProps {
  /** Who holds the policy, for the cdk-nag reasons, e.g. "the Deploy-and-Train GitHub workflow". */
  readonly holder: string;
  /** The role that gets the policy. */
  readonly role: IRole;
  readonly trainingDataBucket: IBucket;
  readonly pipelineName: string;
  /** The pipeline's own role; UpdatePipeline passes it to SageMaker. */
  readonly pipelineRole: IRole;
  /** SSM parameter holding the MLflow tracking URI, which the compiled definition names. */
  readonly mlflowTrackingUriParameter: string;
  /** The CodeBuild project that builds the inference image of a code version (ServingStack), by name. */
  readonly inferenceImageProject: string;
  /** The ECR repository of the inference images, by name. */
  readonly inferenceImageRepository: string;
}

/**
 * Exactly what `yolops code push` (with the build of its inference image), `yolops pipeline upsert`, `yolops
 * pipeline start` and `yolops pipeline watch` call, and on nothing but this project's resources: the GitHub
 * deploy role and the model-build CodeBuild role both get this one policy, so the workflow and the buildspec can
 * run the same commands. Promoting a model to production is left out on purpose: that is a person's decision,
 * made with their own credentials (`yolops models promote --target aws`), not something a push can do.
 */
export class DeployAndTrainPolicy extends Construct {
  readonly policy: Policy;

  constructor(scope: Construct, id: string, props: DeployAndTrainPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const sagemakerArn = (resource: string, resourceName: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName });
    const bucket = props.trainingDataBucket;
    // The code bundles (code/<version>/...) and the one config file the pipeline and the trigger read.
    const objects = [`${PREFIXES.code}*`, PREFIXES.trainingConfigKey];
    const executions = `${props.pipelineName}/execution/*`;

    this.policy = new Policy(this, 'Policy', {
      statements: [
        new PolicyStatement({
          sid: 'UploadCodeAndConfig',
          actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
          resources: objects.map((key) => bucket.arnForObjects(key)),
        }),
        new PolicyStatement({
          sid: 'ListCodeAndConfig',
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${PREFIXES.code}*`, `${PREFIXES.config}*`] } },
        }),
        new PolicyStatement({
          sid: 'ReadMlflowTrackingUri',
          actions: ['ssm:GetParameter'],
          // The parameter name starts with "/", which the ARN's "parameter/" already holds.
          resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: props.mlflowTrackingUriParameter.replace(/^\//, '') })],
        }),
        new PolicyStatement({
          sid: 'UpdateAndStartPipeline',
          // ListPipelineExecutions: a start without a dataset trains on the newest execution's, and `latest` names it.
          actions: ['sagemaker:DescribePipeline', 'sagemaker:UpdatePipeline', 'sagemaker:StartPipelineExecution', 'sagemaker:ListPipelineExecutions'],
          resources: [sagemakerArn('pipeline', props.pipelineName)],
        }),
        new PolicyStatement({
          sid: 'FollowPipelineExecutions',
          actions: ['sagemaker:DescribePipelineExecution', 'sagemaker:ListPipelineExecutionSteps', 'sagemaker:ListPipelineParametersForExecution'],
          resources: [sagemakerArn('pipeline', executions)],
        }),
        new PolicyStatement({
          sid: 'DescribePipelineJobs',
          actions: ['sagemaker:DescribeTrainingJob', 'sagemaker:DescribeProcessingJob'],
          resources: [sagemakerArn('training-job', PIPELINE_JOB_NAMES), sagemakerArn('processing-job', PIPELINE_JOB_NAMES)],
        }),
        new PolicyStatement({
          sid: 'BuildInferenceImage',
          // BatchGetBuilds is authorized on the project of the builds it reads.
          actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:BatchGetProjects'],
          resources: [stack.formatArn({ service: 'codebuild', resource: 'project', resourceName: props.inferenceImageProject })],
        }),
        new PolicyStatement({
          sid: 'FindInferenceImages',
          actions: ['ecr:DescribeImages'],
          resources: [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: props.inferenceImageRepository })],
        }),
        new PolicyStatement({
          sid: 'PassPipelineRole',
          actions: ['iam:PassRole'],
          resources: [props.pipelineRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
        }),
      ],
    });
    this.policy.attachToRole(props.role);

    acknowledgeBucketGrants(this.policy, `${props.holder}, which uploads code/<version>/ and ${PREFIXES.trainingConfigKey},`, [
      { bucket, keys: objects, access: 'write' },
    ]);
    acknowledge(
      this.policy,
      `AwsSolutions-IAM5[Resource::${sagemakerArn('pipeline', executions)}]`,
      `SageMaker gives each execution of the ${props.pipelineName} pipeline a random id, so ${props.holder} can only follow the executions it starts by this pattern, which covers that one pipeline.`,
    );
    for (const kind of ['training-job', 'processing-job']) {
      acknowledge(
        this.policy,
        `AwsSolutions-IAM5[Resource::${sagemakerArn(kind, PIPELINE_JOB_NAMES)}]`,
        `SageMaker Pipelines names each ${kind} after the execution id and step, so ${props.holder} can only describe the jobs of an execution it follows by the pipelines- prefix.`,
      );
    }
  }
}

import { Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PREFIXES } from '../../core/naming.ts';
import { acknowledge, acknowledgeBucketGrants } from '../nag.ts';

/** SageMaker Pipelines names the jobs it starts `pipelines-{execution id}-{step}-{suffix}`. */
export const PIPELINE_JOB_NAMES = 'pipelines-*';

export interface PipelineRoleProps {
  readonly roleName: string;
  /** The role the pipeline's jobs run as; the pipeline passes it to SageMaker and to nothing else. */
  readonly jobRole: IRole;
  /** The evaluation report (a property file the quality gate reads) is under `pipelines/` here. */
  readonly modelArtifactsBucket: IBucket;
  readonly modelPackageGroupName: string;
}

/** The role SageMaker Pipelines assumes to run the steps: start and watch the jobs, register the model. */
export class PipelineRole extends Role {
  constructor(scope: Construct, id: string, props: PipelineRoleProps) {
    super(scope, id, {
      roleName: props.roleName,
      assumedBy: new ServicePrincipal('sagemaker.amazonaws.com'),
      description: 'Orchestrates the yolops training pipeline: starts its jobs and registers its models',
    });
    const stack = Stack.of(this);
    const sagemakerArn = (resource: string, resourceName: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName });

    this.addToPolicy(
      new PolicyStatement({
        sid: 'RunPipelineJobs',
        actions: [
          'sagemaker:CreateTrainingJob',
          'sagemaker:DescribeTrainingJob',
          'sagemaker:StopTrainingJob',
          'sagemaker:CreateProcessingJob',
          'sagemaker:DescribeProcessingJob',
          'sagemaker:StopProcessingJob',
          'sagemaker:AddTags',
        ],
        resources: [sagemakerArn('training-job', PIPELINE_JOB_NAMES), sagemakerArn('processing-job', PIPELINE_JOB_NAMES)],
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'RegisterModels',
        actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:AddTags'],
        resources: [
          sagemakerArn('model-package-group', props.modelPackageGroupName),
          sagemakerArn('model-package', `${props.modelPackageGroupName}/*`),
        ],
      }),
    );
    this.addToPolicy(
      new PolicyStatement({
        sid: 'PassJobRole',
        actions: ['iam:PassRole'],
        resources: [props.jobRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
      }),
    );
    const reportKeys = [`${PREFIXES.pipelines}*`];
    for (const key of reportKeys) props.modelArtifactsBucket.grantRead(this, key);

    const policy = this.node.findChild('DefaultPolicy');
    acknowledgeBucketGrants(policy, 'SageMaker Pipelines, which reads the evaluation report of each execution for the quality gate,', [
      { bucket: props.modelArtifactsBucket, keys: reportKeys, access: 'read' },
    ]);
    for (const kind of ['training-job', 'processing-job']) {
      acknowledge(
        policy,
        `AwsSolutions-IAM5[Resource::${sagemakerArn(kind, PIPELINE_JOB_NAMES)}]`,
        `SageMaker Pipelines names each ${kind} it starts after the execution id and step, so the names are only known at run time; the pipelines- prefix keeps other jobs of the account out of reach.`,
      );
    }
    acknowledge(
      policy,
      `AwsSolutions-IAM5[Resource::${sagemakerArn('model-package', `${props.modelPackageGroupName}/*`)}]`,
      `Model versions get their number when the Register step creates them; the pattern covers versions of the ${props.modelPackageGroupName} group only.`,
    );
  }
}

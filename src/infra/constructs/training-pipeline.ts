import { Stack } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { CfnPipeline } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import type { PipelineDefinitionSource } from '../compiled-pipeline-facts.ts';

export interface TrainingPipelineProps {
  readonly pipelineName: string;
  /** The compiled definition; deployed as it is. */
  readonly definition: PipelineDefinitionSource;
  readonly role: Role;
}

/** The SageMaker Pipeline (Train, Evaluate, QualityGate, Register) compiled by the local backend's compiler. */
export class TrainingPipeline extends Construct {
  readonly pipeline: CfnPipeline;
  readonly pipelineName: string;
  readonly pipelineArn: string;

  constructor(scope: Construct, id: string, props: TrainingPipelineProps) {
    super(scope, id);
    this.pipeline = new CfnPipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineDisplayName: props.pipelineName,
      pipelineDescription: 'Trains Ultralytics YOLO on a dataset version, evaluates it, and registers it when it passes the quality gate',
      pipelineDefinition: { PipelineDefinitionBody: props.definition.json },
      roleArn: props.role.roleArn,
    });
    // SageMaker checks the role when the pipeline is created; its policy must be attached by then.
    const policy = props.role.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) this.pipeline.node.addDependency(policy);
    this.pipelineName = props.pipelineName;
    this.pipelineArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: props.pipelineName });
  }
}

import { Stack } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { CfnPipeline } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { PipelineMismatchError, type PipelineDefinitionSource } from '../compiled-pipeline-facts.ts';

export interface TrainingPipelineProps {
  readonly pipelineName: string;
  /** The compiled definition; deployed as it is but for `deployTimeValues`. */
  readonly definition: PipelineDefinitionSource;
  readonly role: Role;
  /**
   * Values only known at deploy time (CloudFormation references), each put in place of the placeholder the
   * compiler wrote for it; every placeholder must occur in the definition.
   * @default - none: the definition is deployed byte for byte
   */
  readonly deployTimeValues?: readonly { readonly placeholder: string; readonly value: string }[];
}

/** The SageMaker Pipeline (Train, Evaluate, QualityGate, Register) compiled by the local backend's compiler. */
export class TrainingPipeline extends Construct {
  readonly pipeline: CfnPipeline;
  readonly pipelineName: string;
  readonly pipelineArn: string;

  constructor(scope: Construct, id: string, props: TrainingPipelineProps) {
    super(scope, id);
    let body = props.definition.json;
    for (const { placeholder, value } of props.deployTimeValues ?? []) {
      if (!body.includes(placeholder)) throw new PipelineMismatchError([`it does not contain ${placeholder}, where the stack was to put a value known at deploy time`]);
      // A JSON string holds the value as it is: ARNs have no quote or backslash to escape.
      body = body.split(placeholder).join(value);
    }
    this.pipeline = new CfnPipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineDisplayName: props.pipelineName,
      pipelineDescription: 'Trains Ultralytics YOLO on a dataset version, evaluates it, and registers it when it passes the quality gate',
      pipelineDefinition: { PipelineDefinitionBody: body },
      roleArn: props.role.roleArn,
    });
    // SageMaker checks the role when the pipeline is created; its policy must be attached by then.
    const policy = props.role.node.tryFindChild('DefaultPolicy');
    if (policy !== undefined) this.pipeline.node.addDependency(policy);
    this.pipelineName = props.pipelineName;
    this.pipelineArn = Stack.of(this).formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: props.pipelineName });
  }
}

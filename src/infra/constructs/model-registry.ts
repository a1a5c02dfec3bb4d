import type { RemovalPolicy } from 'aws-cdk-lib';
import { CfnModelPackageGroup } from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';

export interface ModelRegistryProps {
  readonly modelPackageGroupName: string;
  /**
   * CloudFormation cannot delete a group that still holds model versions; `prod` keeps it anyway.
   */
  readonly removalPolicy: RemovalPolicy;
}

/** The SageMaker Model Registry group the pipeline's Register step adds model versions to. */
export class ModelRegistry extends Construct {
  readonly group: CfnModelPackageGroup;
  readonly modelPackageGroupName: string;

  constructor(scope: Construct, id: string, props: ModelRegistryProps) {
    super(scope, id);
    this.group = new CfnModelPackageGroup(this, 'Group', {
      modelPackageGroupName: props.modelPackageGroupName,
      modelPackageGroupDescription: 'YOLO models trained by the yolops pipeline; each version carries its evaluation, dataset and code version',
    });
    this.group.applyRemovalPolicy(props.removalPolicy);
    this.modelPackageGroupName = props.modelPackageGroupName;
  }
}

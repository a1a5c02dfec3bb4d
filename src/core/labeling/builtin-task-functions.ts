import { CoreError } from '../errors.ts';

/**
 * The AWS-owned Lambda functions of Ground Truth's built-in bounding-box task, per region: PRE-BoundingBox runs
 * before a task is shown to a worker, ACS-BoundingBox consolidates the workers' boxes ("finds the most similar
 * boxes from different workers based on the Jaccard index"). Both live in one Ground Truth account per region.
 * Source: the SageMaker API reference, HumanTaskConfig.PreHumanTaskLambdaArn and
 * AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn (the same lists are in botocore's
 * sagemaker/2017-07-24 service model); the built-in task exists in these regions of the `aws` partition only.
 */
export const GROUND_TRUTH_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '432418664414',
  'us-east-2': '266458841044',
  'us-west-2': '081040173940',
  'ca-central-1': '918755190332',
  'eu-west-1': '568282634449',
  'eu-west-2': '487402164563',
  'eu-central-1': '203001061592',
  'ap-northeast-1': '477331159723',
  'ap-northeast-2': '845288260483',
  'ap-south-1': '565803892007',
  'ap-southeast-1': '377565633583',
  'ap-southeast-2': '454466003867',
};

export interface BoundingBoxTaskFunctions {
  preHumanTaskLambdaArn: string;
  annotationConsolidationLambdaArn: string;
}

/** The region has no built-in bounding-box task (no PRE-/ACS- functions): a person must choose another region. */
export class UnsupportedLabelingRegionError extends CoreError {
  constructor(region: string) {
    super(
      `Ground Truth's built-in bounding-box task is not available in ${region}: it exists in ${Object.keys(GROUND_TRUTH_ACCOUNTS).join(', ')}; ` +
        'deploy the stacks to one of those regions (cdk.json aws_region) to label with yolops',
      { audience: 'user' },
    );
  }
}

/** The PRE-BoundingBox and ACS-BoundingBox ARNs of `region`, or UnsupportedLabelingRegionError. */
export function boundingBoxTaskFunctions(region: string): BoundingBoxTaskFunctions {
  const account = GROUND_TRUTH_ACCOUNTS[region];
  if (account === undefined) throw new UnsupportedLabelingRegionError(region);
  const arn = (name: string) => `arn:aws:lambda:${region}:${account}:function:${name}`;
  return { preHumanTaskLambdaArn: arn('PRE-BoundingBox'), annotationConsolidationLambdaArn: arn('ACS-BoundingBox') };
}

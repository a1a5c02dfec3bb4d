import type { AwsRegion } from '../../config/regions.ts';

export type AwsPartition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** The partition a region belongs to: it goes into every ARN (`arn:<partition>:...`). */
export function partitionOf(region: AwsRegion): AwsPartition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The DNS suffix of a region's service endpoints (ECR registries included). */
export function dnsSuffixOf(region: AwsRegion): string {
  return partitionOf(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

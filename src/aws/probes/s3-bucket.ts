import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { serviceErrorInfo } from '../sdk-errors.ts';
import { AwsProbeError, probeFailureReason } from './probe-call.ts';

/**
 * Whether a bucket is there for these credentials: `forbidden` is HTTP 403, a bucket that exists but that this
 * identity may not use (or one of another account: bucket names are global).
 */
export type BucketState = 'exists' | 'missing' | 'forbidden';

export async function bucketState(s3: S3Client, bucket: string): Promise<BucketState> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return 'exists';
  } catch (error) {
    // HEAD answers carry no body, so the status is all there is to go by.
    const status = serviceErrorInfo(error)?.httpStatus;
    if (status === 404) return 'missing';
    if (status === 403) return 'forbidden';
    throw new AwsProbeError('HeadBucket', probeFailureReason('HeadBucket', error), error);
  }
}

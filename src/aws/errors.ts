import { YolopsError } from '../core/errors.ts';

/** Base of the errors of the AWS adapters (src/aws): S3, SageMaker Pipelines, the Model Registry, SNS. */
export class AwsError extends YolopsError {}

/**
 * An S3 request failed in a way the object-store port has no typed error for (access denied, throttling that
 * outlasted the SDK's retries, a network failure, a conditional write that kept conflicting). The object-store
 * errors of src/core/storage/errors.ts cover the failures callers branch on.
 */
export class S3RequestError extends AwsError {
  readonly operation: string;
  readonly bucket: string;
  readonly key: string | undefined;
  /** S3's error code (`AccessDenied`, `SlowDown`, ...), or the SDK's error name when S3 sent none. */
  readonly s3Code: string | undefined;
  readonly httpStatus: number | undefined;

  constructor(details: { operation: string; bucket: string; key?: string; s3Code?: string; httpStatus?: number; detail: string }, options: { cause?: unknown } = {}) {
    const target = details.key === undefined ? `s3://${details.bucket}` : `s3://${details.bucket}/${details.key}`;
    const status = details.httpStatus === undefined ? '' : ` (HTTP ${details.httpStatus})`;
    super(`S3 ${details.operation} on ${target} failed${status}: ${details.detail}`, options);
    this.operation = details.operation;
    this.bucket = details.bucket;
    this.key = details.key;
    this.s3Code = details.s3Code;
    this.httpStatus = details.httpStatus;
  }
}

import { CoreError, type ErrorAudience } from '../errors.ts';

/**
 * Typed object-store errors. Adapters translate their native failures (ENOENT, S3 `NoSuchKey`, HTTP 412) into
 * these, so callers branch on `code` and never on an adapter's own error shapes.
 */
export type ObjectStoreErrorCode = 'NotFound' | 'NoSuchBucket' | 'PreconditionFailed' | 'InvalidKey' | 'InvalidBucketName';

export class ObjectStoreError extends CoreError {
  readonly code: ObjectStoreErrorCode;
  readonly bucket: string;
  /** The object key, when the error is about one object. */
  readonly key: string | undefined;

  constructor(code: ObjectStoreErrorCode, bucket: string, key: string | undefined, message: string, options?: { cause?: unknown; audience?: ErrorAudience }) {
    super(message, options);
    this.code = code;
    this.bucket = bucket;
    this.key = key;
  }
}

/** The object does not exist (S3 `NoSuchKey` / 404 on HEAD). */
export class ObjectNotFoundError extends ObjectStoreError {
  constructor(bucket: string, key: string, options?: { cause?: unknown }) {
    super('NotFound', bucket, key, `s3://${bucket}/${key} does not exist`, options);
  }
}

/** The bucket does not exist: on the local backend, no folder `<root>/<bucket>`. */
export class BucketNotFoundError extends ObjectStoreError {
  constructor(bucket: string, hint: string, options?: { cause?: unknown }) {
    super('NoSuchBucket', bucket, undefined, `bucket "${bucket}" does not exist; ${hint}`, options);
  }
}

/** A conditional write lost: `onlyIfAbsent` was set and the key already exists (S3 HTTP 412). */
export class PreconditionFailedError extends ObjectStoreError {
  constructor(bucket: string, key: string, options?: { cause?: unknown }) {
    super('PreconditionFailed', bucket, key, `s3://${bucket}/${key} already exists (the write asked for "only if absent")`, options);
  }
}

/** A key the store refuses (path traversal, absolute path, empty segment, ...). */
export class InvalidKeyError extends ObjectStoreError {
  constructor(bucket: string, key: string, reason: string) {
    super('InvalidKey', bucket, key, `invalid object key ${JSON.stringify(key)}: ${reason}`);
  }
}

export class InvalidBucketNameError extends ObjectStoreError {
  constructor(bucket: string, reason: string) {
    super('InvalidBucketName', bucket, undefined, `invalid bucket name ${JSON.stringify(bucket)}: ${reason}`);
  }
}

/** True when `error` is an object-store error with this code (works across module copies, unlike instanceof). */
export function isObjectStoreError(error: unknown, code?: ObjectStoreErrorCode): error is ObjectStoreError {
  if (!(error instanceof Error) || !('code' in error) || !('bucket' in error)) return false;
  return code === undefined || error.code === code;
}

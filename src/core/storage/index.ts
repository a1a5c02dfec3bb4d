// The object-store port shared by the validator, the local runner, the CLI and the S3 trigger.
export * from './object-store.ts';
export * from './errors.ts';
export { assertValidKey, assertValidBucketName, keyProblem } from './keys.ts';
export { parseS3Uri, formatS3Uri, joinKey, normalizePrefix, S3UriError, type S3Location } from './s3-uri.ts';

import { InvalidBucketNameError, InvalidKeyError } from './errors.ts';

const MAX_KEY_BYTES = 1024; // S3's limit
// S3 general-purpose bucket rules, minus the legacy uppercase names no region accepts any more.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what this rejects
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * Throws InvalidKeyError unless `key` is a key both backends can hold. S3 accepts almost any string, but a
 * key becomes a path on the local backend, so anything that could leave the bucket folder or that a file
 * system cannot represent (`..`, leading `/`, empty segments, a trailing `/`, backslashes) is refused on both,
 * so a dataset that works locally also works on S3 and the other way round.
 */
export function assertValidKey(bucket: string, key: string): void {
  const reason = keyProblem(key);
  if (reason !== undefined) throw new InvalidKeyError(bucket, key, reason);
}

/** Why `key` is not a valid key, or undefined when it is. */
export function keyProblem(key: string): string | undefined {
  if (key.length === 0) return 'it is empty';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  if (key.startsWith('/')) return 'it starts with "/"; keys are relative to the bucket (write "a/b.txt", not "/a/b.txt")';
  if (key.endsWith('/')) return 'it ends with "/"; folders are implied by the keys under them and are not objects';
  if (key.includes('\\')) return 'it contains "\\"; use "/" to separate folders';
  if (CONTROL_CHARACTER.test(key)) return 'it contains a control character';
  for (const segment of key.split('/')) {
    if (segment === '') return 'it contains an empty segment ("//")';
    if (segment === '.' || segment === '..') return `it contains a "${segment}" segment; keys cannot point outside their folder`;
  }
  return undefined;
}

/** Throws InvalidBucketNameError unless `bucket` follows S3's bucket naming rules. */
export function assertValidBucketName(bucket: string): void {
  const reason = bucketNameProblem(bucket);
  if (reason !== undefined) throw new InvalidBucketNameError(bucket, reason);
}

/** Why `bucket` is not a valid bucket name, or undefined when it is. */
export function bucketNameProblem(bucket: string): string | undefined {
  if (!BUCKET_NAME.test(bucket)) return 'use 3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit';
  if (bucket.includes('..')) return 'it contains ".."';
  return undefined;
}

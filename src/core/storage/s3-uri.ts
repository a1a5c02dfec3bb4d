import { CoreError } from '../errors.ts';

/** An object location: the bucket and a key (or a prefix, for a folder-like location). */
export interface S3Location {
  bucket: string;
  /** `''` for the bucket itself; a prefix ends with `/`. */
  key: string;
}

/** Thrown for text that is not an `s3://bucket/key` URI: a value a person typed or configured. */
export class S3UriError extends CoreError {
  readonly uri: string;
  constructor(uri: string, reason: string) {
    super(`${JSON.stringify(uri)} is not an S3 URI: ${reason} (expected s3://<bucket>/<key>)`, { audience: 'user' });
    this.uri = uri;
  }
}

/** Splits `s3://bucket/some/key` into bucket and key. The key keeps a trailing `/` (a prefix). */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!match) throw new S3UriError(uri, uri.startsWith('s3://') ? 'the bucket is missing' : 'it does not start with "s3://"');
  const bucket = match[1] ?? '';
  return { bucket, key: match[2] ?? '' };
}

/** `s3://bucket/key`; with an empty key, `s3://bucket/`. */
export function formatS3Uri(bucket: string, key = ''): string {
  return `s3://${bucket}/${key}`;
}

/** `''` stays `''` (the bucket root); anything else gets exactly one trailing `/` and no leading `/`. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}

/** Joins key parts with single slashes: `joinKey('a/', '/b', 'c.txt')` is `a/b/c.txt`. Empty parts vanish. */
export function joinKey(...parts: string[]): string {
  return parts
    .map((part, index) => {
      let p = index === 0 ? part : part.replace(/^\/+/, '');
      if (index < parts.length - 1) p = p.replace(/\/+$/, '');
      return p;
    })
    .filter((part) => part !== '')
    .join('/');
}

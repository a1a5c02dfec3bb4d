/**
 * The object-store port: the few S3 operations the validator, the local runner, the CLI and the trigger share.
 * The local backend's folder per bucket (src/local/folder-object-store.ts) and S3 (src/aws/s3-object-store.ts)
 * implement it. Every adapter, and the in-memory one of the tests, runs one contract suite
 * (test/unit/core/storage/object-store-contract.ts).
 *
 * Semantics follow S3 so code tested against the folder adapter behaves the same on AWS:
 * - keys are full keys (no leading `/`), listed in UTF-8 byte order, as ListObjectsV2 returns them;
 * - a prefix is a plain string prefix (`images/tr` matches `images/train/a.jpg`), not a folder;
 * - etags are opaque: equal etags mean unchanged content, nothing more (S3 multipart etags are not MD5s either);
 * - deleting a missing key succeeds, as S3's DeleteObject does.
 * Failures are the typed errors of ./errors.ts.
 */

/** One object as a listing or a HEAD request describes it. */
export interface ObjectInfo {
  key: string;
  /** Size in bytes. */
  size: number;
  lastModified: Date;
  /** Opaque version tag: changes whenever the object is rewritten. */
  etag: string;
}

export interface ListPageRequest {
  bucket: string;
  /** Only keys starting with this string; `''` lists the whole bucket. */
  prefix?: string;
  /** The `nextToken` of the previous page; absent for the first page. */
  continuationToken?: string;
  /** Only keys strictly after this key (S3 `StartAfter`); ignored when a continuation token is given. */
  startAfter?: string;
  /** Page size, 1..1000 (S3's ceiling); default 1000. */
  maxKeys?: number;
}

export interface ListPage {
  objects: ObjectInfo[];
  /** Present when more keys follow: pass it as `continuationToken` to get the next page. */
  nextToken?: string;
}

export interface ListOptions {
  startAfter?: string;
  /** Keys per underlying request; the iterator hides the paging. */
  pageSize?: number;
}

/** A byte range of an object: `length` bytes from `offset`. A shorter object yields fewer bytes, never an error. */
export interface ByteRange {
  offset: number;
  length: number;
}

export interface GetOptions {
  /** Read only this range (S3 `Range: bytes=...`): image headers without downloading whole images. */
  range?: ByteRange;
}

export interface PutOptions {
  /**
   * Write only when no object has this key, atomically (S3 `If-None-Match: *`); otherwise fail with
   * PreconditionFailedError. The trigger's "start at most once" claim relies on this.
   */
  onlyIfAbsent?: boolean;
  contentType?: string;
}

export interface PutResult {
  etag: string;
}

/**
 * What a store's etags say about the bytes, for a caller that compares a local file with an object without
 * reading the object: `md5` means an object written whole by `put` has the hex MD5 of its bytes as etag (S3 with
 * SSE-S3 or no encryption, which the training buckets use). An etag that is no such MD5 (an S3 multipart
 * upload's `<md5>-<parts>`, an SSE-KMS object) then merely fails to match, so the object counts as changed and
 * is written again, never as unchanged by mistake.
 */
export type EtagScheme = 'md5';

export interface ObjectStore {
  /** Set when etags derive from the bytes (see EtagScheme); absent when they say nothing about them. */
  readonly etagScheme?: EtagScheme;
  /** One page of keys under a prefix, in UTF-8 byte order. Throws BucketNotFoundError. */
  listPage(request: ListPageRequest): Promise<ListPage>;
  /** Every object under a prefix, paging as it goes (a large bucket never sits in memory at once). */
  list(bucket: string, prefix?: string, options?: ListOptions): AsyncIterable<ObjectInfo>;
  /** The object's bytes, or the bytes of `options.range`. Throws ObjectNotFoundError. */
  get(bucket: string, key: string, options?: GetOptions): Promise<Uint8Array>;
  /** Size, date and etag without the body. Throws ObjectNotFoundError. */
  head(bucket: string, key: string): Promise<ObjectInfo>;
  /** Writes the whole object at once: readers see the old object or the new one, never a partial one. */
  put(bucket: string, key: string, body: Uint8Array | string, options?: PutOptions): Promise<PutResult>;
  /** Removes the object; a missing key is not an error. */
  delete(bucket: string, key: string): Promise<void>;
}

export const MAX_LIST_PAGE_SIZE = 1000;

/** Throws RangeError unless `maxKeys` is a whole number from 1 to MAX_LIST_PAGE_SIZE (S3 refuses others too). */
export function assertValidMaxKeys(maxKeys: number): void {
  if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > MAX_LIST_PAGE_SIZE) {
    throw new RangeError(`maxKeys must be a whole number from 1 to ${MAX_LIST_PAGE_SIZE}, got ${maxKeys}`);
  }
}

/** Throws RangeError unless the range has a whole offset >= 0 and a whole length >= 0. */
export function assertValidRange(range: ByteRange): void {
  const { offset, length } = range;
  if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 0) {
    throw new RangeError(`range must have a whole offset >= 0 and length >= 0, got ${JSON.stringify(range)}`);
  }
}

/**
 * The continuation token of a page that ends at `lastKey`: opaque to callers, the key itself to the adapter.
 * The S3 adapter wraps S3's own token in it instead of a key, so every adapter refuses a forged token alike.
 */
export function encodeContinuationToken(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

/** The key a token of encodeContinuationToken ends at; RangeError for a token no page handed out. */
export function decodeContinuationToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (key === '' || encodeContinuationToken(key) !== token) throw new RangeError(`invalid continuation token ${JSON.stringify(token)}: pass the nextToken of the previous page`);
  return key;
}

/**
 * Implements `ObjectStore.list` on top of `listPage`, so each adapter writes the paging logic once.
 */
export async function* iterateListPages(
  listPage: (request: ListPageRequest) => Promise<ListPage>,
  bucket: string,
  prefix = '',
  options: ListOptions = {},
): AsyncGenerator<ObjectInfo> {
  let continuationToken: string | undefined;
  do {
    const page = await listPage({
      bucket,
      prefix,
      maxKeys: options.pageSize ?? MAX_LIST_PAGE_SIZE,
      ...(continuationToken === undefined ? (options.startAfter === undefined ? {} : { startAfter: options.startAfter }) : { continuationToken }),
    });
    yield* page.objects;
    continuationToken = page.nextToken;
  } while (continuationToken !== undefined);
}

/** Whether an object exists (a HEAD that maps NotFound to false; other failures still throw). */
export async function objectExists(store: ObjectStore, bucket: string, key: string): Promise<boolean> {
  try {
    await store.head(bucket, key);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'NotFound') return false;
    throw error;
  }
}

/** Every object under a prefix, as an array: for prefixes known to be small (one dataset version). */
export async function listAll(store: ObjectStore, bucket: string, prefix = ''): Promise<ObjectInfo[]> {
  const objects: ObjectInfo[] = [];
  for await (const object of store.list(bucket, prefix)) objects.push(object);
  return objects;
}

/**
 * Writes the object only if no object has the key (a conditional write); true when this call wrote it, false
 * when the key existed. The building block of "exactly one of many concurrent writers wins".
 */
export async function putIfAbsent(store: ObjectStore, bucket: string, key: string, body: Uint8Array | string, contentType?: string): Promise<boolean> {
  try {
    await store.put(bucket, key, body, { onlyIfAbsent: true, ...(contentType === undefined ? {} : { contentType }) });
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'PreconditionFailed') return false;
    throw error;
  }
}

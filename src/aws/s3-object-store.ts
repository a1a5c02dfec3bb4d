import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type _Object,
  type S3Client,
} from '@aws-sdk/client-s3';
import { YolopsError } from '../core/errors.ts';
import { BucketNotFoundError, ObjectNotFoundError, PreconditionFailedError } from '../core/storage/errors.ts';
import { assertValidBucketName, assertValidKey } from '../core/storage/keys.ts';
import {
  assertValidMaxKeys,
  assertValidRange,
  decodeContinuationToken,
  encodeContinuationToken,
  iterateListPages,
  MAX_LIST_PAGE_SIZE,
  type GetOptions,
  type ListOptions,
  type ListPage,
  type ListPageRequest,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from '../core/storage/object-store.ts';
import { S3RequestError } from './errors.ts';

/**
 * S3 answers 409 ConditionalRequestConflict to a conditional write while another one to the same key is in
 * flight; nothing was written, and the retry's 200 or 412 says who won. Five attempts, under a second of backoff in all, cover
 * small objects like the trigger's claims; a write that still conflicts fails with S3RequestError.
 */
const CONDITIONAL_WRITE_ATTEMPTS = 5;
const CONFLICT_BACKOFF_MS = 50;

/**
 * The object-store port over S3. Keys and bucket names are checked before any request, so a key the local
 * backend would refuse is refused here too and nothing is sent. S3's errors become the port's typed errors;
 * failures the port has no type for become S3RequestError.
 */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  /** A single PUT's ETag is the MD5 of its bytes unless the object is SSE-KMS encrypted (the buckets use SSE-S3). */
  readonly etagScheme = 'md5' as const;

  constructor(client: S3Client) {
    this.client = client;
  }

  async listPage(request: ListPageRequest): Promise<ListPage> {
    const { bucket } = request;
    assertValidBucketName(bucket);
    const maxKeys = request.maxKeys ?? MAX_LIST_PAGE_SIZE;
    assertValidMaxKeys(maxKeys);
    // S3's token travels inside the envelope every adapter uses, so a token no page handed out is refused
    // before any request, alike on every backend (moto answers a forged token with HTTP 500, not S3's 400).
    const s3Token = request.continuationToken === undefined ? undefined : decodeContinuationToken(request.continuationToken);
    const position = s3Token !== undefined ? { ContinuationToken: s3Token } : request.startAfter !== undefined ? { StartAfter: request.startAfter } : {};
    let output;
    try {
      output = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, MaxKeys: maxKeys, ...(request.prefix ? { Prefix: request.prefix } : {}), ...position }),
      );
    } catch (error) {
      if (s3Token !== undefined && errorCode(error) === 'InvalidArgument') {
        throw new RangeError(`invalid continuation token ${JSON.stringify(request.continuationToken)}: S3 refused it (${errorMessage(error)}); pass the nextToken of the previous page`, { cause: error });
      }
      throw await this.translate(error, 'ListObjectsV2', bucket);
    }
    const objects = (output.Contents ?? []).map((object) => listedObjectInfo(object, bucket));
    if (!output.IsTruncated) return { objects };
    // A truncated page without a token would end the listing early: a dataset would silently lose files.
    const next = required(output.NextContinuationToken, 'NextContinuationToken', 'ListObjectsV2', bucket);
    return { objects, nextToken: encodeContinuationToken(next) };
  }

  list(bucket: string, prefix = '', options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    return iterateListPages((request) => this.listPage(request), bucket, prefix, options);
  }

  async get(bucket: string, key: string, options: GetOptions = {}): Promise<Uint8Array> {
    assertValid(bucket, key);
    const { range } = options;
    if (range) {
      assertValidRange(range);
      // `bytes=a-(a-1)` is no valid range; a HEAD still tells a missing object from an empty read.
      if (range.length === 0) {
        await this.head(bucket, key);
        return new Uint8Array();
      }
    }
    try {
      const output = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, ...(range ? { Range: `bytes=${range.offset}-${range.offset + range.length - 1}` } : {}) }),
      );
      return await required(output.Body, 'Body', 'GetObject', bucket, key).transformToByteArray();
    } catch (error) {
      // 416 comes only for an existing object whose size is at or before the offset: nothing there to read.
      if (range && errorCode(error) === 'InvalidRange') return new Uint8Array();
      throw await this.translate(error, 'GetObject', bucket, key);
    }
  }

  async head(bucket: string, key: string): Promise<ObjectInfo> {
    assertValid(bucket, key);
    let output;
    try {
      output = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      // A HEAD response has no body, so a 404 does not say whether the key or the whole bucket is missing.
      if (httpStatus(error) === 404) {
        await this.assertBucketExists(bucket);
        throw new ObjectNotFoundError(bucket, key, { cause: error });
      }
      throw await this.translate(error, 'HeadObject', bucket, key);
    }
    return {
      key,
      size: required(output.ContentLength, 'ContentLength', 'HeadObject', bucket, key),
      lastModified: required(output.LastModified, 'LastModified', 'HeadObject', bucket, key),
      etag: unquoteEtag(required(output.ETag, 'ETag', 'HeadObject', bucket, key)),
    };
  }

  async put(bucket: string, key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<PutResult> {
    assertValid(bucket, key);
    const input = {
      Bucket: bucket,
      Key: key,
      Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
      ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
      ...(options.onlyIfAbsent ? { IfNoneMatch: '*' } : {}),
    };
    for (let attempt = 1; ; attempt += 1) {
      try {
        const output = await this.client.send(new PutObjectCommand(input));
        return { etag: unquoteEtag(required(output.ETag, 'ETag', 'PutObject', bucket, key)) };
      } catch (error) {
        if (options.onlyIfAbsent && httpStatus(error) === 412) throw new PreconditionFailedError(bucket, key, { cause: error });
        if (options.onlyIfAbsent && errorCode(error) === 'ConditionalRequestConflict') {
          if (attempt < CONDITIONAL_WRITE_ATTEMPTS) {
            await sleep(CONFLICT_BACKOFF_MS * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
            continue;
          }
          throw new S3RequestError(
            { ...s3Details(error), operation: 'PutObject', bucket, key, detail: `${errorMessage(error)} (another write to the key was still in flight after ${attempt} attempts)` },
            { cause: error },
          );
        }
        throw await this.translate(error, 'PutObject', bucket, key);
      }
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    assertValid(bucket, key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      throw await this.translate(error, 'DeleteObject', bucket, key);
    }
  }

  /** Throws BucketNotFoundError when HeadBucket answers 404; a 403 means the bucket exists (another owner's). */
  private async assertBucketExists(bucket: string): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (error) {
      if (httpStatus(error) === 404) throw bucketNotFound(bucket, error);
      if (httpStatus(error) === 403) return;
      throw await this.translate(error, 'HeadBucket', bucket);
    }
  }

  private async translate(error: unknown, operation: string, bucket: string, key?: string): Promise<Error> {
    if (error instanceof YolopsError) return error;
    const code = errorCode(error);
    if (code === 'NoSuchBucket') return bucketNotFound(bucket, error);
    if (code === 'NoSuchKey' && key !== undefined) return new ObjectNotFoundError(bucket, key, { cause: error });
    return new S3RequestError({ ...s3Details(error), operation, bucket, ...(key === undefined ? {} : { key }), detail: errorMessage(error) }, { cause: error });
  }
}

function assertValid(bucket: string, key: string): void {
  assertValidBucketName(bucket);
  assertValidKey(bucket, key);
}

function bucketNotFound(bucket: string, cause: unknown): BucketNotFoundError {
  return new BucketNotFoundError(bucket, `check the name and the account and region of the credentials, or create it (aws s3 mb s3://${bucket})`, { cause });
}

function listedObjectInfo(object: _Object, bucket: string): ObjectInfo {
  const key = required(object.Key, 'Key', 'ListObjectsV2', bucket);
  return {
    key,
    size: required(object.Size, 'Size', 'ListObjectsV2', bucket, key),
    lastModified: required(object.LastModified, 'LastModified', 'ListObjectsV2', bucket, key),
    etag: unquoteEtag(required(object.ETag, 'ETag', 'ListObjectsV2', bucket, key)),
  };
}

/** S3 sends etags as quoted strings (`"5d41..."`); the port's etag is the same bare string wherever it comes from. */
function unquoteEtag(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

function required<T>(value: T | undefined, field: string, operation: string, bucket: string, key?: string): T {
  if (value !== undefined) return value;
  throw new S3RequestError({ operation, bucket, ...(key === undefined ? {} : { key }), detail: `the response has no ${field}` });
}

/** The SDK's error name is S3's error code (`NoSuchKey`), or `NotFound` & co. for bodiless HEAD answers. */
function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return undefined;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function s3Details(error: unknown): { s3Code?: string; httpStatus?: number } {
  const code = errorCode(error);
  const status = httpStatus(error);
  return { ...(code === undefined ? {} : { s3Code: code }), ...(status === undefined ? {} : { httpStatus: status }) };
}

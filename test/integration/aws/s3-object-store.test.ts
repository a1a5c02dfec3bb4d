import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/aws/clients.ts';
import { S3ObjectStore } from '../../../src/aws/s3-object-store.ts';
import { synthesizeDataset, validateDataset, type SynthesizeOptions } from '../../../src/core/dataset/index.ts';
import { listAll, type ObjectStore } from '../../../src/core/storage/object-store.ts';
import { pngImage } from '../../fixtures/datasets/images.ts';
import { MemoryObjectStore } from '../../fixtures/datasets/memory-object-store.ts';
import { describeObjectStoreContract } from '../../unit/core/storage/object-store-contract.ts';
import { startMoto, type MotoServer } from './moto.ts';

let moto: MotoServer;
let client: S3Client;
let store: S3ObjectStore;
let buckets = 0;

beforeAll(async () => {
  moto = await startMoto();
  client = createS3Client(moto.clientConfig);
  store = new S3ObjectStore(client);
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

/** A new, empty bucket: each test gets its own, so none sees another's objects. */
async function newBucket(name = 'bucket'): Promise<string> {
  buckets += 1;
  const bucket = `${name}-${buckets}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Runs `task` over `items` with at most `limit` in flight. */
async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

describeObjectStoreContract('S3ObjectStore on moto', async () => ({ store, bucket: await newBucket('contract') }));

describe('S3ObjectStore: listings beyond one ListObjectsV2 page', () => {
  const keys = Array.from({ length: 2500 }, (_, i) => `many/${String(i).padStart(5, '0')}.txt`);
  let bucket: string;

  beforeAll(async () => {
    bucket = await newBucket('listing');
    await forEachBounded(keys, 32, (key) => store.put(bucket, key, key));
    // Neighbours of the prefix that must stay out of its listing.
    await store.put(bucket, 'many', 'no slash');
    await store.put(bucket, 'manz/0.txt', 'after');
  });

  it('list() yields all 2,500 keys in order across S3 pages of 1,000', async () => {
    const listed = await listAll(store, bucket, 'many/');
    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(listed.every((o) => o.size === Buffer.byteLength(o.key))).toBe(true);
  });

  it('listPage hands out pages of 1,000, 1,000 and 500 and no token after the last', async () => {
    const sizes: number[] = [];
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await store.listPage({ bucket, prefix: 'many/', ...(token === undefined ? {} : { continuationToken: token }) });
      sizes.push(page.objects.length);
      seen.push(...page.objects.map((o) => o.key));
      token = page.nextToken;
    } while (token !== undefined);
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(seen).toEqual(keys);
  });

  it('starts after a key and keeps paging from there', async () => {
    const listed: string[] = [];
    for await (const object of store.list(bucket, 'many/', { startAfter: 'many/00999.txt' })) listed.push(object.key);
    expect(listed).toEqual(keys.slice(1000));
  });
});

describe('S3ObjectStore: keys with characters that URLs and XML escape', () => {
  const keys = [
    'with space/a b.txt',
    'plus+sign.txt',
    'percent%20not-a-space.txt',
    'percent%.txt',
    'equals=and&ampersand.txt',
    'question?hash#.txt',
    `quotes'"<angle>.txt`,
    'tilde~colon:semicolon;comma,.txt',
    'ünïcödé/日本語.txt',
    // U+FF21 sorts before U+1F680 in UTF-8 (S3's order) but after it in UTF-16 (JavaScript's).
    '\uff21-fullwidth.txt',
    '🚀-astral.txt',
  ];

  it('round-trip through put, head, a listing, get and delete', async () => {
    const bucket = await newBucket('escapes');
    const etags = new Map<string, string>();
    for (const key of keys) etags.set(key, (await store.put(bucket, key, `content of ${key}`)).etag);

    const listed = await listAll(store, bucket);
    expect(listed.map((o) => o.key)).toEqual([...keys].sort(utf8Order));
    for (const object of listed) expect(object.etag).toBe(etags.get(object.key));
    for (const key of keys) {
      expect(Buffer.from(await store.get(bucket, key)).toString('utf8'), key).toBe(`content of ${key}`);
      expect((await store.head(bucket, key)).etag, key).toBe(etags.get(key));
    }
    expect((await listAll(store, bucket, 'with space/')).map((o) => o.key)).toEqual(['with space/a b.txt']);
    expect((await listAll(store, bucket, 'percent%')).map((o) => o.key)).toEqual(['percent%.txt', 'percent%20not-a-space.txt']);
    expect((await store.listPage({ bucket, startAfter: 'plus+sign.txt', maxKeys: 1 })).objects.map((o) => o.key)).toEqual(['question?hash#.txt']);

    for (const key of keys) await store.delete(bucket, key);
    expect(await listAll(store, bucket)).toEqual([]);
  });
});

describe('S3ObjectStore: the dataset validator', () => {
  it('gives the same result on S3 as on the in-memory store for the same dataset, defects included', async () => {
    const bucket = await newBucket('dataset');
    const memory = new MemoryObjectStore(bucket);
    const synth: Omit<SynthesizeOptions, 'store'> = { bucket, prefix: 'datasets/v1/', seed: 7, trainImages: 40, valImages: 10, imageSize: 64 };
    const defects: Record<string, string | Uint8Array> = {
      'datasets/v1/labels/train/orphan.txt': '0 0.5 0.5 0.2 0.2\n',
      'datasets/v1/images/train/truncated.png': pngImage(32, 32).subarray(0, 30),
      'datasets/v1/images/train/bad-labels.png': pngImage(32, 32),
      'datasets/v1/labels/train/bad-labels.txt': '9 0.5 0.5 0.2 0.2\n0 1.5 0.5 0.2 0.2\n0 0.5 0.5\n',
    };
    const write = async (target: ObjectStore): Promise<void> => {
      await synthesizeDataset({ ...synth, store: target });
      for (const [key, body] of Object.entries(defects)) await target.put(bucket, key, body);
    };
    await write(store);
    await write(memory);

    const location = { bucket, prefix: 'datasets/v1/' };
    // 64 reads in flight: the S3 client's socket pool is sized for it.
    const onS3 = await validateDataset(store, location, { concurrency: 64 });
    const inMemory = await validateDataset(memory, location, { concurrency: 64 });
    expect(onS3).toEqual(inMemory);
    expect(onS3.summary.totals.images).toBe(52);
    expect(onS3.summary.imagesInspected).toBeGreaterThan(0);
    expect(onS3.errors).toBeGreaterThan(0);
    expect([...new Set(onS3.problems.map((p) => p.file))].sort()).toEqual([
      'datasets/v1/images/train/truncated.png',
      'datasets/v1/labels/train/bad-labels.txt',
      'datasets/v1/labels/train/orphan.txt',
    ]);
  });
});

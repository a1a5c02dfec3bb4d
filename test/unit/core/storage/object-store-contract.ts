import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isObjectStoreError } from '../../../../src/core/storage/errors.ts';
import { listAll, objectExists, type ObjectStore } from '../../../../src/core/storage/object-store.ts';

export interface ContractSubject {
  store: ObjectStore;
  /** An existing, empty bucket. */
  bucket: string;
}

/**
 * The behaviour every ObjectStore adapter must show, written once: the folder adapter runs it in unit tests and
 * the S3 adapter against moto in integration tests, so both backends are held to the same semantics.
 */
export function describeObjectStoreContract(name: string, setup: () => Promise<ContractSubject>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    it('puts and gets bytes and text; head reports size, date and the etag put returned', async () => {
      const { store, bucket } = await setup();
      const { etag } = await store.put(bucket, 'a/b/c.bin', new Uint8Array([1, 2, 3]));
      await store.put(bucket, 'note.txt', 'héllo');
      expect(Buffer.from(await store.get(bucket, 'a/b/c.bin'))).toEqual(Buffer.from([1, 2, 3]));
      expect(Buffer.from(await store.get(bucket, 'note.txt')).toString('utf8')).toBe('héllo');
      const info = await store.head(bucket, 'a/b/c.bin');
      expect(info).toMatchObject({ key: 'a/b/c.bin', size: 3, etag });
      expect(info.lastModified).toBeInstanceOf(Date);
    });

    it('a store whose etags derive from the bytes returns the MD5 of what was put', async () => {
      const { store, bucket } = await setup();
      const bytes = randomBytes(1000);
      const { etag } = await store.put(bucket, 'md5.bin', bytes);
      const md5 = createHash('md5').update(bytes).digest('hex');
      // A store that declares no scheme promises nothing about its etags; one that does must keep it.
      if (store.etagScheme === 'md5') expect({ etag, listed: (await listAll(store, bucket, 'md5.bin'))[0]?.etag }).toEqual({ etag: md5, listed: md5 });
      else expect(store.etagScheme).toBeUndefined();
    });

    it('reads a byte range; a range past the end yields what is there', async () => {
      const { store, bucket } = await setup();
      await store.put(bucket, 'r.bin', new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
      expect([...(await store.get(bucket, 'r.bin', { range: { offset: 2, length: 3 } }))]).toEqual([2, 3, 4]);
      expect([...(await store.get(bucket, 'r.bin', { range: { offset: 8, length: 100 } }))]).toEqual([8, 9]);
      expect((await store.get(bucket, 'r.bin', { range: { offset: 10, length: 4 } })).length).toBe(0);
      expect((await store.get(bucket, 'r.bin', { range: { offset: 20, length: 4 } })).length).toBe(0);
      expect((await store.get(bucket, 'r.bin', { range: { offset: 3, length: 0 } })).length).toBe(0);
      await store.put(bucket, 'empty.bin', new Uint8Array());
      expect((await store.get(bucket, 'empty.bin')).length).toBe(0);
      expect((await store.get(bucket, 'empty.bin', { range: { offset: 0, length: 4 } })).length).toBe(0);
    });

    it('holds a large object: byte-equal round trip, ranged reads of its end, its size in head and a listing', async () => {
      const { store, bucket } = await setup();
      // Random bytes, so a read from the wrong offset cannot match by accident; 16 MiB is beyond any single
      // socket read or SDK part size, so the body arrives in many chunks that must be joined in order.
      const size = 16 * 1024 * 1024;
      const bytes = randomBytes(size);
      const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
      const { etag } = await store.put(bucket, 'big/blob.bin', bytes);
      const whole = await store.get(bucket, 'big/blob.bin');
      expect(whole.length).toBe(size);
      expect(sha256(whole)).toBe(sha256(bytes));
      const tail = await store.get(bucket, 'big/blob.bin', { range: { offset: size - 100, length: 100 } });
      expect(Buffer.from(tail).equals(bytes.subarray(size - 100))).toBe(true);
      const pastEnd = await store.get(bucket, 'big/blob.bin', { range: { offset: size - 10, length: 4096 } });
      expect(Buffer.from(pastEnd).equals(bytes.subarray(size - 10))).toBe(true);
      const middle = await store.get(bucket, 'big/blob.bin', { range: { offset: 8 * 1024 * 1024 - 3, length: 6 } });
      expect(Buffer.from(middle).equals(bytes.subarray(8 * 1024 * 1024 - 3, 8 * 1024 * 1024 + 3))).toBe(true);
      expect(await store.head(bucket, 'big/blob.bin')).toMatchObject({ size, etag });
      expect((await listAll(store, bucket, 'big/')).map((o) => ({ key: o.key, size: o.size, etag: o.etag }))).toEqual([{ key: 'big/blob.bin', size, etag }]);
    });

    it('fails with NotFound for a missing key on get and head', async () => {
      const { store, bucket } = await setup();
      await expect(store.get(bucket, 'missing.txt')).rejects.toSatisfy((e) => isObjectStoreError(e, 'NotFound'));
      await expect(store.head(bucket, 'missing.txt')).rejects.toMatchObject({ code: 'NotFound', bucket, key: 'missing.txt' });
      // An empty or past-the-end range reads nothing, but only from an object that exists.
      await expect(store.get(bucket, 'missing.txt', { range: { offset: 0, length: 0 } })).rejects.toSatisfy((e) => isObjectStoreError(e, 'NotFound'));
      await expect(store.get(bucket, 'missing.txt', { range: { offset: 5, length: 4 } })).rejects.toSatisfy((e) => isObjectStoreError(e, 'NotFound'));
      expect(await objectExists(store, bucket, 'missing.txt')).toBe(false);
    });

    it('overwrites an object and changes its etag', async () => {
      const { store, bucket } = await setup();
      const first = await store.put(bucket, 'x.txt', 'one');
      const second = await store.put(bucket, 'x.txt', 'two!');
      expect(second.etag).not.toBe(first.etag);
      expect(Buffer.from(await store.get(bucket, 'x.txt')).toString()).toBe('two!');
      expect((await store.head(bucket, 'x.txt')).size).toBe(4);
    });

    it('only-if-absent writes once and then fails with PreconditionFailed, leaving the first content', async () => {
      const { store, bucket } = await setup();
      await store.put(bucket, 'claims/run-1', 'first', { onlyIfAbsent: true });
      await expect(store.put(bucket, 'claims/run-1', 'second', { onlyIfAbsent: true })).rejects.toMatchObject({
        code: 'PreconditionFailed',
        key: 'claims/run-1',
      });
      expect(Buffer.from(await store.get(bucket, 'claims/run-1')).toString()).toBe('first');
    });

    it('only-if-absent lets exactly one of many concurrent writers win', async () => {
      const { store, bucket } = await setup();
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => store.put(bucket, 'claims/race', `writer ${i}`, { onlyIfAbsent: true })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(isObjectStoreError(r.reason, 'PreconditionFailed')).toBe(true);
      expect(Buffer.from(await store.get(bucket, 'claims/race')).toString()).toMatch(/^writer \d+$/);
    });

    it('deletes an object; deleting a missing key succeeds', async () => {
      const { store, bucket } = await setup();
      await store.put(bucket, 'd/e.txt', 'x');
      await store.delete(bucket, 'd/e.txt');
      expect(await objectExists(store, bucket, 'd/e.txt')).toBe(false);
      await expect(store.delete(bucket, 'd/e.txt')).resolves.toBeUndefined();
    });

    it('lists keys in UTF-8 byte order with a string (not folder) prefix', async () => {
      const { store, bucket } = await setup();
      const keys = ['a/b', 'a-b', 'a.b', 'a0', 'z', 'é', 'images/train/1.png', 'images/val/2.png', 'imx'];
      for (const key of keys) await store.put(bucket, key, key);
      const all = (await listAll(store, bucket)).map((o) => o.key);
      expect(all).toEqual([...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
      expect(all).toEqual(['a-b', 'a.b', 'a/b', 'a0', 'images/train/1.png', 'images/val/2.png', 'imx', 'z', 'é']);
      expect((await listAll(store, bucket, 'images/')).map((o) => o.key)).toEqual(['images/train/1.png', 'images/val/2.png']);
      expect((await listAll(store, bucket, 'im')).map((o) => o.key)).toEqual(['images/train/1.png', 'images/val/2.png', 'imx']);
      expect((await listAll(store, bucket, 'images/tr')).map((o) => o.key)).toEqual(['images/train/1.png']);
      expect(await listAll(store, bucket, 'nothing/')).toEqual([]);
      const listed = await listAll(store, bucket, 'z');
      expect(listed[0]).toMatchObject({ key: 'z', size: 1 });
    });

    it('pages through a listing: every key once, in order, and no token after the last page', async () => {
      const { store, bucket } = await setup();
      const keys = Array.from({ length: 7 }, (_, i) => `p/${String(i).padStart(2, '0')}.txt`);
      for (const key of keys) await store.put(bucket, key, 'x');
      await store.put(bucket, 'q.txt', 'outside the prefix');
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await store.listPage({ bucket, prefix: 'p/', maxKeys: 3, ...(token === undefined ? {} : { continuationToken: token }) });
        seen.push(...page.objects.map((o) => o.key));
        token = page.nextToken;
        pages += 1;
      } while (token !== undefined);
      expect(seen).toEqual(keys);
      expect(pages).toBe(3);
      const exact = await store.listPage({ bucket, prefix: 'p/', maxKeys: 7 });
      expect(exact.objects).toHaveLength(7);
      expect(exact.nextToken).toBeUndefined();
    });

    it('refuses invalid keys on put, get, head and delete, and writes nothing', async () => {
      const { store, bucket } = await setup();
      for (const key of ['../escape.txt', '/abs', 'a//b', 'folder/', '']) {
        await expect(store.put(bucket, key, 'x'), key).rejects.toSatisfy((e) => isObjectStoreError(e, 'InvalidKey'));
        await expect(store.get(bucket, key), key).rejects.toSatisfy((e) => isObjectStoreError(e, 'InvalidKey'));
        await expect(store.head(bucket, key), key).rejects.toSatisfy((e) => isObjectStoreError(e, 'InvalidKey'));
        await expect(store.delete(bucket, key), key).rejects.toSatisfy((e) => isObjectStoreError(e, 'InvalidKey'));
      }
      expect(await listAll(store, bucket)).toEqual([]);
    });

    it('fails with NoSuchBucket on every operation on a bucket that does not exist', async () => {
      const { store } = await setup();
      const missing = 'no-such-bucket';
      const isNoSuchBucket = (e: unknown): boolean => isObjectStoreError(e, 'NoSuchBucket');
      await expect(store.put(missing, 'k', 'x')).rejects.toSatisfy(isNoSuchBucket);
      await expect(store.get(missing, 'k')).rejects.toSatisfy(isNoSuchBucket);
      await expect(store.head(missing, 'k')).rejects.toSatisfy(isNoSuchBucket);
      await expect(store.delete(missing, 'k')).rejects.toSatisfy(isNoSuchBucket);
      await expect(store.listPage({ bucket: missing })).rejects.toSatisfy(isNoSuchBucket);
    });

    it('rejects a forged continuation token, an out-of-range page size and a negative range', async () => {
      const { store, bucket } = await setup();
      await store.put(bucket, 'r.bin', 'abc');
      await expect(store.listPage({ bucket, continuationToken: 'not base64!' })).rejects.toThrow(/continuation token/);
      await expect(store.listPage({ bucket, maxKeys: 0 })).rejects.toThrow(/maxKeys/);
      await expect(store.listPage({ bucket, maxKeys: 1001 })).rejects.toThrow(/maxKeys/);
      await expect(store.get(bucket, 'r.bin', { range: { offset: -1, length: 2 } })).rejects.toThrow(/range/);
      await expect(store.get(bucket, 'r.bin', { range: { offset: 0, length: 1.5 } })).rejects.toThrow(/range/);
    });

    it('gives an object the same etag in put, head and a listing', async () => {
      const { store, bucket } = await setup();
      const { etag } = await store.put(bucket, 'e.txt', 'x');
      expect((await store.head(bucket, 'e.txt')).etag).toBe(etag);
      expect((await listAll(store, bucket, 'e.txt'))[0]?.etag).toBe(etag);
    });

    it('starts a listing after a key (StartAfter), by page and by iterator', async () => {
      const { store, bucket } = await setup();
      for (const key of ['k/1', 'k/2', 'k/3', 'k/4']) await store.put(bucket, key, 'x');
      const page = await store.listPage({ bucket, prefix: 'k/', startAfter: 'k/2' });
      expect(page.objects.map((o) => o.key)).toEqual(['k/3', 'k/4']);
      const iterated: string[] = [];
      for await (const o of store.list(bucket, 'k/', { startAfter: 'k/1', pageSize: 1 })) iterated.push(o.key);
      expect(iterated).toEqual(['k/2', 'k/3', 'k/4']);
    });
  });
}

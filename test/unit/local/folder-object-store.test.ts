import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, mkdir, writeFile, symlink, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isObjectStoreError } from '../../../src/core/storage/errors.ts';
import { listAll } from '../../../src/core/storage/object-store.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { describeObjectStoreContract } from '../core/storage/object-store-contract.ts';

const roots: string[] = [];

function canMakeImmutable(): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'yolops-chattr-'));
  const file = join(dir, 'probe');
  writeFileSync(file, '');
  try {
    execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function newStore(): Promise<{ store: FolderObjectStore; root: string; bucket: string }> {
  const root = await mkdtemp(join(tmpdir(), 'yolops-folder-store-'));
  roots.push(root);
  const store = new FolderObjectStore({ root });
  await store.createBucket('training-data');
  return { store, root, bucket: 'training-data' };
}

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describeObjectStoreContract('FolderObjectStore', newStore);

describe('FolderObjectStore', () => {
  it('stores s3://bucket/key as <root>/<bucket>/<key> and leaves no temp files in the bucket', async () => {
    const { store, root, bucket } = await newStore();
    await store.put(bucket, 'split_dataset/v1/data.yaml', 'names: [a]\n');
    expect(await readFile(join(root, bucket, 'split_dataset', 'v1', 'data.yaml'), 'utf8')).toBe('names: [a]\n');
    expect(await readdir(join(root, bucket, 'split_dataset', 'v1'))).toEqual(['data.yaml']);
    expect(await readdir(join(root, '.tmp'))).toEqual([]);
  });

  it('refuses keys that could leave the bucket folder, and writes nothing', async () => {
    const { store, root, bucket } = await newStore();
    for (const key of ['../escape.txt', 'a/../../escape.txt', '/etc/passwd', 'a//b', 'a/./b', 'a\\b', '', 'folder/', 'nul\u0000']) {
      await expect(store.put(bucket, key, 'x'), key).rejects.toMatchObject({ code: 'InvalidKey', key });
      await expect(store.get(bucket, key), key).rejects.toMatchObject({ code: 'InvalidKey' });
    }
    expect((await readdir(root)).sort()).toEqual(['training-data']);
  });

  it('refuses bucket names S3 refuses', async () => {
    const { store } = await newStore();
    for (const bucket of ['..', 'UPPER', 'a', 'has/slash', '-dash', 'a..b']) {
      await expect(store.put(bucket, 'k', 'x'), bucket).rejects.toMatchObject({ code: 'InvalidBucketName' });
    }
  });

  it('fails with NoSuchBucket for a bucket folder that does not exist (no silent folder creation)', async () => {
    const { store, root } = await newStore();
    await expect(store.put('typo-bucket', 'k', 'x')).rejects.toSatisfy((e) => isObjectStoreError(e, 'NoSuchBucket'));
    await expect(store.get('typo-bucket', 'k')).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(listAll(store, 'typo-bucket')).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(stat(join(root, 'typo-bucket'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lists files dropped into the folder directly, skipping folders themselves', async () => {
    const { store, root, bucket } = await newStore();
    await mkdir(join(root, bucket, 'ds', 'images', 'empty'), { recursive: true });
    await writeFile(join(root, bucket, 'ds', 'images', 'a.png'), 'png');
    expect((await listAll(store, bucket)).map((o) => o.key)).toEqual(['ds/images/a.png']);
    expect(await store.head(bucket, 'ds/images/a.png')).toMatchObject({ size: 3 });
    await expect(store.get(bucket, 'ds/images/empty')).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('follows symlinked folders but not symlink loops', async () => {
    const { store, root, bucket } = await newStore();
    const outside = join(root, 'elsewhere');
    await mkdir(outside);
    await writeFile(join(outside, 'x.txt'), 'x');
    await symlink(outside, join(root, bucket, 'linked'));
    await symlink(join(root, bucket), join(outside, 'loop'));
    const keys = (await listAll(store, bucket)).map((o) => o.key);
    expect(keys).toContain('linked/x.txt');
    expect(keys.length).toBeLessThan(10);
  });

  it('reports a key beside a "folder" of the same name as a conflict instead of an fs error', async () => {
    const { store, bucket } = await newStore();
    await store.put(bucket, 'a', 'file');
    await expect(store.put(bucket, 'a/b', 'x')).rejects.toMatchObject({ code: 'InvalidKey', key: 'a/b' });
    await store.put(bucket, 'c/d', 'x');
    await expect(store.put(bucket, 'c', 'x')).rejects.toMatchObject({ code: 'InvalidKey', key: 'c' });
    await expect(store.put(bucket, 'c', 'x', { onlyIfAbsent: true })).rejects.toMatchObject({ code: 'InvalidKey' });
  });

  it('deletes nothing for a key that is a "folder" of other keys, and keeps them', async () => {
    const { store, bucket } = await newStore();
    await store.put(bucket, 'c/d', 'x');
    await store.delete(bucket, 'c');
    expect((await listAll(store, bucket)).map((o) => o.key)).toEqual(['c/d']);
  });

  // An immutable file (chattr +i, root only) makes unlink fail with EPERM: a real permission error, not a folder.
  it.skipIf(!canMakeImmutable())('reports an object it is not permitted to delete instead of taking EPERM for a folder', async () => {
    const { store, root, bucket } = await newStore();
    await store.put(bucket, 'locked.txt', 'x');
    const path = join(root, bucket, 'locked.txt');
    execFileSync('chattr', ['+i', path]);
    try {
      await expect(store.delete(bucket, 'locked.txt')).rejects.toMatchObject({ code: 'EPERM' });
    } finally {
      execFileSync('chattr', ['-i', path]);
    }
    expect((await listAll(store, bucket)).map((o) => o.key)).toEqual(['locked.txt']);
  });

  it('removes folders a delete leaves empty, so the name can become an object again', async () => {
    const { store, root, bucket } = await newStore();
    await store.put(bucket, 'x/y/z.txt', 'z');
    await store.delete(bucket, 'x/y/z.txt');
    expect(await readdir(join(root, bucket))).toEqual([]);
    await store.put(bucket, 'x', 'now a file');
    expect(Buffer.from(await store.get(bucket, 'x')).toString()).toBe('now a file');
  });

  it('a prefix whose folder part is no valid key lists nothing instead of walking outside the bucket', async () => {
    const { store, bucket } = await newStore();
    await store.put(bucket, 'a.txt', 'x');
    expect(await listAll(store, bucket, '../')).toEqual([]);
    expect(await listAll(store, bucket, '/')).toEqual([]);
  });
});

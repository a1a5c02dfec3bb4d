import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileExclusive, publishFileExclusive } from '../../../../src/local/fs/exclusive-create.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-exclusive-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** /dev/shm is a tmpfs on Linux: a second file system, where link(2) to the temp folder fails with EXDEV. */
const SECOND_FS = '/dev/shm';
function onAnotherFileSystem(): boolean {
  try {
    return statSync(SECOND_FS).isDirectory() && statSync(SECOND_FS).dev !== statSync(tmpdir()).dev;
  } catch {
    return false;
  }
}

describe('createFileExclusive', () => {
  it('creates the file with its whole content once, then answers false and leaves it alone', async () => {
    const path = join(dir, 'sub', 'record.json');
    expect(await createFileExclusive(path, 'first')).toBe(true);
    expect(await createFileExclusive(path, 'second')).toBe(false);
    expect(await readFile(path, 'utf8')).toBe('first');
    expect(await readdir(join(dir, 'sub'))).toEqual(['record.json']); // no temp file left
  });

  it('lets exactly one of many concurrent creators win', async () => {
    const path = join(dir, 'claim');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => createFileExclusive(path, `writer ${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await readFile(path, 'utf8')).toBe(`writer ${results.indexOf(true)}`);
    expect(await readdir(dir)).toEqual(['claim']);
  });
});

describe('publishFileExclusive', () => {
  it('hard-links where it can, so the published file is the temp file itself', async () => {
    const temp = join(dir, 'temp');
    await writeFile(temp, 'content');
    expect(await publishFileExclusive(temp, join(dir, 'final'))).toBe('linked');
    expect((await stat(join(dir, 'final'))).ino).toBe((await stat(temp)).ino);
  });

  it('answers exists for a taken name, a file or a folder', async () => {
    const temp = join(dir, 'temp');
    await writeFile(temp, 'new');
    await writeFile(join(dir, 'taken'), 'old');
    await mkdir(join(dir, 'folder'));
    expect(await publishFileExclusive(temp, join(dir, 'taken'))).toBe('exists');
    expect(await publishFileExclusive(temp, join(dir, 'folder'))).toBe('exists');
    expect(await readFile(join(dir, 'taken'), 'utf8')).toBe('old');
  });

  it.skipIf(!onAnotherFileSystem())('copies, still exclusively, where link(2) cannot work (another file system)', async () => {
    const shm = await mkdtemp(join(SECOND_FS, 'yolops-exclusive-'));
    try {
      const temp = join(shm, 'temp');
      await writeFile(temp, 'across devices');
      expect(await publishFileExclusive(temp, join(dir, 'final'))).toBe('copied');
      expect(await readFile(join(dir, 'final'), 'utf8')).toBe('across devices');
      await writeFile(temp, 'a second writer');
      expect(await publishFileExclusive(temp, join(dir, 'final'))).toBe('exists');
      expect(await readFile(join(dir, 'final'), 'utf8')).toBe('across devices');
    } finally {
      await rm(shm, { recursive: true, force: true });
    }
  });
});

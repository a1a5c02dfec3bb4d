import { open, mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileExclusive, readExclusiveFile } from '../../../../src/local/fs/exclusive-create.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-exclusive-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createFileExclusive under contention', () => {
  it('lets exactly one of many concurrent creators win, with its whole content, and leaves no other file', async () => {
    const path = join(dir, 'a', 'claim.json');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => createFileExclusive(path, `${JSON.stringify({ writer: i })}\n`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ writer: winner });
    expect(await readdir(join(dir, 'a'))).toEqual(['claim.json']); // no temp file left behind
    expect(await createFileExclusive(path, 'again')).toBe(false);
  });
});

describe('readExclusiveFile', () => {
  it('waits for the content of a file created but not yet written', async () => {
    const path = join(dir, 'claim.json');
    const handle = await open(path, 'wx'); // created, empty: its writer is between open and write
    setTimeout(() => void handle.writeFile('{"by":"watcher"}').then(() => handle.close()), 100);
    expect(await readExclusiveFile(path)).toBe('{"by":"watcher"}');
  });

  it('gives up after a second and returns what is there (a creator that died before writing)', async () => {
    const path = join(dir, 'claim.json');
    await writeFile(path, '');
    const started = Date.now();
    expect(await readExclusiveFile(path)).toBe('');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await readExclusiveFile(join(dir, 'missing.json'))).toBeUndefined();
  });
});

import { chmod, cp, link, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { list } from 'tar';
import { buildCodeBundle, bundleFiles, publishCodeBundle } from '../../../src/local/code-bundle.ts';
import { FolderObjectStore } from '../../../src/local/folder-object-store.ts';
import { REPO_ROOT } from '../../../src/local/layout.ts';

let dir: string;
let training: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'yolops-bundle-'));
  training = join(dir, 'training');
  for (const [path, content] of [
    ['train.py', 'print("train")\n'],
    ['evaluate.py', 'print("eval")\n'],
    ['processing_entrypoint.sh', '#!/usr/bin/env bash\nexec python3 "$@"\n'],
    ['requirements.txt', 'ultralytics\n'],
    ['requirements-dev.txt', '-r requirements.txt\npytest\n'],
    ['requirements.lock.txt', 'ultralytics==1 --hash=sha256:00\n'],
    ['requirements-dev.lock.txt', 'pytest==1 --hash=sha256:00\n'],
    ['metric_definitions.json', '[]\n'],
    ['yolops_training/__init__.py', ''],
    ['yolops_training/job.py', 'X = 1\n'],
    ['yolops_training/__pycache__/job.cpython-311.pyc', 'bytecode'],
    ['tests/test_job.py', 'def test(): pass\n'],
    ['.pytest_cache/v/cache', '{}'],
    ['pytest.ini', '[pytest]\n'],
    ['yolops_training/stale.pyc', 'x'],
  ] as const) {
    await mkdir(join(training, path, '..'), { recursive: true });
    await writeFile(join(training, path), content);
  }
  await chmod(join(training, 'processing_entrypoint.sh'), 0o755);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('code bundle', () => {
  it('leaves out tests, caches, test config and the test tools\' requirements, and keeps the lock the image installs', async () => {
    expect(await bundleFiles(training)).toEqual([
      'evaluate.py',
      'metric_definitions.json',
      'processing_entrypoint.sh',
      'requirements.lock.txt',
      'requirements.txt',
      'train.py',
      'yolops_training/__init__.py',
      'yolops_training/job.py',
    ]);
  });

  it('is deterministic: same content, same bytes and version, whatever the file times or the copy', async () => {
    const a = await buildCodeBundle(training, join(dir, 'a'));
    const copy = join(dir, 'copy');
    await cp(training, copy, { recursive: true });
    await utimes(join(copy, 'train.py'), new Date('2001-01-01'), new Date('2001-01-01'));
    const b = await buildCodeBundle(copy, join(dir, 'b'));
    expect(b.version).toBe(a.version);
    expect(await readFile(b.sourcedir)).toEqual(await readFile(a.sourcedir));
    expect(a.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('is the same whatever the umask of the checkout, and with hard links between files', async () => {
    await writeFile(join(training, 'a.txt'), 'same\n');
    await writeFile(join(training, 'b.txt'), 'same\n');
    const a = await buildCodeBundle(training, join(dir, 'a'));
    const copy = join(dir, 'copy');
    await cp(training, copy, { recursive: true });
    await chmod(join(copy, 'train.py'), 0o600);
    await chmod(join(copy, 'processing_entrypoint.sh'), 0o700);
    await rm(join(copy, 'b.txt'));
    await link(join(copy, 'a.txt'), join(copy, 'b.txt'));
    const b = await buildCodeBundle(copy, join(dir, 'b'));
    expect(await readFile(b.sourcedir)).toEqual(await readFile(a.sourcedir));
    expect(b.version).toBe(a.version);
  });

  it('changes version when any bundled byte or the entrypoint changes, not for excluded files', async () => {
    const before = (await buildCodeBundle(training, join(dir, 'a'))).version;
    await writeFile(join(training, 'tests', 'test_job.py'), 'changed');
    expect((await buildCodeBundle(training, join(dir, 'b'))).version).toBe(before);
    await writeFile(join(training, 'yolops_training', 'job.py'), 'X = 2\n');
    const changed = (await buildCodeBundle(training, join(dir, 'c'))).version;
    expect(changed).not.toBe(before);
    await writeFile(join(training, 'processing_entrypoint.sh'), '#!/usr/bin/env bash\nexec python3 -u "$@"\n');
    expect((await buildCodeBundle(training, join(dir, 'd'))).version).not.toBe(changed);
  });

  it('writes a plain tar.gz with the files at the root, executable bits kept', async () => {
    const bundle = await buildCodeBundle(training, join(dir, 'a'));
    const entries: { path: string; mode: number; mtime: string }[] = [];
    await list({ file: bundle.sourcedir, onReadEntry: (e) => void entries.push({ path: e.path, mode: e.mode ?? 0, mtime: e.mtime?.toISOString() ?? '' }) });
    expect(entries.map((e) => e.path)).toEqual(bundle.files);
    expect(entries.find((e) => e.path === 'processing_entrypoint.sh')?.mode).toBe(0o755);
    expect(entries.find((e) => e.path === 'train.py')?.mode).toBe(0o644);
    expect(new Set(entries.map((e) => e.mtime))).toEqual(new Set(['2000-01-01T00:00:00.000Z']));
  });

  it('uploads to code/<version>/ once per version', async () => {
    const store = new FolderObjectStore({ root: join(dir, 'buckets') });
    const first = await publishCodeBundle({ trainingDir: training, workDir: join(dir, 'w1'), store, bucket: 'yolops-training-data-123456789012' });
    expect(first.codeUri).toBe(`s3://yolops-training-data-123456789012/code/${first.version}/`);
    expect(first.uploaded).toBe(true);
    expect(Buffer.from(await store.get('yolops-training-data-123456789012', `code/${first.version}/processing_entrypoint.sh`)).toString()).toContain('exec python3');
    const second = await publishCodeBundle({ trainingDir: training, workDir: join(dir, 'w2'), store, bucket: 'yolops-training-data-123456789012' });
    expect(second.version).toBe(first.version);
    expect(second.uploaded).toBe(false);
  });

  it('requires the processing entrypoint', async () => {
    await rm(join(training, 'processing_entrypoint.sh'));
    await expect(buildCodeBundle(training, join(dir, 'a'))).rejects.toThrow(/processing_entrypoint.sh is missing/);
  });
});

/** The build-context paths the Dockerfile's COPY instructions take (flags such as --chmod left out). */
function dockerfileCopySources(dockerfile: string): string[] {
  const instructions = dockerfile.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  return instructions.filter((line) => /^COPY\s/i.test(line)).flatMap((line) => line.split(/\s+/).slice(1, -1).filter((word) => !word.startsWith('--')));
}

describe('the code bundle of this repository', () => {
  it('holds the Dockerfile and everything it COPYs, so the image can be built from code/<version>/ alone', async () => {
    const trainingDir = join(REPO_ROOT, 'training');
    const dockerfile = await readFile(join(trainingDir, 'Dockerfile'), 'utf8');
    const sources = dockerfileCopySources(dockerfile);
    expect(sources).toEqual(expect.arrayContaining(['requirements.lock.txt', 'train.py', 'serve', 'container_entrypoint.sh', 'yolops_training/', 'yolops_serving/']));
    const bundle = await buildCodeBundle(trainingDir, join(dir, 'bundle'));
    const entries: string[] = [];
    await list({ file: bundle.sourcedir, onReadEntry: (e) => void entries.push(e.path) });
    expect(entries).toContain('Dockerfile');
    const missing = sources.filter((source) => (source.endsWith('/') ? !entries.some((e) => e.startsWith(source)) : !entries.includes(source)));
    expect(missing).toEqual([]);
    // Every file of a copied folder, not only some: a module left out would fail only when the image runs.
    for (const folder of sources.filter((source) => source.endsWith('/'))) {
      const onDisk = (await readdir(join(trainingDir, folder), { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile() && !e.parentPath.split(sep).includes('__pycache__') && !e.name.endsWith('.pyc'))
        .map((e) => relative(trainingDir, join(e.parentPath, e.name)).split(sep).join('/'));
      expect(entries.filter((e) => e.startsWith(folder)).sort()).toEqual(onDisk.sort());
    }
  });
});

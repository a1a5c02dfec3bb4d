import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isObjectStoreError } from '../core/storage/errors.ts';
import { LocalError } from './errors.ts';
import type { FolderObjectStore } from './folder-object-store.ts';
import { writeFileAtomic } from './fs/atomic-file.ts';
import { writeTarGz } from './fs/tar-archive.ts';

export const ENTRYPOINT_FILE = 'processing_entrypoint.sh';
export const SOURCEDIR_FILE = 'sourcedir.tar.gz';

/** Folder names never bundled: tests and caches do not belong in a job's code. */
const EXCLUDED_DIRS = new Set(['tests', 'test', '__pycache__', '.pytest_cache', '.mypy_cache', '.ruff_cache', '.venv', 'venv', 'node_modules']);
/**
 * File names never bundled: the test tools' requirements and their lock. requirements.lock.txt stays in: the
 * image (Dockerfile) is built from the bundle and installs it, while a job in SageMaker's PyTorch container
 * installs requirements.txt over the container's own torch and ignores the lock.
 */
const EXCLUDED_FILES = [/\.py[co]$/, /^\./, /^conftest\.py$/, /^pytest\.ini$/, /\.egg-info$/, /^requirements-dev(\.lock)?\.txt$/];

export interface CodeBundle {
  /** Content hash of the bundle: same files, same version (the CodeVersion parameter). */
  version: string;
  /** The built sourcedir.tar.gz. */
  sourcedir: string;
  /** The entrypoint copied beside it. */
  entrypoint: string;
  /** Bundled paths, relative to the training folder, sorted. */
  files: string[];
}

/** The files of `trainingDir` that go into the bundle, sorted. */
export async function bundleFiles(trainingDir: string): Promise<string[]> {
  const files: string[] = [];
  async function walk(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!EXCLUDED_DIRS.has(entry.name) && !entry.name.startsWith('.') && !entry.name.endsWith('.egg-info')) await walk(path);
      } else if (entry.isFile() && !EXCLUDED_FILES.some((re) => re.test(entry.name))) {
        files.push(relative(trainingDir, path).split(sep).join('/'));
      }
    }
  }
  await walk(trainingDir);
  return files.sort();
}

/**
 * Packs `trainingDir` into `<outDir>/sourcedir.tar.gz` (deterministic: sorted entries, fixed times and owners)
 * and copies the processing entrypoint beside it. The version hashes the uncompressed archive and the
 * entrypoint, so it names the content, whatever zlib compressed it.
 */
export async function buildCodeBundle(trainingDir: string, outDir: string): Promise<CodeBundle> {
  const files = await bundleFiles(trainingDir);
  if (!files.includes(ENTRYPOINT_FILE)) throw new LocalError(`${join(trainingDir, ENTRYPOINT_FILE)} is missing: the evaluation job starts through it`, { audience: 'user' });
  await mkdir(outDir, { recursive: true });
  const sourcedir = join(outDir, SOURCEDIR_FILE);
  const { tarSha256 } = await writeTarGz(trainingDir, files, sourcedir);
  const entrypointBytes = await readFile(join(trainingDir, ENTRYPOINT_FILE));
  const entrypoint = join(outDir, ENTRYPOINT_FILE);
  await writeFileAtomic(entrypoint, entrypointBytes);
  const version = createHash('sha256').update(`yolops-code-bundle-v1\n${tarSha256}\n`).update(createHash('sha256').update(entrypointBytes).digest('hex')).digest('hex').slice(0, 12);
  return { version, sourcedir, entrypoint, files };
}

export interface PublishedCodeBundle extends CodeBundle {
  /** `s3://<bucket>/code/<version>/`: the CodeUri parameter. */
  codeUri: string;
  /** False when this version was already in the bucket (same content, uploaded before). */
  uploaded: boolean;
}

/** Builds the bundle and uploads both files to `code/<version>/` in the training data bucket, once per version. */
export async function publishCodeBundle(options: { trainingDir: string; workDir: string; store: FolderObjectStore; bucket: string }): Promise<PublishedCodeBundle> {
  const bundle = await buildCodeBundle(options.trainingDir, options.workDir);
  const prefix = `code/${bundle.version}/`;
  await options.store.createBucket(options.bucket);
  let uploaded = false;
  for (const [name, file] of [[SOURCEDIR_FILE, bundle.sourcedir], [ENTRYPOINT_FILE, bundle.entrypoint]] as const) {
    try {
      // Content-addressed: a key that exists already holds these bytes, so "only if absent" is all we need.
      await options.store.put(options.bucket, `${prefix}${name}`, await readFile(file), { onlyIfAbsent: true });
      uploaded = true;
    } catch (error) {
      if (!isObjectStoreError(error, 'PreconditionFailed')) throw error;
    }
  }
  return { ...bundle, codeUri: `s3://${options.bucket}/${prefix}`, uploaded };
}

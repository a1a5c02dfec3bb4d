import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { readdir, readlink, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { formatValidation, validateDataset, type DatasetValidation, type ValidateOptions } from '../core/dataset/index.ts';
import type { ProblemDraft } from '../core/dataset/problems.ts';
import { FolderObjectStore } from '../local/folder-object-store.ts';

export interface DirectoryStore {
  store: FolderObjectStore;
  bucket: string;
  /** Removes the scaffolding (never the directory itself). */
  close: () => void;
}

/**
 * Any local directory as a bucket of the object-store port, so the CLI reads and writes datasets through the
 * very code the S3 trigger uses. The directory is reached through a symlink named like a bucket in a scratch
 * folder beside it (same filesystem, so the store's atomic renames work), whatever the directory is called.
 */
export function openDirectoryAsBucket(dir: string): DirectoryStore {
  const target = resolve(dir);
  const scratch = mkdtempSync(join(dirname(target), `.${basename(target)}.yolops-`));
  const bucket = 'dataset';
  symlinkSync(target, join(scratch, bucket), 'dir');
  return {
    store: new FolderObjectStore({ root: scratch }),
    bucket,
    close: () => {
      // rm follows no symlink: this removes the link and the store's temp folder, not the dataset.
      if (existsSync(scratch)) rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** A symbolic link under a dataset folder whose target lies outside it (or cannot be resolved). */
export interface EscapingLink {
  /** The link, relative to the dataset folder, with `/` separators (an object key). */
  key: string;
  /** Where it points, as far as it resolves. */
  target: string;
}

/**
 * The symbolic links under `dir` that lead out of it. The object store follows links, so a dataset folder with
 * such a link would have a file outside it read, validated and uploaded as if it were part of the dataset
 * (an S3 upload has no links: the copy would differ from the folder). Links inside the folder are fine.
 * Linked folders inside the dataset are not walked again (their content is walked where it really is).
 */
export async function findEscapingLinks(dir: string): Promise<EscapingLink[]> {
  const root = await realpath(dir);
  const inside = (path: string): boolean => {
    const rel = relative(root, path);
    return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
  };
  const found: EscapingLink[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isSymbolicLink()) {
        const key = relative(root, path).split(sep).join('/');
        const target = await realpath(path).catch(async () => resolve(folder, await readlink(path)));
        if (!inside(target)) found.push({ key, target });
      }
    }
  };
  await walk(root);
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function escapingLinkProblem(dir: string, link: EscapingLink): ProblemDraft {
  return {
    code: 'symlink-outside-dataset',
    message: `${link.key} is a symbolic link to ${link.target}, which is outside the dataset folder ${dir}; nothing of the dataset was read`,
    hint: 'copy the file into the dataset folder instead of linking it (an upload to S3 has no links), or remove the link',
  };
}

/**
 * Validates the dataset in a local directory. The result names the directory: its `uri` is the directory's
 * path and each problem's `file` is the file's path (so an editor or terminal opens it); `report` is the text.
 * A directory with a link that leads out of it is refused before anything is read.
 */
export async function validateDirectory(dir: string, options: ValidateOptions = {}): Promise<{ result: DatasetValidation; report: string }> {
  const folder = resolve(dir);
  const refusals = (await findEscapingLinks(folder)).map((link) => ({ file: link.key, problem: escapingLinkProblem(folder, link) }));
  const { store, bucket, close } = openDirectoryAsBucket(folder);
  try {
    const raw = await validateDataset(store, { bucket, prefix: '' }, { ...options, locationName: folder, refusals });
    const pathOf = (key: string): string => join(folder, ...key.split('/'));
    const result: DatasetValidation = {
      ...raw,
      dataset: { ...raw.dataset, uri: folder, bucket: '', dataYaml: pathOf(raw.dataset.dataYaml) },
      problems: raw.problems.map((problem) => ({ ...problem, file: pathOf(problem.file) })),
      summary: { ...raw.summary, splits: raw.summary.splits.map((split) => ({ ...split, imageDirs: split.imageDirs.map(pathOf) })) },
    };
    return { result, report: formatValidation(result) };
  } finally {
    close();
  }
}

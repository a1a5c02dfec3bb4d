import { CONVENTIONAL_FOLDERS } from './contract.ts';
import type { SplitName } from './data-yaml.ts';

/** Where a split path from data.yaml led, inside the dataset prefix. */
export type SplitPathResolution =
  | { kind: 'found'; /** Full key prefix of the images folder, without a trailing `/`. */ imageDir: string }
  | { kind: 'missing'; /** The folders looked in, as full key prefixes. */ tried: string[] }
  | { kind: 'unsupported'; reason: string; hint: string };

/**
 * Resolves one split path of data.yaml against the dataset prefix (the folder holding data.yaml), the way
 * Ultralytics resolves it against the data.yaml folder: `images/train` and `train/images` join the prefix;
 * `../train/images` (Roboflow's export) first joins it and, when that would leave the dataset, drops the
 * leading `../` as Ultralytics does when the joined path does not exist. Nothing outside the prefix counts:
 * the training job receives only the prefix.
 *
 * @param datasetPrefix `''` or a prefix ending with `/`
 * @param folderExists whether any object lies under the given folder (full key prefix, no trailing `/`)
 */
export function resolveSplitPath(datasetPrefix: string, path: string, folderExists: (folder: string) => boolean): SplitPathResolution {
  const text = path.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    return { kind: 'unsupported', reason: `${text} is a URL`, hint: 'upload the images with the dataset and point at their folder relative to data.yaml, e.g. images/train' };
  }
  if (text.startsWith('/') || /^[A-Za-z]:[\\/]/.test(text) || text.startsWith('~')) {
    return {
      kind: 'unsupported',
      reason: `${text} is an absolute path on some machine`,
      hint: `write the folder relative to data.yaml${suggestSuffix(text, datasetPrefix, folderExists)}`,
    };
  }
  if (/\.txt$/i.test(text)) {
    return { kind: 'unsupported', reason: `${text} is a list file`, hint: 'point the split at a folder of images; list files of image paths are not part of the contract' };
  }

  const segments = text.replace(/\\/g, '/').split('/');
  const base = datasetPrefix.split('/').filter((s) => s !== '');
  const candidates: string[] = [];
  const joined = joinInside(base, segments);
  if (joined !== undefined) candidates.push(joined);
  const stripped = joinInside(base, dropLeadingParents(segments));
  if (stripped !== undefined && !candidates.includes(stripped)) candidates.push(stripped);

  for (const candidate of candidates) if (candidate !== '' && folderExists(candidate)) return { kind: 'found', imageDir: candidate };
  return { kind: 'missing', tried: candidates.filter((c) => c !== '') };
}

/**
 * The conventional folders of a split that exist, relative to data.yaml (the contract's conventionalFolders:
 * Ultralytics first, then Roboflow): for "did you mean" hints.
 */
export function existingConventionalFolders(split: SplitName, datasetPrefix: string, folderExists: (folder: string) => boolean): string[] {
  return CONVENTIONAL_FOLDERS[split].filter((folder) => folderExists(`${datasetPrefix}${folder}`));
}

/**
 * The label file Ultralytics reads for an image: the last `/images/` folder of its path becomes `/labels/`
 * and the extension becomes `.txt` (`images/train/a.jpg` -> `labels/train/a.txt`). Without an `images` folder
 * the label sits beside the image. The rule applies below the dataset prefix only, because in the training
 * container the prefix is replaced by the channel folder.
 */
export function labelKeyForImage(datasetPrefix: string, imageKey: string): string {
  const relative = imageKey.slice(datasetPrefix.length);
  const swapped = swapImagesFolder(relative);
  const dot = swapped.lastIndexOf('.');
  const stem = dot > swapped.lastIndexOf('/') ? swapped.slice(0, dot) : swapped;
  return `${datasetPrefix}${stem}.txt`;
}

/** The folder holding the labels of an images folder (full key prefixes, no trailing `/`). */
export function labelDirForImageDir(datasetPrefix: string, imageDir: string): string {
  const relative = `${imageDir.slice(datasetPrefix.length)}/`;
  return `${datasetPrefix}${swapImagesFolder(relative).slice(0, -1)}`;
}

function swapImagesFolder(relative: string): string {
  const withRoot = `/${relative}`;
  const at = withRoot.lastIndexOf('/images/');
  const swapped = at < 0 ? withRoot : `${withRoot.slice(0, at)}/labels/${withRoot.slice(at + '/images/'.length)}`;
  return swapped.slice(1);
}

/** Joins path segments onto the prefix segments; undefined when `..` climbs above the prefix. */
function joinInside(base: readonly string[], segments: readonly string[]): string | undefined {
  const out: string[] = [];
  for (const segment of segments) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(segment);
  }
  return [...base, ...out].join('/');
}

function dropLeadingParents(segments: readonly string[]): string[] {
  let start = 0;
  while (start < segments.length && (segments[start] === '..' || segments[start] === '.' || segments[start] === '')) start += 1;
  return segments.slice(start);
}

/** For an absolute path such as /home/me/coco8/images/train, the longest tail that exists in the upload. */
function suggestSuffix(path: string, datasetPrefix: string, folderExists: (folder: string) => boolean): string {
  const segments = path.replace(/\\/g, '/').split('/').filter((s) => s !== '');
  for (let start = 0; start < segments.length; start += 1) {
    const tail = segments.slice(start).join('/');
    if (folderExists(`${datasetPrefix}${tail}`)) return `; ${tail} exists in this upload`;
  }
  return ', e.g. images/train';
}

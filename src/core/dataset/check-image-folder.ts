import { isObjectStoreError } from '../storage/errors.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { forEachConcurrently } from './concurrency.ts';
import type { DatasetIndex } from './dataset-index.ts';
import { ACCEPTED_EXTENSIONS_TEXT, IGNORED_LABEL_FILES, IMAGE_EXTENSIONS, MIN_IMAGE_SIDE } from './contract.ts';
import { inspectImage, type ImageInfo } from './image-header.ts';
import { parseLabelFile } from './label-file.ts';
import { imageEntryOfKey } from './load-dataset.ts';
import type { ProblemCollector, ProblemDraft } from './problems.ts';
import { labelDirForImageDir, labelKeyForImage } from './split-paths.ts';

export interface FolderCheckContext {
  store: ObjectStore;
  bucket: string;
  index: DatasetIndex;
  classCount: number | undefined;
  collector: ProblemCollector;
  concurrency: number;
  inspectImages: boolean;
  signal: AbortSignal | undefined;
}

/** What one images folder (with its labels folder) holds. */
export interface FolderTally {
  imageDir: string;
  images: number;
  labelFiles: number;
  backgroundImages: number;
  boxes: number;
  polygons: number;
  boxesPerClass: Map<number, number>;
  imagesInspected: number;
  /** Files in the images folder that are neither images nor labels. */
  otherFiles: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const ACCEPTED = ACCEPTED_EXTENSIONS_TEXT;

/**
 * Checks one images folder and the labels folder Ultralytics pairs with it: every image (header and end),
 * every label file (line by line), images sharing a label file, and label files no image reads.
 */
export async function checkImageFolder(context: FolderCheckContext, imageDir: string): Promise<FolderTally> {
  const { index, collector } = context;
  const prefix = index.prefix;
  const labelDir = labelDirForImageDir(prefix, imageDir);
  const tally: FolderTally = { imageDir, images: 0, labelFiles: 0, backgroundImages: 0, boxes: 0, polygons: 0, boxesPerClass: new Map(), imagesInspected: 0, otherFiles: 0 };

  const images: string[] = [];
  for (const key of index.keysUnder(imageDir)) {
    if (imageEntryOfKey(key) !== undefined) images.push(key);
    else if (!isIgnorable(key, labelDir, imageDir)) {
      tally.otherFiles += 1;
      collector.add(key, {
        code: 'unsupported-file',
        message: `${baseName(key)} is not an image Ultralytics reads (${ACCEPTED}); training ignores it`,
        hint: 'convert it to .jpg or .png if it is an image to train on, otherwise remove it from the images folder',
      });
    }
  }

  // Two images with one stem in one folder (a.jpg, a.png) read the same label file: Ultralytics cannot tell
  // whose boxes they are, so the second is reported and its label is not counted twice.
  const labelOwner = new Map<string, string>();
  const work: { imageKey: string; labelKey: string | undefined; duplicate: boolean }[] = [];
  for (const imageKey of images) {
    const labelKey = labelKeyForImage(prefix, imageKey);
    const owner = labelOwner.get(labelKey);
    if (owner !== undefined) {
      collector.add(imageKey, {
        code: 'duplicate-stem',
        message: `${baseName(imageKey)} and ${baseName(owner)} have the same name before the extension, so both would use the labels in ${labelKey}`,
        hint: `rename one of the two images (and give it its own label file), or remove the duplicate`,
      });
      work.push({ imageKey, labelKey: undefined, duplicate: true });
      continue;
    }
    labelOwner.set(labelKey, imageKey);
    work.push({ imageKey, labelKey: index.has(labelKey) ? labelKey : undefined, duplicate: false });
  }
  tally.images = images.length;

  await forEachConcurrently(
    work,
    context.concurrency,
    async ({ imageKey, labelKey, duplicate }) => {
      const image = await checkImage(context, imageKey, tally);
      if (duplicate) return; // its label belongs to the first image; it is neither labelled nor background
      if (labelKey === undefined) {
        tally.backgroundImages += 1;
        return;
      }
      await checkLabel(context, labelKey, image, tally);
    },
    context.signal,
  );

  reportOrphanLabels(context, labelDir, labelOwner);
  return tally;
}

async function checkImage(context: FolderCheckContext, imageKey: string, tally: FolderTally): Promise<ImageInfo | undefined> {
  const { store, bucket, index, collector } = context;
  const entry = imageEntryOfKey(imageKey);
  if (entry === undefined) return undefined;
  if (entry.check === 'refused') {
    collector.add(imageKey, {
      code: 'unsupported-image-format',
      message: `${baseName(imageKey)} cannot be trained on here: ${entry.refusal}`,
      hint: 'convert it to .jpg or .png (keep its label file\'s name in step)',
    });
    return undefined;
  }
  if (!context.inspectImages) return undefined;
  const size = index.get(imageKey)?.size ?? 0;
  let inspection;
  try {
    inspection = await inspectImage((offset, length) => store.get(bucket, imageKey, { range: { offset, length } }), size, entry.check);
  } catch (error) {
    if (!isObjectStoreError(error, 'NotFound')) throw error;
    collector.add(imageKey, vanished());
    return undefined;
  }
  tally.imagesInspected += 1;
  if (!inspection.ok) {
    collector.add(imageKey, {
      code: 'corrupt-image',
      message: `${baseName(imageKey)} cannot be used: ${inspection.reason}`,
      hint: 'export or upload the image again; if it cannot be recovered, delete it and its label file',
    });
    return undefined;
  }
  const format = inspection.image ? inspection.image.format : inspection.format;
  if (format !== entry.format) {
    collector.add(imageKey, {
      code: 'image-extension-mismatch',
      message: `${baseName(imageKey)} is named as ${entry.format.toUpperCase()} but is a ${format.toUpperCase()} file`,
      hint: `rename it to .${extensionFor(format)} (and keep the label's name in step); it loads either way, but tools that trust extensions will not`,
    });
  }
  // Only the signature was read (AVIF, DNG): the size and the end are left to the training job, which decodes it.
  if (!inspection.image) return undefined;
  const { width, height } = inspection.image;
  if (width < MIN_IMAGE_SIDE || height < MIN_IMAGE_SIDE) {
    collector.add(imageKey, {
      code: 'image-too-small',
      message: `${baseName(imageKey)} is ${width}x${height} pixels; Ultralytics skips images under ${MIN_IMAGE_SIDE} pixels a side`,
      hint: 'remove it, or export it at a larger size (its labels are fractions, so they stay valid)',
    });
  }
  return inspection.image;
}

/** The usual extension of a format, for a rename hint: the first of the contract's extensions for it. */
function extensionFor(format: string): string {
  for (const [extension, entry] of IMAGE_EXTENSIONS) if (entry.format === format) return extension;
  return format;
}

async function checkLabel(context: FolderCheckContext, labelKey: string, image: ImageInfo | undefined, tally: FolderTally): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await context.store.get(context.bucket, labelKey);
  } catch (error) {
    if (!isObjectStoreError(error, 'NotFound')) throw error;
    context.collector.add(labelKey, vanished());
    return;
  }
  tally.labelFiles += 1;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    context.collector.add(labelKey, {
      code: 'unreadable-file',
      message: 'the label file is not UTF-8 text',
      hint: 'save it as plain UTF-8 (or ASCII) text: one "class cx cy w h" line per box',
    });
    return;
  }
  const parsed = parseLabelFile(text, { classCount: context.classCount, ...(image ? { image } : {}) });
  for (const problem of parsed.problems) context.collector.add(labelKey, problem);
  if (parsed.lineCount === 0) tally.backgroundImages += 1;
  for (const object of parsed.objects) {
    tally.boxes += 1;
    if (object.shape === 'polygon') tally.polygons += 1;
    tally.boxesPerClass.set(object.classId, (tally.boxesPerClass.get(object.classId) ?? 0) + 1);
  }
}

function reportOrphanLabels(context: FolderCheckContext, labelDir: string, labelOwner: ReadonlyMap<string, string>): void {
  const { index, collector } = context;
  let byStem: Map<string, string[]> | undefined;
  for (const key of index.keysUnder(labelDir)) {
    if (!key.endsWith('.txt') || labelOwner.has(key)) continue;
    if (IGNORED_LABEL_FILES.has(baseName(key))) continue; // LabelImg's class list, not a label file
    byStem ??= keysByStem(index);
    const expected = imageStemFor(index.prefix, key);
    const sameStem = (byStem.get(expected) ?? []).filter((other) => other !== key);
    collector.add(key, {
      code: 'label-without-image',
      message:
        sameStem.length > 0
          ? `no image uses this label file: ${sameStem.map(baseName).join(', ')} has the right name but is not an accepted image type`
          : `no image uses this label file: there is no ${expected}.{${[...IMAGE_EXTENSIONS.keys()].join(',')}}`,
      hint:
        sameStem.length > 0
          ? `convert the image to .jpg or .png (${ACCEPTED} are accepted); its boxes are ignored until then`
          : 'upload the missing image, or delete the label file if the image was removed on purpose; its boxes are ignored until then',
    });
  }
}

/** Keys grouped by their path without the extension, built only when an orphan label needs it. */
function keysByStem(index: DatasetIndex): Map<string, string[]> {
  const byStem = new Map<string, string[]>();
  for (const key of index.keys()) {
    const dot = key.lastIndexOf('.');
    if (dot <= key.lastIndexOf('/')) continue;
    const stem = key.slice(0, dot);
    byStem.set(stem, [...(byStem.get(stem) ?? []), key]);
  }
  return byStem;
}

/** The image path (without extension) a label file belongs to: the inverse of labelKeyForImage. */
function imageStemFor(prefix: string, labelKey: string): string {
  const withRoot = `/${labelKey.slice(prefix.length, -'.txt'.length)}`;
  const at = withRoot.lastIndexOf('/labels/');
  const swapped = at < 0 ? withRoot : `${withRoot.slice(0, at)}/images/${withRoot.slice(at + '/labels/'.length)}`;
  return `${prefix}${swapped.slice(1)}`;
}

/** Files in an images folder that are not problems: labels kept beside images, dotfiles, Ultralytics caches. */
function isIgnorable(key: string, labelDir: string, imageDir: string): boolean {
  const name = baseName(key);
  if (name.startsWith('.') || name.endsWith('.cache')) return true;
  return labelDir === imageDir && name.endsWith('.txt');
}

function vanished(): ProblemDraft {
  return {
    code: 'unreadable-file',
    message: 'the file was listed but was gone when it was read',
    hint: 'validate again once the upload has finished; files must not change while a dataset version is validated',
  };
}

function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}

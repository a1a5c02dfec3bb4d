import { IMAGE_EXTENSIONS } from '../dataset/contract.ts';
import { CoreError } from '../errors.ts';
import type { ObjectInfo } from '../storage/object-store.ts';
import { formatS3Uri } from '../storage/s3-uri.ts';
import { LABELING_IMAGE_EXTENSIONS, LABELING_LIMITS } from './limits.ts';

export class LabelingInputError extends CoreError {
  constructor(message: string) {
    super(message, { audience: 'user' });
  }
}

/** The images of a raw-images batch a labeling job gets, and what was left out (for the summary). */
export interface LabelingImages {
  images: ObjectInfo[];
  /** Objects under the prefix that are not images by the dataset contract's extensions. */
  otherFiles: number;
}

function extensionOf(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/**
 * The images of `objects` (listed under `uri`): keys whose extension is an image of the dataset contract. Refused,
 * with what to do: no image at all; images the bounding-box worker UI cannot show (the contract accepts more
 * formats than jpg, jpeg and png); an image over Ground Truth's 40 MB; more images than a job may have.
 */
export function selectLabelingImages(uri: string, objects: readonly ObjectInfo[]): LabelingImages {
  const images = objects.filter((o) => IMAGE_EXTENSIONS.has(extensionOf(o.key)));
  const otherFiles = objects.length - images.length;
  if (images.length === 0) {
    const found = objects.length === 0 ? 'nothing is there' : `${objects.length} files are there but none is an image (e.g. ${objects[0]?.key ?? ''})`;
    throw new LabelingInputError(`${uri}: ${found}; upload the images to label first (aws s3 sync <folder> ${uri})`);
  }
  const unshowable = images.filter((o) => !LABELING_IMAGE_EXTENSIONS.includes(extensionOf(o.key)));
  if (unshowable.length > 0) {
    throw new LabelingInputError(
      `${uri}: ${unshowable.length} images are in a format Ground Truth's bounding-box tool cannot show (e.g. ${unshowable[0]?.key ?? ''}); ` +
        `it shows ${LABELING_IMAGE_EXTENSIONS.map((e) => `.${e}`).join(', ')} only: convert those images or move them out of the prefix`,
    );
  }
  const large = images.filter((o) => o.size > LABELING_LIMITS.maxImageBytes);
  if (large.length > 0) {
    throw new LabelingInputError(`${uri}: ${large.length} images are over Ground Truth's ${LABELING_LIMITS.maxImageBytes / 1024 / 1024} MB per image (e.g. ${large[0]?.key ?? ''}, ${large[0]?.size ?? 0} bytes): downscale them`);
  }
  if (images.length > LABELING_LIMITS.maxDatasetObjects) {
    throw new LabelingInputError(`${uri}: ${images.length} images, over the ${LABELING_LIMITS.maxDatasetObjects} a labeling job may take: split the batch into several prefixes and label each`);
  }
  return { images: [...images].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), otherFiles };
}

/** The input manifest: one `{"source-ref": "s3://bucket/key"}` JSON line per image (Ground Truth's format). */
export function inputManifest(bucket: string, images: readonly ObjectInfo[]): string {
  return images.map((o) => `${JSON.stringify({ 'source-ref': formatS3Uri(bucket, o.key) })}\n`).join('');
}

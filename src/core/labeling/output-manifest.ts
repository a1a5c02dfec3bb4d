import * as z from 'zod';
import { CoreError } from '../errors.ts';
import { PREFIXES } from '../naming.ts';
import { parseS3Uri } from '../storage/s3-uri.ts';
import type { LabelingJobLayout } from './layout.ts';

/** The output manifest cannot become a labelled-data version (not JSON lines, images out of reach): retrying changes nothing. */
export class OutputManifestError extends CoreError {}

/** One line of a Ground Truth output manifest: the image, plus the label attribute and its metadata (read by the converter). */
const lineSchema = z.looseObject({ 'source-ref': z.string().startsWith('s3://', 'must be an s3:// URI') });

export interface ImageCopy {
  /** Key of the labelled image in the training bucket (under raw-images/). */
  from: string;
  /** `labeled-data/<job>/images/<from>`. */
  to: string;
}

/**
 * The copies that make the job's output a self-contained labelled-data version: every distinct `source-ref` of the
 * output manifest, each an image of `bucket` under raw-images/ (the only images a yolops job labels, and the only
 * ones the completion may read), to `labeled-data/<job>/images/<its key>`. A line that is not such a record makes
 * the whole manifest refused, naming the line.
 */
export function imageCopies(manifest: string, bucket: string, layout: LabelingJobLayout): ImageCopy[] {
  const copies = new Map<string, ImageCopy>();
  const lines = manifest.split('\n');
  for (const [index, raw] of lines.entries()) {
    const text = raw.trim();
    if (text === '') continue;
    const where = `line ${index + 1} of the output manifest`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new OutputManifestError(`${where} is not JSON (${(error as Error).message})`, { cause: error });
    }
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) throw new OutputManifestError(`${where} has no "source-ref" s3:// URI: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const { bucket: imageBucket, key } = parseS3Uri(parsed.data['source-ref']);
    if (imageBucket !== bucket || !key.startsWith(PREFIXES.rawImages) || key.endsWith('/')) {
      throw new OutputManifestError(`${where} labels ${parsed.data['source-ref']}, which is not an image under s3://${bucket}/${PREFIXES.rawImages}: only those are copied into a labelled-data version`);
    }
    copies.set(key, { from: key, to: `${layout.versionImagesRoot}${key}` });
  }
  if (copies.size === 0) throw new OutputManifestError('the output manifest lists no image');
  return [...copies.values()];
}

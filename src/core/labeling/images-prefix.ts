import { CoreError } from '../errors.ts';
import { PREFIXES } from '../naming.ts';
import { formatS3Uri, parseS3Uri } from '../storage/s3-uri.ts';

export class ImagesPrefixError extends CoreError {
  constructor(message: string) {
    super(message, { audience: 'user' });
  }
}

export interface ImagesPrefix {
  /** `raw-images/<batch>/` or a folder below it, always ending in `/`. */
  prefix: string;
  /** The `<batch>` folder: part of the default job name. */
  batch: string;
  uri: string;
}

/**
 * `--images s3://<training bucket>/raw-images/<batch>/`: a folder of the training bucket under raw-images/ (the
 * labeling role reads images there and nowhere else, and the completion copies them from there).
 */
export function parseImagesPrefix(uri: string, trainingBucket: string): ImagesPrefix {
  const { bucket, key } = parseS3Uri(uri);
  const example = formatS3Uri(trainingBucket, `${PREFIXES.rawImages}<batch>/`);
  if (bucket !== trainingBucket) throw new ImagesPrefixError(`--images ${uri} is not in the training bucket ${trainingBucket}: upload the images to ${example} (the labeling role reads images there only)`);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  const batch = prefix.startsWith(PREFIXES.rawImages) ? (prefix.slice(PREFIXES.rawImages.length).split('/')[0] ?? '') : '';
  if (batch === '') throw new ImagesPrefixError(`--images ${uri} is not a batch folder under ${PREFIXES.rawImages}: give ${example}`);
  return { prefix, batch, uri: formatS3Uri(bucket, prefix) };
}

import { ConfigError } from '../config/errors.ts';
import { parseTrainingConfig, type ServingConfig } from '../config/training-config.ts';
import { isObjectStoreError } from '../storage/errors.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { formatS3Uri } from '../storage/s3-uri.ts';

export interface ServingConfigSource {
  serving: ServingConfig;
  /** Where it came from; undefined when there is no uploaded config and the defaults apply. */
  uri: string | undefined;
}

/**
 * The serving section of the training-config.json `yolops code push` uploaded (config/training-config.json in the
 * training bucket), the one every deployment reads, so staging and production follow the same settings. No file
 * there means the defaults; a file that is not valid is a ConfigError naming each problem.
 */
export async function readServingConfig(store: ObjectStore, bucket: string, key: string): Promise<ServingConfigSource> {
  const uri = formatS3Uri(bucket, key);
  let bytes: Uint8Array;
  try {
    bytes = await store.get(bucket, key);
  } catch (error) {
    if (isObjectStoreError(error, 'NotFound')) return { serving: parseTrainingConfig({}, uri).serving, uri: undefined };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new ConfigError(uri, [{ key: '', value: undefined, message: `it is not JSON: ${(error as Error).message}` }], { cause: error });
  }
  return { serving: parseTrainingConfig(json, uri).serving, uri };
}

import type { LabelFormat } from '../../core/dataset/label-formats.ts';
import { INPUT_PARAMETERS } from '../../core/pipeline/input-parameters.ts';
import { datasetVersionOfKey } from '../../core/trigger/dataset-version.ts';
import { TRIGGER_PREFIXES, versionKind } from '../../core/trigger/version-kind.ts';
import { LocalError } from '../errors.ts';

/** How the watcher starts one version locally: the InputFormat parameter, and whether the dataset validator runs first. */
export interface LocalStartInput {
  parameterOverrides: Record<string, string>;
  /** A dataset is validated before it starts, as the S3 trigger does; labelled data is the Preprocess step's to validate. */
  validateDataset: boolean;
}

/**
 * The start of version `key` (`labeled-data/v1`) with `inputFormat`, for a pipeline definition that declares the
 * parameters `declared`. A definition from before InputFormat existed still trains datasets (they need no
 * conversion), but cannot convert labelled data: such a version is refused, naming the fix.
 */
export function localStartInput(key: string, inputFormat: LabelFormat, declared: ReadonlySet<string>): LocalStartInput {
  const lookup = datasetVersionOfKey(`${key}/`, TRIGGER_PREFIXES);
  const kind = lookup.kind === 'version' ? versionKind(lookup.ref) : 'dataset';
  if (declared.has(INPUT_PARAMETERS.format)) return { parameterOverrides: { [INPUT_PARAMETERS.format]: inputFormat }, validateDataset: kind === 'dataset' };
  if (kind === 'labelled-data') {
    throw new LocalError(`${key} holds labelled data (${inputFormat}), but the pipeline definition the watcher runs declares no ${INPUT_PARAMETERS.format} parameter, so nothing would convert it: run a yolops whose pipeline has the Preprocess step, or convert the export yourself (\`yolops dataset convert\`) and push the result to split_dataset/`, { audience: 'user' });
  }
  return { parameterOverrides: {}, validateDataset: true };
}

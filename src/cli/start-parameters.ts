import { ConfigError } from '../core/config/errors.ts';
import { parseTrainingConfig, type TrainingConfig } from '../core/config/training-config.ts';
import { DEFAULT_LABEL_FORMAT, isLabelFormat, LABEL_FORMATS } from '../core/dataset/label-formats.ts';
import { datasetVersionNameProblem, PREFIXES } from '../core/naming.ts';
import { CONFIG_PARAMETERS, codeVersionProblem, type ConfigParameterName } from '../core/pipeline/index.ts';
import { INPUT_PARAMETERS } from '../core/pipeline/input-parameters.ts';
import { S3UriError, formatS3Uri, parseS3Uri } from '../core/storage/s3-uri.ts';
import { CliError } from './errors.ts';

/** What `yolops pipeline start` may change for one execution, as typed (commander gives strings). */
export interface StartOverrides {
  epochs?: string;
  batchSize?: string;
  instanceType?: string;
  /** An S3 URI in the training bucket, or a version name: under labeled-data/ with a `format` other than yolo, else under split_dataset/. */
  data?: string;
  /** The data's label format (InputFormat): one of LABEL_FORMATS. */
  format?: string;
  spot?: boolean;
  codeVersion?: string;
}

/**
 * The flags that set a training-config.json key: their value is checked by that key's own schema, and sent as
 * the pipeline parameter CONFIG_PARAMETERS maps the key to, in the form StartPipelineExecution takes. One table,
 * so a flag, the config file and the trigger can never disagree on a parameter's name or format.
 */
const CONFIG_FLAGS = [
  { option: 'epochs', flag: '--epochs', key: 'epochs', parse: (text: string): unknown => wholeNumber(text) },
  { option: 'batchSize', flag: '--batch-size', key: 'batch_size', parse: (text: string): unknown => (text === 'auto' ? text : wholeNumber(text)) },
  { option: 'instanceType', flag: '--instance-type', key: 'instance_type', parse: (text: string): unknown => text },
] as const satisfies readonly { option: keyof StartOverrides; flag: string; key: keyof TrainingConfig; parse: (text: string) => unknown }[];

function wholeNumber(text: string): unknown {
  return /^-?\d+$/.test(text.trim()) ? Number(text) : text;
}

/** The pipeline parameter a training-config.json key sets. */
function parameterOfKey(key: keyof TrainingConfig): ConfigParameterName {
  const name = (Object.keys(CONFIG_PARAMETERS) as ConfigParameterName[]).find((n) => CONFIG_PARAMETERS[n].key === key);
  if (name === undefined) throw new Error(`no pipeline parameter is set by training-config.json's ${key}`);
  return name;
}

export interface StartParameterContext {
  /** training-config.json as loaded: the other keys' values, so a value is checked in its whole config. */
  config: TrainingConfig;
  /** Parameter names the pipeline to start declares (the deployed definition, or the locally compiled one). */
  declared: readonly string[];
  trainingDataBucket: string;
}

/**
 * `s3://<training bucket>/split_dataset/<version>/` for a version name (`labeled-data/<version>/` for an export of
 * another format than yolo); an S3 URI checked to be in the bucket, ending in `/`.
 */
export function inputDataUri(data: string, trainingDataBucket: string, format: string = DEFAULT_LABEL_FORMAT): string {
  if (!data.includes('://')) {
    const prefix = format === DEFAULT_LABEL_FORMAT ? PREFIXES.splitDataset : PREFIXES.labeledData;
    const problem = datasetVersionNameProblem(data);
    if (problem !== undefined) throw new CliError(`--data ${data}: give an s3://${trainingDataBucket}/<prefix>/<version>/ URI or a version name under ${prefix}; ${problem}`);
    return formatS3Uri(trainingDataBucket, `${prefix}${data}/`);
  }
  let location;
  try {
    location = parseS3Uri(data);
  } catch (error) {
    if (error instanceof S3UriError) throw new CliError(`--data ${error.message}`, { cause: error });
    throw error;
  }
  if (location.bucket !== trainingDataBucket) {
    throw new CliError(`--data ${data} is outside the training bucket: the pipeline's jobs may only read s3://${trainingDataBucket}/ (upload the dataset there, e.g. s3://${trainingDataBucket}/${PREFIXES.splitDataset}<version>/)`);
  }
  if (location.key.replace(/\/+$/, '') === '') throw new CliError(`--data ${data} names the whole bucket: give the dataset version's folder, e.g. s3://${trainingDataBucket}/${PREFIXES.splitDataset}<version>/`);
  // Always a folder: `v1` must never also match `v10/` (S3 prefixes are plain string prefixes).
  return formatS3Uri(trainingDataBucket, `${location.key.replace(/\/+$/, '')}/`);
}

/**
 * The parameters of one StartPipelineExecution for these overrides: only what the person changed (the rest keep
 * the deployed defaults), each checked before anything is sent. A mistake is a CliError (exit 2) naming the flag.
 */
export function startParameters(overrides: StartOverrides, context: StartParameterContext): Record<string, string> {
  const parameters: Record<string, string> = {};
  const changed: Partial<Record<keyof TrainingConfig, unknown>> = {};
  const flagOfKey = new Map<string, string>();
  for (const { option, flag, key, parse } of CONFIG_FLAGS) {
    const text = overrides[option];
    if (text === undefined) continue;
    changed[key] = parse(text);
    flagOfKey.set(key, flag);
  }
  if (overrides.spot !== undefined) {
    changed.use_spot_instances = overrides.spot;
    flagOfKey.set('use_spot_instances', overrides.spot ? '--spot' : '--no-spot');
  }
  let checked: TrainingConfig;
  try {
    checked = parseTrainingConfig({ ...context.config, ...changed });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const mine = error.problems.filter((p) => flagOfKey.has(p.key));
    const problem = mine[0] ?? error.problems[0];
    if (problem === undefined) throw error;
    const flag = flagOfKey.get(problem.key);
    throw new CliError(flag ? `${flag} ${JSON.stringify(problem.value)}: ${problem.message}` : `training-config.json: ${problem.key}: ${problem.message}`, { cause: error });
  }
  for (const key of Object.keys(changed) as (keyof TrainingConfig)[]) {
    const name = parameterOfKey(key);
    parameters[name] = String(CONFIG_PARAMETERS[name].value(checked));
  }
  if (overrides.format !== undefined) {
    if (!isLabelFormat(overrides.format)) throw new CliError(`--format ${JSON.stringify(overrides.format)} is not a label format yolops reads; use one of ${LABEL_FORMATS.join(', ')}`);
    parameters[INPUT_PARAMETERS.format] = overrides.format;
  }
  if (overrides.data !== undefined) parameters[INPUT_PARAMETERS.dataUri] = inputDataUri(overrides.data, context.trainingDataBucket, overrides.format);
  if (overrides.codeVersion !== undefined) {
    const problem = codeVersionProblem(overrides.codeVersion);
    if (problem !== undefined) throw new CliError(`--code-version ${problem}`);
    parameters['CodeUri'] = formatS3Uri(context.trainingDataBucket, `${PREFIXES.code}${overrides.codeVersion}/`);
    parameters['CodeVersion'] = overrides.codeVersion;
  }
  const undeclared = Object.keys(parameters).filter((name) => !context.declared.includes(name));
  if (undeclared.length > 0) {
    throw new CliError(`the pipeline does not declare the parameter${undeclared.length === 1 ? '' : 's'} ${undeclared.join(', ')}: deploy the current definition first (\`yolops pipeline upsert\`)`);
  }
  return parameters;
}

/** The parameter names of a definition JSON (its `Parameters[].Name`). */
export function declaredParameters(definitionJson: string): string[] {
  const parsed = JSON.parse(definitionJson) as { Parameters?: { Name?: unknown }[] };
  return (parsed.Parameters ?? []).flatMap((p) => (typeof p.Name === 'string' ? [p.Name] : []));
}

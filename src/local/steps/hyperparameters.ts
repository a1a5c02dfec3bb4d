/**
 * Hyperparameters the way SageMaker's training toolkit hands them to a script-mode entry point: the job's map
 * holds strings (JSON-encoded by the SDK: `"\"train.py\""`, `"3"`), written as is to hyperparameters.json;
 * the toolkit JSON-decodes each value where it can, keeps `sagemaker_*` keys for itself and passes the rest as
 * `--key value` arguments and as SM_HPS / SM_HP_<KEY>.
 */

export type DecodedHyperparameter = string | number | boolean | null | DecodedHyperparameter[] | { [key: string]: DecodedHyperparameter };

/** JSON-decodes a value when it is JSON, else keeps the text (as the toolkit does for `auto`). */
export function decodeHyperparameter(raw: string): DecodedHyperparameter {
  try {
    return JSON.parse(raw) as DecodedHyperparameter;
  } catch {
    return raw;
  }
}

export interface ScriptModeHyperparameters {
  /** The user's hyperparameters, decoded (no `sagemaker_*` keys). */
  user: Record<string, DecodedHyperparameter>;
  /** The toolkit's own (`sagemaker_program`, `sagemaker_submit_directory`, ...), decoded. */
  framework: Record<string, DecodedHyperparameter>;
}

export function splitHyperparameters(raw: Readonly<Record<string, string>>): ScriptModeHyperparameters {
  const user: Record<string, DecodedHyperparameter> = {};
  const framework: Record<string, DecodedHyperparameter> = {};
  for (const key of Object.keys(raw).sort()) {
    const value = decodeHyperparameter(raw[key] as string);
    if (key.startsWith('sagemaker_')) framework[key] = value;
    else user[key] = value;
  }
  return { user, framework };
}

/** How the toolkit prints a value on the command line: strings bare, Python's True/False, JSON otherwise. */
function toArgument(value: DecodedHyperparameter): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return JSON.stringify(value);
}

/** `--key value` pairs in key order. */
export function toCommandLineArgs(user: Readonly<Record<string, DecodedHyperparameter>>): string[] {
  return Object.keys(user)
    .sort()
    .flatMap((key) => [`--${key}`, toArgument(user[key] as DecodedHyperparameter)]);
}

/** SM_HPS and one SM_HP_<KEY> per hyperparameter. */
export function hyperparameterEnvironment(user: Readonly<Record<string, DecodedHyperparameter>>): Record<string, string> {
  const env: Record<string, string> = { SM_HPS: JSON.stringify(user) };
  for (const [key, value] of Object.entries(user)) env[`SM_HP_${key.toUpperCase()}`] = typeof value === 'string' ? value : JSON.stringify(value);
  return env;
}

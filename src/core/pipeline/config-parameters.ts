import type { TrainingConfig } from '../config/training-config.ts';
import { scalarParameter, type Parameter } from './dsl/parameters.ts';
import type { LiteralOf, ScalarType } from './dsl/values.ts';

/**
 * The pipeline parameters training-config.json sets: each parameter's name, type and config key, written once.
 * The compiled definition takes its defaults from here (training-pipeline.ts), and an execution started for a
 * bucket's `config/training-config.json` passes the same values (trainingConfigParameters), so the two agree.
 *
 * Imports nothing but the parameter type, so the trigger Lambda can bundle it without the compiler and schema.
 */

interface ConfigParameterSpec<T extends ScalarType> {
  readonly type: T;
  /** The training-config.json key the value comes from. */
  readonly key: keyof TrainingConfig;
  readonly value: (config: TrainingConfig) => LiteralOf<T>;
}

function fromConfig<T extends ScalarType, K extends keyof TrainingConfig>(type: T, key: K, convert: (value: TrainingConfig[K]) => LiteralOf<T>): ConfigParameterSpec<T> {
  return { type, key, value: (config) => convert(config[key]) };
}

const same = <V>(value: V): V => value;

/** In the order the definition declares them. */
export const CONFIG_PARAMETERS = {
  TrainingInstanceType: fromConfig('String', 'instance_type', same),
  EvaluationInstanceType: fromConfig('String', 'evaluation_instance_type', same),
  PreprocessingInstanceType: fromConfig('String', 'preprocessing_instance_type', same),
  // The ratios as preprocess.py's --split takes them ("0.8,0.2"): a list has no parameter type.
  SplitRatios: fromConfig('String', 'split_ratios', (ratios) => ratios.join(',')),
  SplitSeed: fromConfig('Integer', 'split_seed', same),
  Epochs: fromConfig('Integer', 'epochs', same),
  // "auto" or a number: a String parameter, so that one parameter carries both.
  BatchSize: fromConfig('String', 'batch_size', String),
  ImageSize: fromConfig('Integer', 'image_size', same),
  Model: fromConfig('String', 'model', same),
  Patience: fromConfig('Integer', 'patience', same),
  Seed: fromConfig('Integer', 'seed', same),
  QualityThreshold: fromConfig('Float', 'quality_threshold', same),
  MlflowExperimentName: fromConfig('String', 'mlflow_experiment_name', same),
  UseSpotInstances: fromConfig('Boolean', 'use_spot_instances', same),
} as const;

export type ConfigParameterName = keyof typeof CONFIG_PARAMETERS;
type TypeOf<N extends ConfigParameterName> = (typeof CONFIG_PARAMETERS)[N] extends ConfigParameterSpec<infer T> ? T : never;
export type ConfigParameters = { readonly [N in ConfigParameterName]: Parameter<TypeOf<N>> };

const NAMES = Object.keys(CONFIG_PARAMETERS) as ConfigParameterName[];

/** The parameters training-config.json sets, declared with the config's values as defaults. */
export function configParameters(config: TrainingConfig): ConfigParameters {
  return Object.fromEntries(
    NAMES.map((name) => {
      const spec: ConfigParameterSpec<ScalarType> = CONFIG_PARAMETERS[name];
      return [name, scalarParameter(spec.type, name, spec.value(config))];
    }),
  ) as unknown as ConfigParameters;
}

/**
 * The value of every pipeline parameter training-config.json sets, as StartPipelineExecution takes parameter
 * values (strings): numbers in their shortest form, Booleans `true`/`false`. Equal to the compiled definition's
 * defaults for the same config.
 */
export function trainingConfigParameters(config: TrainingConfig): Record<ConfigParameterName, string> {
  return Object.fromEntries(NAMES.map((name) => [name, String(CONFIG_PARAMETERS[name].value(config))])) as Record<ConfigParameterName, string>;
}

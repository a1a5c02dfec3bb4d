import { parseCdkContext, type CdkContext } from '../core/config/cdk-context.ts';
import { ConfigError } from '../core/config/errors.ts';
import { loadTrainingConfig, type TrainingConfig } from '../core/config/training-config.ts';
import { InfraError } from './errors.ts';
import { loadMetricDefinitions, type MetricDefinition } from '../core/pipeline/index.ts';

/** The config files, validated: what every stack and the pipeline definition are built from. */
export interface InfraConfig {
  readonly context: CdkContext;
  readonly training: TrainingConfig;
  /** training/metric_definitions.json: how SageMaker reads metrics from train.py's log. */
  readonly metricDefinitions: readonly MetricDefinition[];
}

export interface LoadInfraConfigOptions {
  /** The CDK app's context: cdk.json's `context` plus `-c` overrides, as the CDK CLI passes it. */
  readonly context: Record<string, unknown>;
  /** Path of training-config.json. */
  readonly trainingConfigPath: string;
  /** Path of training/metric_definitions.json. */
  readonly metricDefinitionsPath: string;
}

/** Every problem of every config file, so that one synth run shows all of them. */
export class InfraConfigError extends InfraError {
  readonly errors: readonly ConfigError[];

  constructor(errors: readonly ConfigError[]) {
    const count = errors.reduce((n, e) => n + e.problems.length, 0);
    super(
      `yolops: the configuration has ${count} problem${count === 1 ? '' : 's'}; fix ${count === 1 ? 'it' : 'them'} and run the command again.\n` +
        errors.map((e) => e.message).join('\n'),
      { audience: 'user' },
    );
    this.errors = errors;
  }
}

/**
 * Context keys that contain a colon are the CDK's own (`aws:cdk:*` set by the CLI, lookup results cached in
 * cdk.context.json such as `availability-zones:account=...`); no yolops key has one.
 */
function yolopsContext(context: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(context).filter(([key]) => !key.includes(':')));
}

/**
 * Validates cdk.json's context, training-config.json and training/metric_definitions.json together; throws
 * InfraConfigError listing every problem of all three.
 */
export function loadInfraConfig(options: LoadInfraConfigOptions): InfraConfig {
  const errors: ConfigError[] = [];
  const attempt = <T>(load: () => T): T | undefined => {
    try {
      return load();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(error);
      return undefined;
    }
  };
  const context = attempt(() => parseCdkContext(yolopsContext(options.context)));
  const training = attempt(() => loadTrainingConfig(options.trainingConfigPath));
  const metricDefinitions = attempt(() => loadMetricDefinitions(options.metricDefinitionsPath));
  if (errors.length > 0 || context === undefined || training === undefined || metricDefinitions === undefined) throw new InfraConfigError(errors);
  return { context, training, metricDefinitions };
}

import { localTrainingConfig, type TrainingConfig } from '../core/config/training-config.ts';
import type { ParameterOverride } from './pipeline/parameters.ts';

/**
 * The parameter overrides of a local (CPU) run: training-config.json with its `local_overrides` applied, under
 * the pipeline's parameter names (docs/contracts.md). The definition stays the one deployed to AWS; only the
 * values of this execution change.
 */
export function localParameterOverrides(config: TrainingConfig): Record<string, ParameterOverride> {
  const local = localTrainingConfig(config);
  return {
    Epochs: local.epochs,
    BatchSize: String(local.batch_size),
    ImageSize: local.image_size,
    Model: local.model,
    Patience: local.patience,
    Seed: local.seed,
    QualityThreshold: local.quality_threshold,
    MlflowExperimentName: local.mlflow_experiment_name,
  };
}
